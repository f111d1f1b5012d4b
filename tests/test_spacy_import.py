"""analyser.spacy_import: spaCy without its command line, and never a placeholder left behind.

Each case runs in a fresh interpreter: the point is what the first ``import spacy`` of a
process leaves in ``sys.modules``.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

import pytest

_REPORT = """
import json, sys
report = {
    "cli_loaded": "spacy.cli" in sys.modules,
    "typer_loaded": "typer" in sys.modules,
    "placeholder_left": any(
        (getattr(m, "__doc__", "") or "").startswith("placeholder while spaCy loads")
        for m in list(sys.modules.values()) if m is not None
    ),
    "tokens": [t.text for t in spacy.blank("en")("The Parties shall cooperate.")],
}
"""


def _run(code: str, env: dict[str, str] | None = None) -> dict:
    import os

    inherited = {k: v for k, v in os.environ.items() if k != "ANALYSER_FULL_SPACY_IMPORT"}
    full_env = {**inherited, **(env or {})}
    proc = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        capture_output=True,
        text=True,
        env=full_env,
        check=True,
    )
    return json.loads(proc.stdout.strip().splitlines()[-1])


def test_spacy_import_leaves_out_the_command_line() -> None:
    code = (
        "from analyser.spacy_import import import_spacy_without_cli\n"
        "spacy = import_spacy_without_cli()\n" + _REPORT + "print(json.dumps(report))\n"
    )
    report = _run(code)
    assert report == {
        "cli_loaded": False,
        "typer_loaded": False,
        "placeholder_left": False,
        "tokens": ["The", "Parties", "shall", "cooperate", "."],
    }


def test_spacy_import_real_cli_importable_afterwards() -> None:
    """Later code that wants spaCy's command line gets the real one, and spacy.info works."""
    code = """
    import json, sys
    from analyser.spacy_import import import_spacy_without_cli
    spacy = import_spacy_without_cli()
    from spacy.cli import download
    import spacy.cli.info
    info = spacy.info(markdown=False, silent=True)
    print(json.dumps({
        "download": callable(download),
        "real_info": sys.modules["spacy.cli.info"].__file__.endswith("info.py"),
        "version": info["spacy_version"] == spacy.__version__,
    }))
    """
    assert _run(code) == {"download": True, "real_info": True, "version": True}


_FAIL_ONCE = """
import importlib.abc, sys
class FailOnce(importlib.abc.MetaPathFinder):
    # Stands for a spaCy version whose loading trips over the placeholders: the first
    # import of {name} fails, later ones succeed.
    failed = False
    def find_spec(self, fullname, path=None, target=None):
        if fullname == "{name}" and not FailOnce.failed:
            FailOnce.failed = True
            raise ImportError("simulated")
        return None
sys.meta_path.insert(0, FailOnce())
"""


@pytest.mark.parametrize("name", ["spacy.glossary", "spacy.registrations"], ids=["early", "late"])
def test_spacy_import_falls_back_to_the_normal_import(name: str) -> None:
    code = (
        _FAIL_ONCE.replace("{name}", name)
        + "from analyser.spacy_import import import_spacy_without_cli\n"
        "spacy = import_spacy_without_cli()\n"
        + _REPORT
        + "report['failed_once'] = FailOnce.failed\nprint(json.dumps(report))\n"
    )
    report = _run(code)
    assert report["failed_once"] is True
    assert report["placeholder_left"] is False
    assert report["cli_loaded"] is True  # the ordinary import ran, with spaCy's command line
    assert report["tokens"] == ["The", "Parties", "shall", "cooperate", "."]


@pytest.mark.parametrize(
    "setup",
    ["import spacy", "import os; os.environ['ANALYSER_FULL_SPACY_IMPORT'] = '1'"],
    ids=["already-imported", "opted-out"],
)
def test_spacy_import_ordinary_when_already_loaded_or_asked(setup: str) -> None:
    code = (
        setup + "\nfrom analyser.spacy_import import import_spacy_without_cli\n"
        "spacy = import_spacy_without_cli()\n" + _REPORT + "print(json.dumps(report))\n"
    )
    report = _run(code)
    assert report["cli_loaded"] is True
    assert report["placeholder_left"] is False


def test_spacy_import_check_command_gives_the_same_report(tmp_path) -> None:  # noqa: ANN001
    """`analyser check` (which uses it) prints the same report as with the ordinary import."""
    import os
    from pathlib import Path

    sample = Path(__file__).resolve().parents[1] / "samples" / "mou-fjordvik-kilimani.pdf"
    outputs = []
    for extra in ({}, {"ANALYSER_FULL_SPACY_IMPORT": "1"}):
        env = {k: v for k, v in os.environ.items() if k != "ANALYSER_FULL_SPACY_IMPORT"}
        proc = subprocess.run(
            [sys.executable, "-m", "analyser", "check", "-f", "json", str(sample)],
            capture_output=True,
            text=True,
            env={**env, **extra},
            cwd=tmp_path,
            check=False,
        )
        assert proc.returncode == 0, proc.stderr
        report = json.loads(proc.stdout)
        report.pop("generated_at", None)
        outputs.append(report)
    assert outputs[0] == outputs[1]
