"""What every command shares: exit codes and turning library errors into CLI errors."""

from __future__ import annotations

from functools import cache

import click

from analyser.errors import AnalyserError
from analyser.printable import printable

EXIT_OK, EXIT_GAPS, EXIT_USAGE, EXIT_UNREADABLE, EXIT_MODEL = 0, 1, 2, 3, 4


@cache
def _exception_with_code(code: int) -> type[click.ClickException]:
    """click reads the exit code from the exception's class, so one subclass per code."""
    return type(f"ExitCode{code}", (click.ClickException,), {"exit_code": code})


def fail(error: AnalyserError) -> click.ClickException:
    """A ClickException that prints the error's one line and exits with its code."""
    return _exception_with_code(error.exit_code)(printable(error))
