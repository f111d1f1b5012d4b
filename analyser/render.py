"""Turn a :class:`~analyser.report.Report` into text, JSON, Markdown or HTML.

Layouts live in ``analyser/templates/`` (data, not code) and are loaded through the single
module-level jinja2 :data:`ENV`, so there is one place that decides escaping and whitespace.
This module only prepares small presentation helpers (labels, locations, colour) that would be
clumsy to express in the templates themselves.

JSON is not templated: it is ``Report.to_dict()``, the contract of
``shared/report-schema.json`` (with control and bidi-formatting characters removed from its
strings), so that no renderer can drift from what other tools read.
"""

from __future__ import annotations

import json
import re
import textwrap
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined
from markupsafe import Markup

from analyser.i18n import html_lang, messages, ui_language
from analyser.locations import cite_section
from analyser.printable import UNPRINTABLE, printable_tree
from analyser.report import ClauseResult, DocumentInfo, Evidence, RedFlag, Report
from analyser.revision_effect import revision_sentence

FORMATS: tuple[str, ...] = ("text", "json", "markdown", "html")

STATUS_LABELS: dict[str, str] = {"present": "Present", "partial": "Partial", "missing": "Missing"}
# A shape as well as a colour, so the status never rests on colour alone (WCAG 1.4.1).
STATUS_ICONS: dict[str, str] = {"present": "✓", "partial": "◐", "missing": "✗"}
HIDDEN_LISTED = 10  # passages shown in a report; the JSON lists them all
# Tracked changes listed under a clause in the HTML (and so PDF) report; the JSON lists all.
# Unbounded, a 120 KB DOCX alternating inserted and plain words gave 1,800 per clause and a
# 430-page PDF: 55 s of layout after a 10 s --max-seconds, or a web thread held as long.
REVISIONS_LISTED = 10
# Characters of a quote in the HTML (and so PDF) report; the JSON and the document view keep
# it whole. A "sentence" can be a 50,000-character chunk of unpunctuated text: 30 such quotes
# made a 1.4 MB text file's PDF report 277 pages (14 s of layout, outside the deadline).
QUOTE_CHARS = 2_000
_ANSI: dict[str, str] = {"present": "\x1b[32m", "partial": "\x1b[33m", "missing": "\x1b[31m"}
_ANSI_RESET = "\x1b[0m"
_SEVERITY_RANK: dict[str, int] = {"high": 0, "medium": 1, "low": 2}

# Control and bidi-formatting characters (see analyser.printable). Evidence is quoted verbatim
# from a document we do not trust; an ESC in it must not drive the user's terminal, and a
# right-to-left override must not make a quote read differently from its words.
_CONTROL = UNPRINTABLE
# Characters that would let quoted document text turn into Markdown/HTML structure.
_MD_SPECIAL = re.compile(r"([\\`*_<>|\[\]])")
_TEMPLATES = {"text": "report.txt.j2", "markdown": "report.md.j2", "html": "report.html.j2"}


def _autoescape(name: str | None) -> bool:
    """Escape only HTML templates; ``select_autoescape`` would miss the ``.html.j2`` suffix."""
    return name is not None and name.endswith((".html.j2", ".html"))


def location(ev: Evidence | None, labels: dict[str, Any] | None = None) -> str:
    """Where a quote stands, as "p. 4 · cl. 9.1" or "p. 2 · Article 3(1)"; empty when unknown.

    A bare number gets "cl." so it is not read as a page; named sections stand as written.
    ``labels`` are the interface messages (:func:`analyser.i18n.messages`), for "s. 4 · pkt.".
    A DOCX has no pages, so its quotes give the clause path alone.
    """
    if ev is None:
        return ""
    words = (labels or {}).get("location") or {"page": "p.", "clause": "cl."}
    parts = []
    if ev.page is not None:
        parts.append(f"{words['page']} {ev.page}")
    if ev.section:
        parts.append(cite_section(ev.section, words["clause"]))
    return " · ".join(parts)


def first_location(clause: ClauseResult, labels: dict[str, Any] | None = None) -> str:
    """Location of the best evidence, for summary tables; "–" when there is nothing to show."""
    if not clause.evidence:
        return "–"
    unknown = (labels or messages("en"))["location"]["unknown"]
    return location(clause.evidence[0], labels) or str(unknown)


