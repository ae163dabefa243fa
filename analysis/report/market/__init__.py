"""Presentation of the market-position notebook: its sections, sentences and figures.

page      the notebook's entry points (one function per section, key numbers)
context   the shared context of a run (series, shares, concentration)
sections  the size, shares, concentration, growth and scale sections
state     what the State did next
plots     its figures
"""
