"""Market domain: the cloud market and where French and European providers stand in it.

Frames in, frames out; imports the core and the data types, never the investment domain.

    sizes          market sizes, periods, ranges, growth (CAGR), series definitions
    releases       an analyst's releases: growth within one release, published rates checked
    shares         shares by provider and origin, the explicit "other / unknown" rest
    concentration  CR3 and the HHI range when only some shares are known
    position       growth against relative share
    facts          the market facts a report quotes, by series and definition
    window         one geography and window: the frames every part starts from
    growth         a series' growth within one release, the latest published rate
    change         an origin's change of share, within one release
    scale          a company's revenue against a market that can contain it (FX explicit)
"""
