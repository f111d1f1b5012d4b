"""One table of limits drives the defaults, the environment variables and the CLI options."""

from __future__ import annotations

from dataclasses import fields
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from analyser.limits import Limits, describe, env_name, limit_options, parse_value


@click.command()
@limit_options
def show(limits: Limits) -> None:
    for f in fields(limits):
        click.echo(f"{f.name}={getattr(limits, f.name)}")


def _shown(output: str) -> dict[str, str]:
    return dict(line.split("=", 1) for line in output.splitlines())


def test_every_limit_has_help_kind_and_positive_default() -> None:
    for f in fields(Limits):
        assert f.name.startswith("max_")
        assert f.metadata["help"].endswith(".")
        assert f.metadata["kind"] in {"bytes", "count", "ratio", "seconds"}
        assert f.default > 0  # type: ignore[operator]


@pytest.mark.parametrize(
    ("raw", "kind", "value"),
    [("100M", "bytes", 100 * 2**20), ("1G", "bytes", 2**30), ("512KiB", "bytes", 512 * 1024),
     ("2048", "bytes", 2048), ("1,000", "count", 1000), ("2.5", "seconds", 2.5)],
    ids=["mega", "giga", "kib", "plain", "comma", "seconds"],
)  # fmt: skip
def test_values_parse(raw: str, kind: str, value: float) -> None:
    assert parse_value(raw, kind) == value  # type: ignore[arg-type]


@pytest.mark.parametrize("raw", ["", "ten", "-5", "0", "5X"], ids=str)
def test_bad_values_are_refused(raw: str) -> None:
    with pytest.raises(ValueError):
        parse_value(raw, "bytes")


def test_environment_overrides_defaults() -> None:
    limits = Limits.from_env({env_name("max_pages"): "12", env_name("max_memory_bytes"): "2G"})
    assert limits.max_pages == 12
    assert limits.max_memory_bytes == 2**30 * 2
    assert limits.max_chars == Limits().max_chars


def test_bad_environment_value_names_the_variable() -> None:
    with pytest.raises(ValueError, match="ANALYSER_MAX_SECONDS"):
        Limits.from_env({"ANALYSER_MAX_SECONDS": "soon"})


def test_limits_refuse_non_positive_values() -> None:
    with pytest.raises(ValueError, match="max_pages"):
        Limits(max_pages=0)


def test_options_build_the_limits(runner: CliRunner) -> None:
    result = runner.invoke(show, ["--max-pages", "5", "--max-file-bytes", "1M"])
    assert result.exit_code == 0, result.output
    shown = _shown(result.output)
    assert shown["max_pages"] == "5"
    assert shown["max_file_bytes"] == str(2**20)
    assert shown["max_seconds"] == str(Limits().max_seconds)


def test_option_beats_environment_beats_default(runner: CliRunner) -> None:
    env = {"ANALYSER_MAX_PAGES": "7", "ANALYSER_MAX_CHARS": "99"}
    shown = _shown(runner.invoke(show, ["--max-pages", "3"], env=env).output)
    assert shown["max_pages"] == "3"
    assert shown["max_chars"] == "99"


def test_bad_option_is_a_usage_error(runner: CliRunner) -> None:
    result = runner.invoke(show, ["--max-memory-bytes", "lots"])
    assert result.exit_code == 2
    assert "not a size" in result.output


def test_help_lists_each_option_with_its_variable_and_default(runner: CliRunner) -> None:
    result = runner.invoke(show, ["--help"], terminal_width=200)
    for f in fields(Limits):
        assert "--" + f.name.replace("_", "-") in result.output
        assert env_name(f.name) in result.output
    assert f"Default: {describe(Limits().max_file_bytes, 'bytes')}" in result.output


@pytest.mark.parametrize("raw", ["nan", "inf", "-inf", "NaN"])
@pytest.mark.parametrize(
    "args",
    [
        ["check", "--max-seconds", "{raw}"],
        ["check", "--max-compression-ratio", "{raw}"],
        ["batch", "--out", "{out}", "--timeout", "{raw}"],
    ],
    ids=["check-seconds", "check-ratio", "batch-timeout"],
)
def test_limits_reject_non_finite_numbers(runner, tmp_path, raw: str, args: list[str]) -> None:
    from analyser.cli import main

    sample = Path(__file__).resolve().parents[1] / "samples" / "mou-fjordvik-kilimani.txt"
    filled = [a.format(raw=raw, out=tmp_path / "out") for a in args]
    result = runner.invoke(main, [*filled, str(sample)])
    assert result.exit_code == 2, result.output
    assert "finite" in result.output or (raw == "-inf" and "range" in result.output)


def test_limits_reject_non_finite_environment_value() -> None:
    with pytest.raises(ValueError, match="finite"):
        Limits.from_env({"ANALYSER_MAX_SECONDS": "nan"})
