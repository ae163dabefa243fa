"""Sovereign-cloud analysis: the reusable package behind the notebooks and the report runner.

Data (the only modules that read files):
    io              where the data is (``--data-dir``, ``$ANALYSIS_DATA_DIR``), typed loading
    validate        ``check-data``: the Frictionless schema plus cross-row rules
    build_data      ``build-data``: data/ rebuilt from the research dossier
Evidence and run records:
    evidence        low / central / high estimates from conflicting sources; citations
    params          typed parameter schemas of the notebooks
    record          key numbers and cited sources recorded in notebook outputs
    notebooks       committed-notebook hygiene (parameters cell, stripped outputs)
Investment return:
    returns         MOIC, money lost, (X)NPV and an IRR solver that refuses to guess
    batch_returns   the same, vectorised over many scenarios
    distributions   input distributions and seeded sampling of the scenario engine
    scenarios       the investment model and the scenario engine (summary, tornado)
    investment      data/ -> model inputs, capital, stakes, State money, assumptions
    plan_attainment revenue against plan targets, losses per euro of revenue
    investment_results, investment_text   the whole analysis of one run, and its sentences
    investment_story after the buyouts, OVHcloud beside the two, jobs
    plots_returns   the investment figures
Market position:
    market          market sizes, growth (CAGR), definitions, scale against the market
    market_shares   shares by provider and origin, the explicit "other / unknown" rest
    concentration   CR3 and the HHI range when only some shares are known
    market_position growth against relative share
    market_facts, market_context, market_sections, market_report   the notebook's sections
    plots_market    the market figures
Shared presentation:
    plotting        the figure scaffold (source-note strip, range bars, log ticks)
    report_blocks   sections of text, tables and PNG figures shown in a notebook
Report runs:
    runner          ``python -m analysis run`` / ``compare`` (papermill, HTML, index, manifest)
"""
