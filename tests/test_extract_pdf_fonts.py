"""Fonts whose ToUnicode map lies about their glyphs are found (analyser/extract/pdf_fonts.py),
and honest PDFs made by real tools raise no alarm."""

from __future__ import annotations

import io
from pathlib import Path

import pikepdf
import pytest
from pdf_fixtures import (
    LYING_FONT_WAYS,
    _to_unicode_cmap,
    build_lying_to_unicode_pdf,
    build_visible_draft,
)
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen import canvas

from analyser.extract.pdf_fonts import audit_fonts, lying_fonts, mark_lying_fonts
from tests.conftest import SAMPLES

CHROMIUM = Path("/usr/bin/chromium")
needs_chromium = pytest.mark.skipif(
    not CHROMIUM.exists(), reason=f"{CHROMIUM} not installed - Chromium-made PDF not built"
)
LIAR = {
    "simple_font": "Helvetica-Oblique",
    "cid_truetype": "DejaVuSerif",
    "truetype_copy": "DejaVuSerif",
}


@pytest.mark.parametrize(
    "way",
    [
        pytest.param(way, marks=needs_chromium if way == "cid_truetype" else [])
        for way in LYING_FONT_WAYS
    ],
    ids=LYING_FONT_WAYS,
)
def test_pdf_fonts_edited_to_unicode_map_is_found(way: str, tmp_path: Path) -> None:
    found = lying_fonts(build_lying_to_unicode_pdf(tmp_path / "lie.pdf", way).read_bytes())
    assert len(found) == 1
    assert LIAR[way] in next(iter(found))


@pytest.mark.parametrize("path", sorted(SAMPLES.glob("*.pdf")), ids=lambda p: p.name)
def test_pdf_fonts_reportlab_and_libreoffice_samples_raise_no_alarm(path: Path) -> None:
    assert lying_fonts(path.read_bytes()) == frozenset()


@needs_chromium
def test_pdf_fonts_chromium_draft_with_its_own_map_raises_no_alarm(tmp_path: Path) -> None:
    from pdf_fixtures import _chromium_draft_pdf

    assert lying_fonts(_chromium_draft_pdf(tmp_path)) == frozenset()


def test_pdf_fonts_edited_copy_of_the_body_font_is_found_by_its_outlines(tmp_path: Path) -> None:
    """A letter-for-letter lie in a copy of the body font (reportlab's TrueType subset has no
    second reading of its own): the same outlines read as other letters in the two fonts.
    Which map lies cannot be told, so both fonts are distrusted."""
    path = build_lying_to_unicode_pdf(tmp_path / "cipher.pdf", "truetype_copy", cipher=True)
    audit = audit_fonts(path.read_bytes())
    assert audit.checked == 0
    assert audit.outlines == 2
    assert len(audit.lying_objects) == 2


def test_pdf_fonts_glyph_for_a_sentence_is_a_lie_in_any_font(tmp_path: Path) -> None:
    """No second reading needed: one glyph that reads as half a sentence is no ligature; the
    body font it was copied from is then not distrusted."""
    path = build_lying_to_unicode_pdf(tmp_path / "copy.pdf", "truetype_copy")
    audit = audit_fonts(path.read_bytes())
    assert len(audit.lying_objects) == 1


def test_pdf_fonts_lying_fonts_are_renamed_in_the_copy_that_is_read(tmp_path: Path) -> None:
    """The edited copy keeps the body font's name; only the lying dictionary is renamed, by an
    incremental update appended to the bytes."""
    path = build_lying_to_unicode_pdf(tmp_path / "copy.pdf", "truetype_copy")
    data = path.read_bytes()
    marked, names = mark_lying_fonts(data, audit_fonts(data))
    assert marked.startswith(data) and len(marked) > len(data)
    assert names == frozenset({"LiarFont0-AAAAAA-DejaVuSerif"})


def test_pdf_fonts_font_without_to_unicode_is_not_judged(tmp_path: Path) -> None:
    assert lying_fonts(build_visible_draft(tmp_path / "draft.pdf").read_bytes()) == frozenset()


