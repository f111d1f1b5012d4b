"""The second hostile suite: drafts made by a partner who wants a clean report.

``tests/hostile_inputs.py`` holds broken and oversized files that must get a clear error.
This module holds *adversarial* ones (issue 13): files that a reader sees one way and a naive
extractor reads another, text crafted to slip past the rules, containers with two readings,
a document that stalls the analysis after parsing. Each :class:`Attack` builds its file with a
real tool (reportlab, pikepdf, python-docx, LibreOffice where the fixture modules use it) and
says what the real CLI must answer, checked on ``analyser check --format json`` by
``tests/test_adversarial.py``, which prints how many kinds were tried.

``python tests/adversarial_inputs.py DIR`` writes every file to DIR for manual runs.
"""

from __future__ import annotations

import io
import sys
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:  # run as a script
    sys.path.insert(0, str(REPO))

from tests import docx_fixtures, engine_fixtures, pdf_fixtures  # noqa: E402

SAMPLE_DOCX = REPO / "samples" / "dsa-hordafjord-lakeshore.docx"
SAMPLE_PDF = REPO / "samples" / "mou-fjordvik-kilimani.pdf"

Answer = dict[str, Any]  # {"exit": int, "report": dict | None, "stderr": str, "seconds": float}


@dataclass(frozen=True)
class Attack:
    """One way to make the report lie or the analysis stall, and the answer it must get."""

    id: str
    filename: str
    build: Callable[[Path], Path]  # writes the file at the given path, returns it
    check: Callable[[Answer], str | None]  # None when the answer is right, else what is wrong
    max_seconds: float | None = None  # run with --max-seconds; must finish within it + 5 s


# --- what the answer must be ---------------------------------------------------------------


def _status(answer: Answer, clause: str) -> str | None:
    report = answer.get("report") or {}
    for c in report.get("clauses", []):
        if c["id"] == clause:
            return str(c["status"])
    return None


def hidden_clause_not_present(clause: str) -> Callable[[Answer], str | None]:
    """The hidden article never makes its clause present, and the report says text was hidden."""

    def check(answer: Answer) -> str | None:
        if answer["exit"] != 0:
            return f"exit {answer['exit']}: {answer['stderr'].strip()}"
        if _status(answer, clause) == "present":
            return f"{clause} reported present from hidden text"
        report = answer["report"]
        if not report["document"].get("hidden_text"):
            return "document.hidden_text is 0"
        if not any("hidden" in w.lower() for w in report.get("warnings", [])):
            return "no warning about hidden text"
        return None

    return check


def red_flag(flag_id: str) -> Callable[[Answer], str | None]:
    def check(answer: Answer) -> str | None:
        if answer["exit"] != 0:
            return f"exit {answer['exit']}: {answer['stderr'].strip()}"
        flags = {f["id"] for f in answer["report"].get("red_flags", [])}
        return None if flag_id in flags else f"red flag {flag_id} missing (got {sorted(flags)})"

    return check


def at_most_partial(clause: str) -> Callable[[Answer], str | None]:
    def check(answer: Answer) -> str | None:
        if answer["exit"] != 0:
            return f"exit {answer['exit']}: {answer['stderr'].strip()}"
        status = _status(answer, clause)
        return None if status in ("partial", "missing") else f"{clause} is {status}"

    return check


def refused(phrase: str) -> Callable[[Answer], str | None]:
    """Exit 3 with one line on standard error that names the reason."""

    def check(answer: Answer) -> str | None:
        lines = [line for line in answer["stderr"].splitlines() if line.strip()]
        if answer["exit"] != 3:
            return f"exit {answer['exit']}, expected 3"
        if len(lines) != 1 or phrase.lower() not in lines[0].lower():
            return f"expected one line with {phrase!r}, got {lines!r}"
        return None

    return check


def warned(phrase: str) -> Callable[[Answer], str | None]:
    def check(answer: Answer) -> str | None:
        if answer["exit"] not in (0, 3):
            return f"exit {answer['exit']}"
        warnings = (answer.get("report") or {}).get("warnings", [])
        text = " ".join(warnings) + " " + answer["stderr"]
        return None if phrase.lower() in text.lower() else f"no warning with {phrase!r}"

    return check


def read_with_text(answer: Answer) -> str | None:
    if answer["exit"] != 0:
        return f"exit {answer['exit']}: {answer['stderr'].strip()}"
    return None if answer["report"]["document"]["characters"] > 200 else "almost no text read"


# --- builders --------------------------------------------------------------------------------


def _pdf_hidden(way: str) -> Callable[[Path], Path]:
    return lambda path: pdf_fixtures.build_hidden_article_pdf(path, way)


def _pdf_lying_font(way: str) -> Callable[[Path], Path]:
    return lambda path: pdf_fixtures.build_lying_to_unicode_pdf(path, way)


def _docx_hidden(way: str) -> Callable[[Path], Path]:
    return lambda path: docx_fixtures.build_hidden_article_docx(path, way)


APPROVAL = (
    "Article 7 Publication\n\n"
    "Each Party may publish the results of the Project, provided that any publication shall "
    "require the prior written {word} of the other Party.\n"
)


def _approval_text(word: str) -> Callable[[Path], Path]:
    """The HIGH red flag's sentence, with 'approval' disguised in ``word``, as a DOCX."""

    def build(path: Path) -> Path:
        from docx import Document

        doc = Document()
        for paragraph in APPROVAL.format(word=word).split("\n\n"):
            doc.add_paragraph(paragraph.strip())
        doc.save(str(path))
        return path

    return build