def element_count(clause: ClauseResult) -> str:
    """Sub-elements as "found/total", or "–" for a clause that defines none."""
    if not clause.elements:
        return "–"
    return f"{sum(1 for e in clause.elements if e.found)}/{len(clause.elements)}"


def clean(text: Any) -> str:
    """Drop control characters so untrusted text cannot emit terminal escape sequences."""
    return _CONTROL.sub("", str(text))


def one_line(text: Any) -> str:
    """Collapse whitespace: quotes go in table cells and single-line blocks."""
    return " ".join(clean(text).split())


def md_escape(text: Any) -> str:
    """Backslash-escape Markdown syntax and raw HTML in document text, on one line.

    Quotes come from the agreement, not from us; without this a ``<script>`` or a stray ``|``
    in a draft would become markup when the Markdown is published (wikis, GitHub, Pandoc).
    """
    return _MD_SPECIAL.sub(r"\\\1", one_line(text))


def md_block(text: Any) -> str:
    """Escape like :func:`md_escape` but keep paragraph breaks (for suggested wording)."""
    lines = [md_escape(line) for line in clean(text).splitlines()]
    return "\n".join(lines).strip()


def wrap(text: Any, indent: int = 0, width: int = 96) -> str:
    """Word-wrap for the terminal, indenting every line; blank lines between paragraphs kept."""
    pad = " " * indent
    paragraphs = [p for p in re.split(r"\n\s*\n", clean(text)) if p.strip()]
    return f"\n{pad}\n".join(
        textwrap.fill(" ".join(p.split()), width=width, initial_indent=pad, subsequent_indent=pad)
        for p in paragraphs
    )


def hidden_reason(reason: str, labels: dict[str, Any] | None = None) -> str:
    """Why a hidden passage was not analysed, in the reader's language (messages/*.yaml)."""
    reasons = (labels or messages("en"))["hidden_reasons"]
    return str(reasons.get(reason) or clean(reason))


def skipped_summary(info: DocumentInfo, labels: dict[str, Any] | None = None) -> str:
    """ "12 running headers, 1 table of contents" in the reader's language; "" if none."""
    kinds = (labels or messages("en"))["skipped_kinds"]
    parts = []
    for kind, count in info.skipped.items():
        words = kinds.get(kind)
        noun = words["one" if count == 1 else "many"] if words else clean(kind)
        parts.append(f"{count} {noun}")
    return ", ".join(parts)


def lcfirst(text: Any) -> str:
    """The first letter in lower case, for a label set inside a sentence ("Verdict: gaps: …")."""
    value = str(text)
    return value[:1].lower() + value[1:]


def md_anchor(heading: Any) -> str:
    """The anchor GitHub and Pandoc give a Markdown heading: "Røde flagg" -> "røde-flagg"."""
    words = re.sub(r"[^\w\- ]", "", str(heading).strip().lower())
    return words.replace(" ", "-")


def shorten(text: Any, width: int = 200) -> str:
    """One line of at most ``width`` characters, for listing passages that are not evidence."""
    line = one_line(text)
    return line if len(line) <= width else line[: width - 1].rstrip() + "…"


def by_severity(flags: Iterable[RedFlag]) -> list[RedFlag]:
    """Most serious red flags first; stable, so detection order breaks ties."""
    return sorted(flags, key=lambda f: _SEVERITY_RANK.get(f.severity, len(_SEVERITY_RANK)))


def short_hash(sha256: str) -> str:
    """Twelve hex digits: enough to tell two drafts apart at a glance."""
    return sha256[:12]


class _Ansi(str):
    """Colour codes this module emits itself: the only control characters let through."""


def _finalize(value: Any) -> Any:
    """Strip control characters from every ``{{ }}`` output, in every format.

    A template cannot forget to sanitise a field this way; the text templates' own ANSI
    colouring is marked :class:`_Ansi` and passes untouched.
    """
    if isinstance(value, _Ansi) or not isinstance(value, str):
        return value
    cleaned = _CONTROL.sub("", value)
    return Markup(cleaned) if isinstance(value, Markup) else cleaned


