"""Presentation of the investment-return notebook.

analyse     ``analyse_investment``: the whole run, computed once
results     ``InvestmentResults``: its frames and key numbers
keynumbers  the declarative key-number table (``KeyNumber`` rows)
tables      one display table per section
text        data-driven sentences: the answer, the money, the returns
story       data-driven sentences: revenue, losses, after the buyouts, jobs
wording     ranges and sources in words (``format_span``, ``spanner``, ``publishers``)
figures     one figure per section, from the results
plots       the plot functions (frames in, figures out); plots_revenue: revenue and losses
"""
