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


def test_readme_screenshots_are_made_by_the_scripts() -> None:
    """Every picture the README shows exists and is taken by a test that
    docs/screenshots/regenerate.sh runs, or by a render script beside it (never by hand)."""
    shots = REPO / "docs" / "screenshots"
    script = (shots / "regenerate.sh").read_text(encoding="utf-8")
    makers = [REPO / p for p in re.findall(r"tests/test_\w+\.py", script)]
    makers += sorted(shots.glob("*.py"))
    sources = "\n".join(p.read_text(encoding="utf-8") for p in makers)
    pictures = sorted(set(re.findall(r"docs/screenshots/([\w-]+)\.png", README)))
    assert pictures
    for name in pictures:
        assert (shots / f"{name}.png").is_file(), name
        assert f'"{name}"' in sources or f"{name}.png" in sources, f"{name}.png has no maker"