def _heading_only(path: Path) -> Path:
    from docx import Document

    doc = Document()
    doc.add_heading("Article 12 – Data", level=2)
    doc.add_paragraph("The Parties shall share research data under the FAIR principles.")
    doc.add_heading("Article 13 – Academic freedom [intentionally left blank]", level=2)
    doc.add_heading("Article 14 – Termination", level=2)
    doc.add_paragraph("Either Party may terminate this Agreement on six months' written notice.")
    doc.save(str(path))
    return path


def _polyglot_docx_with_pdf_first(path: Path) -> Path:
    """A valid DOCX whose first ZIP member is a complete PDF (sniffers see %PDF first)."""
    buffer = io.BytesIO()
    with (
        zipfile.ZipFile(SAMPLE_DOCX) as source,
        zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as target,
    ):
        target.writestr("aaa.pdf", SAMPLE_PDF.read_bytes())
        for info in source.infolist():
            target.writestr(info, source.read(info.filename))
    path.write_bytes(buffer.getvalue())
    return path


def _duplicate_document_xml(path: Path) -> Path:
    """Two ``word/document.xml`` members: which one a reader shows depends on the reader."""
    buffer = io.BytesIO()
    with (
        zipfile.ZipFile(SAMPLE_DOCX) as source,
        zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for info in source.infolist():
            target.writestr(info, source.read(info.filename))
        body = source.read("word/document.xml")
        import warnings

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # zipfile warns about the duplicate name
            target.writestr("word/document.xml", body)
    path.write_bytes(buffer.getvalue())
    return path


def _attachment_pdf(path: Path) -> Path:
    return pdf_fixtures.build_attachment_pdf(path, SAMPLE_PDF, cover_text=True)


def _attachment_only_pdf(path: Path) -> Path:
    return pdf_fixtures.build_attachment_pdf(path, SAMPLE_PDF, cover_text=False)


def _xfa_pdf(path: Path) -> Path:
    return pdf_fixtures.build_xfa_pdf(path, dynamic=True)


def _shared_stream_pdf(path: Path) -> Path:
    return engine_fixtures.build_shared_stream_pdf(path, pages=999)


ATTACKS: tuple[Attack, ...] = (
    *(
        Attack(
            f"pdf-{way}",
            f"hidden-{way}.pdf",
            _pdf_hidden(way),
            hidden_clause_not_present("academic_freedom"),
        )
        for way in pdf_fixtures.HIDDEN_WAYS
    ),
    Attack(
        "pdf-actual-text-lies",
        "actual-text.pdf",
        pdf_fixtures.build_actual_text_pdf,
        hidden_clause_not_present("academic_freedom"),
    ),
    *(
        Attack(
            f"pdf-to-unicode-lies-{way}",
            f"lying-{way}.pdf",
            _pdf_lying_font(way),
            hidden_clause_not_present("academic_freedom"),
        )
        for way in pdf_fixtures.LYING_FONT_WAYS
    ),
    Attack(
        "pdf-to-unicode-letter-for-letter-in-a-font-copy",
        "cipher.pdf",
        lambda path: pdf_fixtures.build_lying_to_unicode_pdf(path, "truetype_copy", cipher=True),
        refused("says something other than the glyphs show"),
    ),
    *(
        Attack(
            f"docx-{way}",
            f"hidden-{way}.docx",
            _docx_hidden(way),
            hidden_clause_not_present("academic_freedom"),
        )
        for way, reason in docx_fixtures.HIDDEN_WAYS.items()
        if reason is not None
    ),
    Attack(
        "zero-width-space",
        "zwsp.docx",
        _approval_text("appr\u200boval"),
        red_flag("publication_approval"),
    ),
    Attack(
        "soft-hyphen",
        "shy.docx",
        _approval_text("appro\u00adval"),
        red_flag("publication_approval"),
    ),
    Attack(
        "cyrillic-homoglyph",
        "homoglyph.docx",
        _approval_text("\u0430pprov\u0430l"),
        red_flag("publication_approval"),
    ),
    Attack("heading-left-blank", "blank.docx", _heading_only, at_most_partial("academic_freedom")),
    Attack(
        "polyglot-docx-pdf", "polyglot.docx", _polyglot_docx_with_pdf_first, refused("polyglot")
    ),
    Attack("duplicate-members", "twice.docx", _duplicate_document_xml, refused("two members")),
    Attack("pdf-attachment-beside-text", "attached.pdf", _attachment_pdf, warned("attached")),
    Attack(
        "pdf-agreement-only-attached", "container.pdf", _attachment_only_pdf, refused("attached")
    ),
    Attack("xfa-form", "xfa.pdf", _xfa_pdf, refused("XFA")),
    Attack(
        "shared-content-stream-999-pages",
        "stall.pdf",
        _shared_stream_pdf,
        lambda a: None if a["exit"] in (0, 3) else f"exit {a['exit']}",
        max_seconds=10,
    ),
)


def write_all(directory: Path) -> dict[str, Path]:
    directory.mkdir(parents=True, exist_ok=True)
    return {attack.id: attack.build(directory / attack.filename) for attack in ATTACKS}


if __name__ == "__main__":
    target = Path(sys.argv[1] if len(sys.argv) > 1 else "adversarial-inputs")
    for attack_id, path in write_all(target).items():
        print(f"{attack_id:40} {path}")
