"""Hypothesis-driven fuzzing of the extractors (isolated, as the pipeline runs them).

Inputs are mutations of the shipped samples (``samples/*.pdf|docx|txt``) and of a few hostile
kinds: byte flips, truncations, inserted or deleted runs, spliced pieces of another sample, and
for DOCX also mutations of ``word/document.xml`` inside an otherwise valid archive (plain byte
flips of a ZIP mostly just fail the CRC check). Every input must give a Document or an
``UnreadableDocument`` with a one-line reason; anything else -- another exception, a multi-line
message -- is a crash. Native crashes and timeouts of the isolated parser are clear errors
(``ParserCrashed``/``ParserTimeout``) but are counted separately, because they deserve a look.

    python fuzz/fuzz_extract.py --inputs 10000        # prints inputs tried / crashes

``tests/test_fuzz.py`` runs the same property for a fixed seed and number of inputs in CI.
"""

from __future__ import annotations

import argparse
import io
import sys
import time
import zipfile
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from hypothesis import HealthCheck, given, seed, settings
from hypothesis import strategies as st

from analyser.errors import ParserFailure, UnreadableDocument
from analyser.isolation import extract_isolated_bytes
from analyser.limits import Limits

REPO = Path(__file__).resolve().parents[1]
SAMPLES = REPO / "samples"
LIMITS = Limits(max_seconds=20.0, max_memory_bytes=768 * 1024 * 1024)
_SUFFIXES = (".pdf", ".docx", ".txt")


def seeds() -> list[tuple[str, bytes]]:
    """The corpus: every sample file, smallest first (cheaper inputs shrink better)."""
    files = sorted(
        (p for p in SAMPLES.iterdir() if p.suffix in _SUFFIXES), key=lambda p: p.stat().st_size
    )
    return [(p.name, p.read_bytes()) for p in files]


@dataclass
class Tally:
    """Outcomes of a run; ``crashes`` are the inputs that broke the contract."""

    tried: int = 0
    documents: int = 0
    errors: Counter[str] = field(default_factory=Counter)
    parser_failures: list[str] = field(default_factory=list)
    crashes: list[str] = field(default_factory=list)


def _mutate_bytes(data: bytes, ops: list[tuple[int, float, int, int]], donor: bytes) -> bytes:
    out = bytearray(data)
    for kind, where, value, length in ops:
        at = int(where * len(out)) if out else 0
        if kind == 0:  # flip bytes
            for i in range(at, min(at + length, len(out))):
                out[i] ^= value or 1
        elif kind == 1:  # truncate
            del out[at:]
        elif kind == 2:  # insert a run
            out[at:at] = bytes([value]) * length
        elif kind == 3:  # delete a run
            del out[at : at + length]
        elif kind == 4:  # splice a piece of another sample
            start = int(where * len(donor))
            out[at:at] = donor[start : start + length * 16]
        else:  # duplicate a stretch (repeated objects, repeated XML)
            out[at:at] = out[at : at + length * 8]
    return bytes(out)


def _mutate_docx_xml(data: bytes, ops: list[tuple[int, float, int, int]], donor: bytes) -> bytes:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        members = {name: archive.read(name) for name in archive.namelist()}
    members["word/document.xml"] = _mutate_bytes(members["word/document.xml"], ops, donor)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return buffer.getvalue()


_OP = st.tuples(
    st.integers(0, 5), st.floats(0, 1, allow_nan=False), st.integers(0, 255), st.integers(1, 64)
)
CASES = st.tuples(
    st.integers(0, 10_000),  # which seed (modulo the corpus size)
    st.integers(0, 10_000),  # which donor
    st.booleans(),  # DOCX: mutate the XML inside rather than the archive bytes
    st.lists(_OP, min_size=1, max_size=6),
)


def make_input(corpus: list[tuple[str, bytes]], case: tuple) -> tuple[str, bytes]:  # type: ignore[type-arg]
    which, donor_index, inside, ops = case
    name, data = corpus[which % len(corpus)]
    donor = corpus[donor_index % len(corpus)][1]
    if inside and name.endswith(".docx"):
        return name, _mutate_docx_xml(data, ops, donor)
    return name, _mutate_bytes(data, ops, donor)


def check_one(name: str, data: bytes, tally: Tally) -> None:
    """Extract one input and record the outcome; never raises for a contract breach."""
    tally.tried += 1
    try:
        document = extract_isolated_bytes(data, name, LIMITS)
    except ParserFailure as e:
        tally.parser_failures.append(f"{name}: {e.reason}")
        tally.errors[type(e).__name__] += 1
    except UnreadableDocument as e:
        tally.errors[type(e).__name__] += 1
        if "\n" in str(e) or not e.reason:
            tally.crashes.append(f"{name}: multi-line or empty reason {str(e)[:200]!r}")
    except Exception as e:  # noqa: BLE001 - exactly what the fuzzer looks for
        tally.crashes.append(f"{name}: {type(e).__name__}: {str(e)[:200]}")
    else:
        tally.documents += 1
        if not isinstance(document.text, str) or any(
            b.text != document.text[b.start : b.end] for b in document.blocks
        ):
            tally.crashes.append(f"{name}: blocks do not index the text")


def run(inputs: int, random_seed: int = 20250601) -> Tally:
    corpus = seeds()
    tally = Tally()

    @seed(random_seed)
    @settings(
        max_examples=inputs, deadline=None, database=None, derandomize=False,
        suppress_health_check=list(HealthCheck), phases=["generate"],
    )  # fmt: skip
    @given(CASES)
    def property_(case: tuple) -> None:  # type: ignore[type-arg]
        check_one(*make_input(corpus, case), tally)

    property_()
    return tally


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--inputs", type=int, default=1000, help="number of inputs to try")
    parser.add_argument("--seed", type=int, default=20250601)
    args = parser.parse_args(argv)
    started = time.perf_counter()
    tally = run(args.inputs, args.seed)
    elapsed = time.perf_counter() - started
    print(f"inputs tried: {tally.tried}")
    print(f"documents extracted: {tally.documents}")
    print("clear errors: " + ", ".join(f"{k} {v}" for k, v in tally.errors.most_common()))
    print(f"parser crashes/timeouts (isolated, reported clearly): {len(tally.parser_failures)}")
    for line in tally.parser_failures[:10]:
        print(f"  {line}")
    print(f"crashes: {len(tally.crashes)}")
    for line in tally.crashes[:20]:
        print(f"  {line}")
    print(f"time: {elapsed:.1f} s ({1000 * elapsed / max(tally.tried, 1):.1f} ms per input)")
    return 1 if tally.crashes else 0


if __name__ == "__main__":
    sys.exit(main())
