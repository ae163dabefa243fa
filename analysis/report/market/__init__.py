"""Presentation of the market-position notebook: its sections, sentences and figures.

results    ``analyse_market(ds, params)``: the run computed once (:class:`MarketResults`)
context    the run's window with names and sources (:class:`MarketContext`)
summary    the answers the overview, the answer and the key numbers quote (:class:`Facts`)
sentences  the data-driven sentences
page       the notebook's entry points (one function per section, key numbers)
sections   the size, shares, concentration, growth and definitions sections
state      what the State did next
plots      its figures
"""
