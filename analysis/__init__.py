"""Sovereign-cloud analysis: the reusable package behind the notebooks and the report runner.

Layers, top to bottom (each imports only the ones below it; ``make lint`` checks this with
import-linter, see ``.importlinter``):

    report/      presentation only: number formatting, tables, figures, data-driven sentences,
                 key-number recording; ``report/investment/`` and ``report/market/`` hold each
                 notebook's presentation and never import each other
    params       the notebooks' typed parameter schemas
    investment/  the investment domain (capital, stakes, exit values, plan attainment)
    market/      the market domain (sizes, shares, concentration, position); the two domains
                 are independent
    core/        domain-free maths: evidence ranges, returns, scenario engine
    data/        the only file I/O: data paths, loading, validation, building from the dossier
    errors       the error types every layer raises

Beside the layers:

    runner/      ``python -m analysis run`` / ``compare``: runs any parameterised notebook; it
                 imports only the data checks, the parameter schemas, key-number recording and
                 the errors, never a domain or its presentation
    parameters_cell  the one parser of a notebook's ``parameters`` cell
    notebooks    committed-notebook hygiene (``refresh-notebooks``)
    __main__     the command line (``python -m analysis ...``)
"""
