"""Rewrite README.md's `--help` excerpts from the current CLI (tests/test_readme.py checks them).

Run after changing a command's options or docstring:  python docs/update_readme_help.py
"""

from __future__ import annotations

import re
from pathlib import Path

from click.testing import CliRunner

from analyser.cli import main

README = Path(__file__).resolve().parents[1] / "README.md"
BLOCK = re.compile(r"(<!-- help:(\S+) -->\n```text\n)(.*?)(```\n<!-- /help -->)", re.S)


def current_help(command: str) -> str:
    args = ["--help"] if command == "analyser" else [command, "--help"]
    result = CliRunner().invoke(main, args, terminal_width=100, prog_name="analyser")
    if result.exit_code != 0:
        raise SystemExit(f"`analyser {' '.join(args)}` failed: {result.output}")
    return result.output


def main_() -> None:
    text = README.read_text(encoding="utf-8")
    updated = BLOCK.sub(lambda m: m.group(1) + current_help(m.group(2)) + m.group(4), text)
    if updated != text:
        README.write_text(updated, encoding="utf-8")
        print("README.md: help excerpts updated")
    else:
        print("README.md: help excerpts already current")


if __name__ == "__main__":
    main_()
