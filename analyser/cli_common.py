"""What every command shares: exit codes and turning library errors into CLI errors."""

from __future__ import annotations

import math
from functools import cache
from typing import Any

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


class FiniteFloatRange(click.FloatRange):
    """click's FloatRange, refusing ``nan`` and ``inf``.

    ``nan`` compares false with every bound, so a plain FloatRange lets it through, and a
    ``--timeout nan`` would silently mean "no limit".
    """

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        number = super().convert(value, param, ctx)
        if not math.isfinite(number):
            self.fail(f"{value!r} is not a finite number.", param, ctx)
        return number
