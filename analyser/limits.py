"""Every resource limit on untrusted input, declared once.

Drafts arrive from partners abroad and now and then are hostile (zip bombs, PDFs that drive a
parser to gigabytes). Each limit below is declared in ONE place -- the dataclass field with its
default and help text -- and the same declaration drives the defaults, the environment
variables (``ANALYSER_MAX_PAGES=...``) and the command-line options (``--max-pages``), so the
three can never disagree.

Precedence: command-line option > environment variable > default.
"""

from __future__ import annotations

import functools
import math
import os
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields, replace
from typing import Any, Literal, TypeVar

import click

Kind = Literal["bytes", "count", "ratio", "seconds"]
ENV_PREFIX = "ANALYSER_"
_MiB = 1024 * 1024
_SIZE_RE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([kmgt]?)(?:i?b)?\s*$", re.IGNORECASE)
_SIZE_UNITS = {"": 1, "k": 1024, "m": _MiB, "g": 1024 * _MiB, "t": 1024 * 1024 * _MiB}


def _limit(default: float, kind: Kind, help: str) -> Any:  # noqa: A002 - click's word
    """One row of the limits table: default, unit and the help text shown by ``--help``."""
    return field(default=default, metadata={"kind": kind, "help": help})


@dataclass(frozen=True)
class Limits:
    """Resource limits for reading one document. Immutable: pass a new one to change it."""

    max_file_bytes: int = _limit(
        100 * _MiB, "bytes", "Largest file accepted, checked before a byte is parsed."
    )
    max_pages: int = _limit(1000, "count", "Most PDF pages read; longer PDFs are refused.")
    max_chars: int = _limit(
        5_000_000, "count", "Most characters of extracted text (an agreement has ~100,000)."
    )
    max_docx_bytes: int = _limit(
        200 * _MiB, "bytes", "Most bytes a DOCX may expand to when unzipped (zip bombs)."
    )
    max_docx_members: int = _limit(10_000, "count", "Most files inside a DOCX (ZIP) archive.")
    max_compression_ratio: float = _limit(
        200.0, "ratio", "Highest unzipped/zipped size ratio of a large DOCX member."
    )
    max_seconds: float = _limit(
        60.0,
        "seconds",
        "Wall-clock time for the whole analysis of one document; its worker is then killed.",
    )
    max_memory_bytes: int = _limit(
        1024 * _MiB, "bytes", "Memory the analysis of one document may add to its worker."
    )

    def __post_init__(self) -> None:
        for f in fields(self):
            value = getattr(self, f.name)
            if (
                isinstance(value, bool)
                or not isinstance(value, int | float)
                or not math.isfinite(value)
                or value <= 0
            ):
                raise ValueError(f"limit {f.name} must be a positive number, not {value!r}")

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Limits:
        """Defaults overridden by ``ANALYSER_MAX_...`` variables; a bad value is a ValueError."""
        env = os.environ if environ is None else environ
        values: dict[str, Any] = {}
        for f in fields(cls):
            raw = env.get(env_name(f.name))
            if raw is not None and raw.strip():
                try:
                    values[f.name] = parse_value(raw, f.metadata["kind"])
                except ValueError as e:
                    raise ValueError(f"{env_name(f.name)}: {e}") from e
        return cls(**values)

    def with_overrides(self, **overrides: Any) -> Limits:
        """A copy with the given limits changed; ``None`` values are ignored."""
        return replace(self, **{k: v for k, v in overrides.items() if v is not None})


def env_name(field_name: str) -> str:
    """``max_pages`` -> ``ANALYSER_MAX_PAGES``."""
    return ENV_PREFIX + field_name.upper()


def parse_value(raw: str, kind: Kind) -> int | float:
    """Parse one limit: byte sizes take K/M/G suffixes (binary), ratios and seconds decimals."""
    text = raw.strip()
    if kind == "bytes":
        match = _SIZE_RE.match(text)
        if not match:
            raise ValueError(f"{raw!r} is not a size (examples: 1048576, 512K, 100M, 1G)")
        value: int | float = int(float(match.group(1)) * _SIZE_UNITS[match.group(2).lower()])
    elif kind == "count":
        try:
            value = int(text.replace("_", "").replace(",", ""))
        except ValueError:
            raise ValueError(f"{raw!r} is not a whole number") from None
    else:
        try:
            value = float(text)
        except ValueError:
            raise ValueError(f"{raw!r} is not a number") from None
    if not math.isfinite(value):  # "nan" compares false with everything and disables a limit
        raise ValueError(f"{raw!r} must be a finite number")
    if value <= 0:
        raise ValueError(f"{raw!r} must be positive")
    return value


def describe(value: float, kind: Kind) -> str:
    """Human form of a limit for messages and ``--help`` (``100M``, ``60 s``)."""
    if kind == "bytes":
        for unit in ("G", "M", "K"):
            size = _SIZE_UNITS[unit.lower()]
            if value >= size and value % size == 0:
                return f"{int(value // size)}{unit}"
        return str(int(value))
    if kind == "seconds":
        return f"{value:g} s"
    return f"{value:,g}" if kind == "ratio" else f"{int(value):,}"


class _LimitType(click.ParamType):
    """Click parameter type sharing :func:`parse_value` with the environment variables."""

    def __init__(self, kind: Kind) -> None:
        self.kind = kind
        self.name = {"bytes": "size", "count": "integer", "ratio": "ratio", "seconds": "seconds"}[
            kind
        ]

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        if isinstance(value, int | float) and not isinstance(value, bool):
            return value
        try:
            return parse_value(str(value), self.kind)
        except ValueError as e:
            self.fail(str(e), param, ctx)


F = TypeVar("F", bound=Callable[..., Any])
_METAVARS: dict[Kind, str] = {"bytes": "SIZE", "count": "N", "ratio": "X", "seconds": "SECONDS"}


def limit_options(command: F) -> F:
    """Add one ``--max-...`` option per limit to a click command and pass ``limits=Limits``.

    Apply it below ``@main.command()``; the command receives a ``limits`` keyword argument
    instead of the individual options. Each option also reads its ``ANALYSER_MAX_...``
    environment variable (click reports a bad value as a usage error, exit 2).
    """

    @functools.wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        overrides = {f.name: kwargs.pop(f.name, None) for f in fields(Limits)}
        try:
            limits = Limits().with_overrides(**overrides)
        except ValueError as e:
            raise click.UsageError(str(e)) from e
        return command(*args, limits=limits, **kwargs)

    decorated: Any = wrapper
    for f in reversed(fields(Limits)):
        kind: Kind = f.metadata["kind"]
        decorated = click.option(
            "--" + f.name.replace("_", "-"),
            f.name,
            type=_LimitType(kind),
            default=None,
            envvar=env_name(f.name),
            show_envvar=True,
            metavar=_METAVARS[kind],
            help=f"{f.metadata['help']} Default: {describe(f.default, kind)}.",  # type: ignore[arg-type]
        )(decorated)
    return decorated  # type: ignore[no-any-return]
