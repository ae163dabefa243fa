"""Presentation of the investment-return notebook: results, sentences, tables and figures.

results  the whole analysis of one run (``analyse``)
text     its data-driven sentences
story    after the buyouts, OVHcloud beside the two, jobs
plots    its figures
"""
