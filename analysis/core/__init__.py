"""Core: domain-free maths on frames and arrays (no file I/O, no text, no figures).

evidence       low / central / high estimates from conflicting sources; citations
returns        MOIC, money lost, (X)NPV and an IRR solver that refuses to guess
batch_returns  the same, vectorised over many scenarios
distributions  input distributions and seeded sampling
scenarios      the cash-flow model of one stake and the scenario engine (summary, tornado)
"""