def _status_painter(colour: bool, labels: dict[str, str] | None = None) -> Callable[..., str]:
    """Return a function that pads a status label to ``width`` and colours it if asked.

    Padding and casing happen before colouring so ANSI codes never upset column alignment
    (and ``|upper`` in a template would corrupt them).
    """

    def paint(status: str, width: int = 0, upper: bool = False) -> str:
        label = (labels or STATUS_LABELS).get(status) or clean(status)
        label = (label.upper() if upper else label.lower()).ljust(width)
        if not colour or status not in _ANSI:
            return label
        stripped = label.rstrip()
        return _Ansi(f"{_ANSI[status]}{stripped}{_ANSI_RESET}{label[len(stripped) :]}")

    return paint


def _make_env() -> Environment:
    env = Environment(
        loader=PackageLoader("analyser", "templates"),
        autoescape=_autoescape,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        finalize=_finalize,
    )
    env.filters.update(
        location=location,
        first_location=first_location,
        element_count=element_count,
        one_line=one_line,
        md=md_escape,
        md_block=md_block,
        wrap=wrap,
        by_severity=by_severity,
        short_hash=short_hash,
        hidden_reason=hidden_reason,
        skipped_summary=skipped_summary,
        lcfirst=lcfirst,
        md_anchor=md_anchor,
        shorten=shorten,
        html_lang=html_lang,
    )
    env.globals.update(
        status_labels=STATUS_LABELS,
        status_icons=STATUS_ICONS,
        revision_sentence=revision_sentence,
        hidden_listed=HIDDEN_LISTED,
        revisions_listed=REVISIONS_LISTED,
        quote_chars=QUOTE_CHARS,
        ui_language=ui_language,
    )
    return env


ENV: Environment = _make_env()
"""The one template environment; built at import so a broken template path fails early."""


def _check_format(fmt: str) -> None:
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}; expected one of: {', '.join(FORMATS)}")


def report_language(reports: Sequence[Report], lang: str | None = None) -> str:
    """The interface language of a rendering: ``lang`` if given, else Norwegian when every
    document is Norwegian, else English."""
    if lang:
        return ui_language(None, lang)
    chosen = {ui_language(r.document.language) for r in reports}
    return chosen.pop() if len(chosen) == 1 else "en"


def _render_template(
    fmt: str,
    reports: Sequence[Report],
    *,
    colour: bool,
    lang: str | None = None,
    views: Sequence[dict[str, Any] | None] | None = None,
) -> str:
    template = ENV.get_template(_TEMPLATES[fmt])
    ui_lang = report_language(reports, lang)
    labels = messages(ui_lang)
    out = template.render(
        reports=list(reports),
        paint=_status_painter(colour, labels["status"]),
        t=labels,
        ui_lang=ui_lang,
        views=list(views) if views else None,
    )
    # Like json.dumps: no trailing newline, so the CLI can echo every format the same way.
    return out.rstrip("\n")


def render(
    report: Report,
    fmt: str,
    *,
    colour: bool = False,
    lang: str | None = None,
    view: dict[str, Any] | None = None,
) -> str:
    """Render one report in ``fmt`` (text, json, markdown or html).

    ``colour`` only affects ``text``: the CLI turns it on when stdout is a terminal, so piped
    or redirected output never carries escape codes. ``lang`` is the HTML interface language
    (default: the document's); ``view`` (:func:`analyser.docview.document_view`) adds the
    document with its findings marked to the HTML report.
    """
    _check_format(fmt)
    if fmt == "json":
        return json.dumps(printable_tree(report.to_dict()), indent=2, ensure_ascii=False)
    return _render_template(fmt, [report], colour=colour, lang=lang, views=[view])


def render_many(
    reports: Sequence[Report],
    fmt: str,
    *,
    colour: bool = False,
    lang: str | None = None,
    views: Sequence[dict[str, Any] | None] | None = None,
) -> str:
    """Render several reports from one run as one output.

    Text puts the reports one after another; JSON is an array of ``to_dict()`` objects, each
    valid against the schema; Markdown and HTML are one document with a section per report,
    so a batch can be shared as a single file.
    """
    _check_format(fmt)
    if fmt == "json":
        return json.dumps(
            [printable_tree(r.to_dict()) for r in reports], indent=2, ensure_ascii=False
        )
    return _render_template(fmt, reports, colour=colour, lang=lang, views=views)
