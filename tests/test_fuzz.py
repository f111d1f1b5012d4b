"""A bounded, seeded fuzz run in CI: mutated samples never break the extraction contract.

The property and the mutations live in ``fuzz/fuzz_extract.py``, which runs longer on demand.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

FUZZ_SCRIPT = Path(__file__).resolve().parents[1] / "fuzz" / "fuzz_extract.py"
INPUTS = 300


def _load() -> ModuleType:
    spec = importlib.util.spec_from_file_location("fuzz_extract", FUZZ_SCRIPT)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("fuzz_extract", module)
    spec.loader.exec_module(module)
    return module


@pytest.mark.slow
def test_fixed_seed_fuzz_run_finds_no_crash(capsys: pytest.CaptureFixture[str]) -> None:
    fuzz = _load()
    tally = fuzz.run(INPUTS, random_seed=20250601)
    with capsys.disabled():
        print(
            f"\nfuzz: {tally.tried} inputs tried, {tally.documents} extracted, "
            f"{sum(tally.errors.values())} clear errors, {len(tally.crashes)} crashes"
        )
    assert tally.tried == INPUTS
    assert tally.crashes == []
    # The mutations must reach both outcomes, or the run tests nothing.
    assert tally.documents > 0 and sum(tally.errors.values()) > 0


def test_mutations_are_deterministic_and_change_the_input() -> None:
    fuzz = _load()
    corpus = fuzz.seeds()
    case = (0, 1, False, [(0, 0.5, 255, 8)])
    name, first = fuzz.make_input(corpus, case)
    assert fuzz.make_input(corpus, case) == (name, first)
    assert first != corpus[0][1] and len(first) == len(corpus[0][1])