def _helvetica_with(differences: list[object] | None, to_unicode: dict[int, str]) -> bytes:
    """A reportlab page in Helvetica whose font dictionary gets, by pikepdf, an /Encoding with
    the given /Differences (over WinAnsiEncoding) and a ToUnicode map."""
    c = canvas.Canvas(io.BytesIO(), pagesize=A4)
    c.setFont("Helvetica", 12)
    c.drawString(60, 780, "ABC abc")
    c.showPage()
    c.save()
    out = io.BytesIO()
    with pikepdf.open(io.BytesIO(c.getpdfdata())) as pdf:
        for font in pdf.pages[0].Resources.Font.values():
            if differences is not None:
                font.Encoding = pikepdf.Dictionary(
                    BaseEncoding=pikepdf.Name.WinAnsiEncoding,
                    Differences=pikepdf.Array(
                        [d if isinstance(d, int) else pikepdf.Name("/" + d) for d in differences]
                    ),
                )
            font.ToUnicode = pdf.make_stream(_to_unicode_cmap(to_unicode, 1))
        pdf.save(out)
    return out.getvalue()


@pytest.mark.parametrize(
    ("differences", "to_unicode", "lies"),
    [
        (None, {0x41: "A", 0x42: "B", 0x61: "a"}, False),
        (None, {0x41: "a"}, False),  # case aside
        (None, {0x41: "X"}, True),
        (None, {0x2E: "academic freedom"}, True),  # a full stop that reads as words
        (None, {0x61: " "}, True),  # a letter that reads as nothing
        (None, {0x41: "\x00"}, False),  # no mapping at all
        ([0x41, "B"], {0x41: "B"}, False),  # /Differences renames the glyph
        ([0x41, "B"], {0x41: "A"}, True),
        ([0x41, "f_i"], {0x41: "fi"}, False),  # a ligature name, by the AGL rules
        ([0x41, "uni00E6"], {0x41: "æ"}, False),
        ([0x41, "g123"], {0x41: "X"}, False),  # a name that does not decode is not judged
    ],
    ids=[
        "honest", "case", "other-letter", "stop-as-words", "letter-as-space", "null",
        "differences-honest", "differences-lie", "ligature", "uni-name", "unknown-name",
    ],
)  # fmt: skip
def test_pdf_fonts_glyph_names_against_to_unicode(
    differences: list[object] | None, to_unicode: dict[int, str], lies: bool
) -> None:
    found = lying_fonts(_helvetica_with(differences, to_unicode))
    assert found == (frozenset({"Helvetica"}) if lies else frozenset())


def test_pdf_fonts_unparsable_pdf_gives_no_names() -> None:
    assert lying_fonts(b"%PDF-1.7\n garbage without objects") == frozenset()


def test_pdf_fonts_to_unicode_key_written_with_name_escapes_is_still_read() -> None:
    """``/T#6FUnicode`` is ``/ToUnicode`` (ISO 32000-1 § 7.3.5): the byte pre-check that
    spares files without ToUnicode maps must not be fooled by it."""
    data = _helvetica_with(None, {0x41: "X"})
    escaped = data.replace(b"/ToUnicode", b"/T#6FUnicode")
    assert b"/ToUnicode" not in escaped
    assert lying_fonts(escaped) == frozenset({"Helvetica"})


def _maps_in(data: bytes) -> list[bytes]:
    with pikepdf.open(io.BytesIO(data)) as pdf:
        return [
            obj.ToUnicode.read_bytes()
            for obj in pdf.objects
            if isinstance(obj, pikepdf.Dictionary) and "/ToUnicode" in obj
        ]


@pytest.mark.parametrize(
    "source",
    [
        pytest.param("samples", id="reportlab-and-libreoffice-samples"),
        pytest.param("chromium", id="chromium-bfrange", marks=needs_chromium),
    ],
)
def test_pdf_fonts_to_unicode_maps_read_as_pdfminer_reads_them(source: str, tmp_path: Path) -> None:
    """The regular-expression reader gives what pdfminer's PostScript parser gives, on maps
    written by reportlab, LibreOffice and Chromium (which writes bfrange sections)."""
    from pdf_fixtures import _chromium_draft_pdf, _read_to_unicode

    from analyser.extract.pdf_fonts import _to_unicode

    files = (
        [p.read_bytes() for p in sorted(SAMPLES.glob("*.pdf"))]
        if source == "samples"
        else [_chromium_draft_pdf(tmp_path)]
    )
    maps = [cmap for data in files for cmap in _maps_in(data)]
    assert maps
    for cmap in maps:
        stream = type("Stream", (), {"get_data": lambda self, cmap=cmap: cmap})()
        assert _to_unicode(stream) == _read_to_unicode(cmap)
