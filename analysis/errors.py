"""Errors that reach users: one line that names what is wrong and where.

Every error raised on bad input (parameters, configuration, data files) derives from
:class:`AnalysisError`. Its message is a single line; the command line prints it without a
traceback and exits with :attr:`AnalysisError.exit_status`, and IPython (so a notebook run by
papermill or opened in JupyterLab) shows only that line instead of a stack trace.
"""

from __future__ import annotations

__all__ = ["AnalysisError", "ConfigError", "DataError", "ParameterError"]


class AnalysisError(Exception):
    """Base class for errors caused by bad input rather than by a bug."""

    #: exit status of ``python -m analysis`` when this error stops a command
    exit_status = 2

    def __init__(self, message: str, problems: list[str] | None = None) -> None:
        super().__init__(message)
        #: every problem found, one line each (``message`` summarises them)
        self.problems: list[str] = list(problems) if problems else [message]

    def _render_traceback_(self) -> list[str]:
        """Show the message alone in IPython, without a stack trace."""
        return [f"{type(self).__name__}: {line}" for line in self.problems]


class ParameterError(AnalysisError, ValueError):
    """A notebook or report parameter has a value outside what its schema allows."""


class DataError(AnalysisError):
    """A data file is missing, unreadable or breaks its schema."""


class ConfigError(AnalysisError):
    """The report configuration (reports.yml) is unreadable or inconsistent."""
