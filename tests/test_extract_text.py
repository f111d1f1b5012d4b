"""Text/Markdown extraction: encodings, line endings, paragraphs and headings."""

from __future__ import annotations

import codecs
import random

import pytest

from analyser.document import Document
from analyser.errors import CorruptDocument, UnreadableDocument
from analyser.extract import extract_bytes
from analyser.extract.text import decode_text

SAMPLE = "Avtale om forskningssamarbeid – Æøå «§ 4» “quoted” €\n\n1. Formål\nTekst her."


@pytest.mark.parametrize(
    ("data", "encoding"),
    [
        (SAMPLE.encode("utf-8"), "utf-8"),
        (codecs.BOM_UTF8 + SAMPLE.encode("utf-8"), "utf-8"),
        (SAMPLE.encode("utf-16"), "utf-16-le"),  # Python writes a LE BOM on little-endian hosts
        (codecs.BOM_UTF16_BE + SAMPLE.encode("utf-16-be"), "utf-16-be"),
        (SAMPLE.encode("utf-16-le"), "utf-16-le"),
        (SAMPLE.encode("utf-16-be"), "utf-16-be"),
        (codecs.BOM_UTF32_LE + SAMPLE.encode("utf-32-le"), "utf-32-le"),
        (codecs.BOM_UTF32_BE + SAMPLE.encode("utf-32-be"), "utf-32-be"),
        (SAMPLE.encode("cp1252"), "cp1252"),
    ],
    ids=[
        "utf8", "utf8-bom", "utf16-bom", "utf16be-bom", "utf16le-nobom", "utf16be-nobom",
        "utf32le-bom", "utf32be-bom", "cp1252",
    ],
)  # fmt: skip
def test_encodings_are_detected(data: bytes, encoding: str) -> None:
    text, detected = decode_text(data)
    assert (text, detected) == (SAMPLE, encoding)


def test_bytes_undefined_in_cp1252_fall_back_to_latin1() -> None:
    text, encoding = decode_text("Æøå ".encode("latin-1") + b"\x81\x8d")
    assert encoding == "latin-1"
    assert text.startswith("Æøå")


@pytest.mark.parametrize("newline", ["\n", "\r\n", "\r"], ids=["lf", "crlf", "cr"])
def test_line_endings_are_normalised(newline: str) -> None:
    raw = newline.join(["First paragraph line one", "line two.", "", "Second paragraph."])
    doc = extract_bytes(raw.encode(), "a.txt")
    assert [b.text for b in doc.blocks] == [
        "First paragraph line one line two.",
        "Second paragraph.",
    ]
    assert "\r" not in doc.text


def _doc(text: str) -> Document:
    return extract_bytes(text.encode("utf-8"), "agreement.md")


def test_markdown_headings_and_clause_lines() -> None:
    doc = _doc(
        "# Research Cooperation Agreement\n"
        "Preamble text that is\nwrapped over lines.\n"
        "## 2 Confidentiality ##\n"
        "1. The Parties shall keep information confidential.\n"
        "2. This clause survives termination.\n"
        "(a) first sub-item;\n"
        "(b) second sub-item.\n"
        "- a bullet\n"
    )
    got = [(b.kind, b.level, b.text) for b in doc.blocks]
    assert got == [
        ("heading", 1, "Research Cooperation Agreement"),
        ("paragraph", None, "Preamble text that is wrapped over lines."),
        ("heading", 2, "2 Confidentiality"),
        ("paragraph", None, "1. The Parties shall keep information confidential."),
        ("paragraph", None, "2. This clause survives termination."),
        ("paragraph", None, "(a) first sub-item;"),
        ("paragraph", None, "(b) second sub-item."),
        ("list_item", None, "- a bullet"),
    ]
    assert doc.pages is None and doc.format == "txt"
    for block in doc.blocks:
        assert doc.text[block.start : block.end] == block.text


def test_wrapped_reference_to_an_article_does_not_start_a_block() -> None:
    wrapped = (
        "The Parties shall comply with all export-control rules, in particular with\n"
        "Article 5 of the Regulation and all sanctions adopted by the Council of the\n"
        "European Union.\n"
        "Article 6 Governing law\n"
    )
    assert [b.text[:10] for b in _doc(wrapped).blocks] == ["The Partie", "Article 6 "]


@pytest.mark.parametrize(
    "data",
    [
        bytes(range(256)) * 4,
        b"\x00\x01\x02\x03" * 100,
        b"GIF-like\x00\x00\x00\x10 header then noise",
    ],
    ids=["all-bytes", "nul-heavy", "embedded-nuls"],
)
def test_binary_is_refused(data: bytes) -> None:
    with pytest.raises(CorruptDocument, match="binary file, not text"):
        extract_bytes(data, "noise.txt")


@pytest.mark.parametrize("seed", range(20), ids=lambda s: f"seed{s}")
def test_random_bytes_never_crash(seed: int) -> None:
    rng = random.Random(seed)
    data = bytes(rng.randrange(256) for _ in range(rng.randrange(1, 2000)))
    try:
        doc = extract_bytes(data, "random.txt")
    except UnreadableDocument:  # refused with a reason: fine, as long as nothing else escapes
        return
    for block in doc.blocks:
        assert doc.text[block.start : block.end] == block.text


def test_form_feed_separates_paragraphs() -> None:
    assert [b.text for b in _doc("Page one text.\fPage two text.").blocks] == [
        "Page one text.",
        "Page two text.",
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Confidential Information\nWhen used in this Agreement, the term means any data.\n",
            [("heading", "Confidential Information"), ("paragraph", "When used in")],
        ),
        (
            "DEFINITIONS\nIn these Terms the following words have the meanings below.\n",
            [("heading", "DEFINITIONS"), ("paragraph", "In these Te")],
        ),
        (
            "The Parties shall exchange staff and students under the terms set out in\n"
            "Article 4 and in the annual work plan agreed by the steering committee.\n"
            "Each Party bears its own costs of travel and subsistence for its staff.\n",
            [("paragraph", "The Parties")],
        ),
        (
            "Signed for the University of\nNordhavn by its Rector.\n",
            [("paragraph", "Signed for")],
        ),
    ],
    ids=["title-case", "capitals", "hard-wrapped-paragraph", "ends-on-of"],
)
def test_title_line_above_its_paragraph_is_its_own_heading(text: str, expected: list) -> None:
    blocks = _doc(text).blocks
    assert len(blocks) == len(expected)
    got = [(b.kind, b.text[: len(p)]) for b, (_, p) in zip(blocks, expected, strict=True)]
    assert got == expected
