"""Data: the only modules that read or write data files.

paths     where each table is; resource paths checked before anything is read
io        which data directory (``--data-dir``, ``$ANALYSIS_DATA_DIR``), typed loading
validate  ``check-data``: the Frictionless schema plus cross-row rules
build     ``build-data``: data/ rebuilt from the research dossier in data/raw/
"""
