"""Shared fixtures: one CLI runner, the repository's paths, and the shared corpus."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

REPO = Path(__file__).resolve().parents[1]
SAMPLES = REPO / "samples"
SHARED = REPO.parent / "shared"


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


@pytest.fixture(scope="session")
def report_schema() -> dict:
    import json

    path = SHARED / "report-schema.json"
    if not path.exists():
        pytest.skip(f"shared report schema not found at {path}")
    return json.loads(path.read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def analyser_default():
    """One analyser for the whole run: the matchers and model load once."""
    from analyser.pipeline import Analyser

    return Analyser.for_profile(None)
