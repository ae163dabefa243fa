"""Report: presentation only (formatting, tables, figures, data-driven sentences, recording).

Generic pieces:

    textsafe  escaping of text from data/ into Markdown and HTML
    plotting  the figure scaffold (source-note strip, range bars, log ticks)
    blocks    sections of text, tables and PNG figures shown in a notebook; number formatting
    record    key numbers and cited sources recorded in notebook outputs (read by the runner)

One subpackage per domain (neither imports the other):

    investment  the investment-return notebook's results, sentences and figures
    market      the market-position notebook's sections, sentences and figures
"""
