"""Scheduled report runs: every report of ``reports.yml``, in parallel, as HTML and a manifest.

``python -m analysis run`` (see :mod:`analysis.runner.cli`) runs each report of the config
(a notebook and one parameter set) in its own fresh kernel, renders each executed notebook as
a self-contained HTML page, and writes an index and a ``manifest.json`` into a new run
folder. ``python -m analysis compare`` shows which key numbers moved between two runs.

Design
------
Checks first (:mod:`~analysis.runner.config`)
    The YAML config (safe loader, dates kept as text, duplicate keys refused), the
    notebooks, the names and every parameter set (against the notebook's schema in
    :mod:`analysis.params`, or the names of its ``parameters`` cell) are checked, and the
    data directory is validated once, before any kernel starts (and before the fork server
    starts importing). Any problem: exit 2, one line per problem, every problem of the
    config, the data and the parameters in one pass, nothing written.

Execution model (:mod:`~analysis.runner.pool`, :mod:`~analysis.runner.worker`)
    One runner process imports papermill and nbconvert once, then forks one worker per
    report, at most ``--jobs`` at a time. A worker calls ``papermill.execute_notebook``
    (never with ``cwd``: the kernel's working directory goes to nbclient as
    ``resources={"metadata": {"path": ...}}``, so no process-wide ``os.chdir`` happens),
    renders the HTML page, writes its result and exits. Its stdout/stderr, papermill's log
    and the kernel's output go to ``logs/<report>.log``.

Kernel start (:mod:`~analysis.runner.kernels`, :mod:`~analysis.runner.forkserver`)
    Whatever kernelspec a notebook was saved with, the kernel is the ``python3`` kernel of
    this interpreter, over the ``ipc`` transport in a private directory (no TCP port races
    between concurrent kernels). By default kernels come from a fork server: one template
    process per run imports ipykernel, IPython, numpy, pandas, matplotlib, ``analysis`` and
    the modules the notebooks import (no data is loaded), and forks a fresh child per report
    that starts ``IPKernelApp`` on its connection file. This is a jupyter_client kernel
    provisioner (``sovcloud-fork``, an entry point of this package), used through a kernel
    manager that papermill hands to nbclient. Each report still has its own new process and a
    clean namespace. It removes about 2.5 s of interpreter start and imports per report, which
    is what makes a run several times faster than papermill's CLI plus nbconvert, report after
    report (``benchmarks/bench_runner.py``). ``--no-preload`` starts plain kernels instead,
    and so does the runner, with a warning, if the fork server cannot start.

HTML (:mod:`~analysis.runner.html`)
    nbconvert's ``HTMLExporter`` renders the cells with our template (JupyterLab cell markup,
    none of the CDN scripts); a Jinja page with autoescaping adds the title, the parameters,
    a table of contents, the sources cited and a footer (run date, commit, data checksum).
    Pages are self-contained (inline CSS, inline PNG, a Content Security Policy that forbids
    every network load and every script); code is hidden unless ``--show-code``.

Output folder and locking (:mod:`~analysis.runner.runs`, :mod:`~analysis.runner.lock`)
    A run is built in ``DIR/.tmp-<run-id>``, flushed to disk and renamed into place when
    complete; then ``latest`` (a symlink, replaced atomically, plus ``latest.txt``) moves to
    it. A run whose reports ran but which cannot be finished is kept as
    ``DIR/.tmp-<run-id>.kept`` (never published; listed by the next runs and removed after 30
    days, or at once by ``python -m analysis clean-kept``). An
    ``flock`` on ``DIR/.lock`` (released by the kernel when its holder dies) keeps runs from
    interleaving: a second run exits 3 naming the holder, or waits with ``--wait``.

Incremental runs (:mod:`~analysis.runner.reuse`)
    A report whose inputs (notebook, parameters, data checksum, package source, lock file,
    output-changing options) match an ok report of an earlier complete run in the output
    folder is not executed: its files are hard-linked and its entry says ``reused_from``.
    The data checks run once per data content (:mod:`~analysis.runner.validated`).

Dask (:mod:`~analysis.runner.dask_executor`)
    ``--executor dask --scheduler ADDRESS`` runs each report as a task on a Dask cluster:
    the notebook, parameters and data go with the task, the files come back, and the runner
    alone writes the run folder. Workers must match the runner's package and library
    versions (checked first, exit 2).

Published paths (:mod:`~analysis.runner.published`)
    Executed notebooks, logs and manifests show paths relative to the repository or as the
    user gave them, never another absolute path of the machine.

Exit statuses: 0 every report ok; 1 some report failed; 2 bad input (config, parameters,
data); 3 another run holds the output folder; 4 the reports ran but the run could not be
published (its folder is kept).
"""

from analysis.fastimport import skip_iri_grammar

skip_iri_grammar()  # the runner imports nbformat and papermill: skip jsonschema's IRI grammar
