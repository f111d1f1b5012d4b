"""Result files: atomic, written through symlinks, and one line (exit 5) when they cannot be."""

from __future__ import annotations

import errno
import json
import os
from pathlib import Path

import pytest

from analyser.cli import main
from analyser.errors import OutputError
from analyser.output import check_writable, write_atomically

SAMPLE = Path(__file__).resolve().parents[1] / "samples" / "mou-fjordvik-kilimani.txt"


def _unwritable_paths(tmp_path: Path) -> dict[str, Path]:
    """Outputs that cannot be written even by root (CI runs as root: no chmod tricks)."""
    a_file = tmp_path / "plain.txt"
    a_file.write_text("x", encoding="utf-8")
    return {
        "parent-is-a-file": a_file / "report.txt",
        "name-too-long": tmp_path / ("r" * 300 + ".txt"),
        "is-a-folder": tmp_path,
    }


@pytest.mark.parametrize("case", ["parent-is-a-file", "name-too-long", "is-a-folder"])
def test_output_check_writable_refuses(tmp_path: Path, case: str) -> None:
    with pytest.raises(OutputError) as info:
        check_writable(_unwritable_paths(tmp_path)[case])
    assert info.value.exit_code == 5
    assert "\n" not in str(info.value)


@pytest.mark.parametrize("case", ["parent-is-a-file", "name-too-long", "is-a-folder"])
@pytest.mark.parametrize("command", ["check", "compare", "checklist"])
def test_output_cli_unwritable_output_is_one_line_exit_5(
    runner, tmp_path: Path, case: str, command: str
) -> None:
    target = _unwritable_paths(tmp_path)[case]
    if command == "checklist":
        target = target.with_suffix(".md") if case != "is-a-folder" else target
        args = ["checklist", str(SAMPLE), "-o", str(target)]
    elif command == "compare":
        args = ["compare", str(SAMPLE), str(SAMPLE), "-o", str(target)]
    else:
        args = ["check", str(SAMPLE), "-o", str(target)]
    result = runner.invoke(main, args)
    if case == "is-a-folder":  # click's own check of -o (dir_okay=False): a usage error
        assert result.exit_code == 2, result.output
        assert "Traceback" not in result.output
        return
    assert result.exit_code == 5, result.output
    assert "Traceback" not in result.output
    assert len(result.output.strip().splitlines()) == 1, result.output


def test_output_checked_before_any_analysis(runner, tmp_path: Path) -> None:
    """An unreadable input is not even looked at when the output cannot be written."""
    broken = tmp_path / "broken.pdf"
    broken.write_bytes(b"%PDF-1.7 not really")
    target = _unwritable_paths(tmp_path)["parent-is-a-file"]
    result = runner.invoke(main, ["check", str(broken), "-o", str(target)])
    assert result.exit_code == 5
    assert "broken.pdf" not in result.output


def test_output_full_disk_is_reported_and_leaves_no_temporary(tmp_path: Path, monkeypatch) -> None:
    def full(*_args: object) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "replace", full)
    with pytest.raises(OutputError, match="no space left"):
        write_atomically(tmp_path / "report.txt", "content")
    assert list(tmp_path.iterdir()) == []


def test_output_writes_through_a_symlink_and_keeps_it(runner, tmp_path: Path) -> None:
    real = tmp_path / "shared" / "report.json"
    real.parent.mkdir()
    real.write_text("old", encoding="utf-8")
    link = tmp_path / "report.json"
    link.symlink_to(real)
    result = runner.invoke(main, ["check", str(SAMPLE), "-f", "json", "-o", str(link)])
    assert result.exit_code == 0, result.output
    assert link.is_symlink() and Path(os.readlink(link)) == real
    assert json.loads(real.read_text(encoding="utf-8"))["document"]["name"] == SAMPLE.name


def test_output_dangling_symlink_creates_its_target(tmp_path: Path) -> None:
    real = tmp_path / "made-later.txt"
    link = tmp_path / "link.txt"
    link.symlink_to(real)
    write_atomically(link, "hello")
    assert link.is_symlink() and real.read_text(encoding="utf-8") == "hello"
