"""What every command shares: exit codes and turning library errors into CLI errors."""

from __future__ import annotations

import click

from analyser.errors import AnalyserError

EXIT_OK, EXIT_GAPS, EXIT_USAGE, EXIT_UNREADABLE, EXIT_MODEL = 0, 1, 2, 3, 4


def fail(error: AnalyserError) -> click.ClickException:
    """A ClickException that prints the error's one line and exits with its code."""
    exc = click.ClickException(str(error))
    exc.exit_code = error.exit_code
    return exc
