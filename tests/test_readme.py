"""README stays true: its --help excerpts match the CLI, and every command is documented."""

from __future__ import annotations

import re

import pytest

from analyser.cli import main
from tests.conftest import REPO

README = (REPO / "README.md").read_text(encoding="utf-8")
BLOCKS = dict(re.findall(r"<!-- help:(\S+) -->\n```text\n(.*?)```\n<!-- /help -->", README, re.S))


@pytest.mark.parametrize("command", sorted(BLOCKS), ids=sorted(BLOCKS))
def test_readme_help_excerpt_matches_cli(runner, command: str) -> None:
    args = ["--help"] if command == "analyser" else [command, "--help"]
    result = runner.invoke(main, args, terminal_width=100, prog_name="analyser")
    assert result.exit_code == 0, result.output
    assert result.output == BLOCKS[command], (
        f"README's `analyser {command} --help` excerpt is stale: paste the current output"
    )


def test_readme_documents_every_command() -> None:
    assert "analyser" in BLOCKS and "check" in BLOCKS
    for name in main.commands:
        assert f"analyser {name}" in README, f"command {name!r} is not documented in README.md"


def test_readme_test_command_is_what_ci_runs() -> None:
    ci = (REPO / ".ci" / "run").read_text(encoding="utf-8")
    assert "python3 -m pytest -q" in README
    assert "python3 -m pytest -q" in ci
    assert "pip install -e '.[test]'" in README and "pip install -q -e '.[test]'" in ci
