"""Error types of the library and the exit codes the CLI maps them to.

One place decides exit codes (as sqlfluff does): 0 everything succeeded, 1 the run
finished but some inputs failed, 2 usage error (bad option, malformed query,
missing store).
"""
from __future__ import annotations

EXIT_OK = 0
EXIT_INPUT_FAILED = 1
EXIT_USAGE = 2


class KgError(Exception):
    """Base of every error the library raises on purpose."""

    exit_code = EXIT_INPUT_FAILED


class UsageError(KgError):
    """The user asked for something that cannot be done as asked."""

    exit_code = EXIT_USAGE


class StoreNotFound(UsageError):
    """A command that reads the store was pointed at a folder holding none."""


class QueryNotFound(UsageError):
    """No saved query of that name or path."""


class QuerySyntaxError(UsageError):
    """The SPARQL text does not parse; the message carries the parser's position."""


class BadParameter(UsageError):
    """A --param value is missing, unknown or of the wrong type."""


class InputError(KgError):
    """One input file cannot be read or parsed; the other files still build."""

    def __init__(self, path, reason: str) -> None:
        self.path = path
        self.reason = reason
        super().__init__(f"{path}: {reason}")
