"""Pre-signature checklist: the analysis turned into a form a reviewer ticks and signs.

Before signing, an adviser must confirm each framework clause (with the evidence in hand),
look at each red flag, and do the process checks the guidance asks for regardless of the
text (due diligence, sanctions, export control, exit plan, risk assessment before, during
and after). The checklist pre-fills what the analysis knows and leaves room for the rest.

All wording is data (``clause_patterns/checklist.yaml``, English and Norwegian Bokmål); the
layouts are ``analyser/templates/checklist.{md,html}.j2``; the DOCX is built with
python-docx because Word documents are not text templates. The checklist is Norwegian for a
Norwegian (Bokmål or Nynorsk) document unless a language is asked for.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from analyser import __version__
from analyser.errors import PatternError
from analyser.locations import cite_section

CHECKLIST_FORMATS = ("docx", "md", "html")
LANGUAGES = ("en", "nb")
_NORWEGIAN = {"nb", "nn", "no"}
BOX = "☐"
TOOL_NAME = "agreement analyser"
# BCP 47 tags for Word's spell checker and LibreOffice's hyphenation.
_LANGUAGE_TAGS = {"en": "en-GB", "nb": "nb-NO", "nn": "nn-NO"}
# Particulars of the agreement an adviser fills in (or a profile's ``checklist:`` presets).
FIELD_NAMES = (
    "institution",
    "partners",
    "agreement_title",
    "case_number",
    "draft_date",
    "draft_version",
    "reviewer",
    "risk",
    "escalation",
)


@dataclass
class ChecklistFields:
    """What the analysis cannot know about the agreement; empty fields print as blanks to
    fill in by hand. ``risk`` overrides the report's own risk (``Report.risk``) when given."""

    institution: str = ""
    partners: str = ""
    agreement_title: str = ""
    case_number: str = ""
    draft_date: str = ""
    draft_version: str = ""
    reviewer: str = ""
    risk: str = ""
    escalation: str = ""


@dataclass(frozen=True)
class Reference:
    """A guidance reference used in the texts ("[EU §14]") and what it stands for."""

    tag: str
    text: str


@dataclass
class Quote:
    text: str
    location: str = ""


@dataclass
class ClauseItem:
    id: str
    title: str
    status: str
    status_label: str
    evidence: list[Quote] = field(default_factory=list)
    missing_elements: list[str] = field(default_factory=list)
    # The clause's concerns, written as the risk each one is (not as something to add).
    risks: list[str] = field(default_factory=list)
    suggestion: str = ""  # in the agreement's language: it is meant for the partner


@dataclass
class FlagItem:
    title: str
    severity: str
    why: str
    check: str
    evidence: list[Quote] = field(default_factory=list)


@dataclass
class ProcessItem:
    id: str
    title: str
    detail: str


@dataclass
class Checklist:
    lang: str
    labels: dict[str, Any]
    document: dict[str, Any]
    profile: str
    clauses: list[ClauseItem]
    red_flags: list[FlagItem]
    process: list[ProcessItem]
    tool_version: str = __version__
    fields: ChecklistFields = field(default_factory=ChecklistFields)
    references: list[Reference] = field(default_factory=list)
    document_lang: str = "en"  # language of the agreement (quotes, suggested wording)
    risk_label: str = ""
    # What the draft's pending tracked changes do, in the checklist's language ("" if none).
    pending_changes: str = ""

    @property
    def decisions(self) -> list[str]:
        return list(self.labels["decisions"].values())


def load_wording() -> dict[str, Any]:
    """``clause_patterns/checklist.yaml``, checked to hold every text in every language."""
    from analyser.patterns import load_yaml_file, patterns_dir

    path = patterns_dir() / "checklist.yaml"
    if not path.exists():  # an installed package older than the checkout it is imported from
        path = Path(__file__).resolve().parents[1] / "clause_patterns" / "checklist.yaml"
    data = load_yaml_file(path)
    where = str(path)
    for key in (
        "labels",
        "severities",
        "red_flag_checks",
        "process_items",
        "references",
        "risk_levels",
    ):
        if key not in data:
            raise PatternError(f"missing key '{key}'", where)
    for lang in LANGUAGES:
        if lang not in data["labels"] or set(data["labels"][lang]) != set(data["labels"]["en"]):
            raise PatternError(f"labels for '{lang}' missing or incomplete", where)
        for item in data["process_items"]:
            for part in ("title", "detail"):
                if not (item.get(part) or {}).get(lang):
                    raise PatternError(
                        f"process item {item.get('id')}: no {part} in '{lang}'", where
                    )
    return data


def checklist_language(report: dict[str, Any], lang: str | None) -> str:
    if lang:
        return lang
    return document_language(report)


def document_language(report: dict[str, Any]) -> str:
    """The agreement's own language as a wording language ("nb" for bokmål and nynorsk)."""
    return "nb" if (report.get("document") or {}).get("language") in _NORWEGIAN else "en"


def fields_from(settings: dict[str, Any] | None = None, **given: str | None) -> ChecklistFields:
    """Fields from a profile's ``checklist:`` settings, overridden by what was ``given``."""
    values = {k: str(v) for k, v in (settings or {}).items() if k in FIELD_NAMES and v}
    values.update({k: str(v) for k, v in given.items() if k in FIELD_NAMES and v})
    return ChecklistFields(**values)


def _location(ev: dict[str, Any], page: str) -> str:
    parts = []
    if ev.get("page") is not None:
        parts.append(f"{page} {ev['page']}")
    if ev.get("section"):
        parts.append(cite_section(str(ev["section"]), "§"))
    return " · ".join(parts)


def _quotes(items: list[dict[str, Any]], page: str) -> list[Quote]:
    return [Quote(" ".join(str(e.get("text", "")).split()), _location(e, page)) for e in items]


def build_checklist(
    report: dict[str, Any],
    *,
    lang: str | None = None,
    profile: str | None = None,
    fields: ChecklistFields | None = None,
) -> Checklist:
    """Fill the checklist from a report dictionary (``Report.to_dict()``).

    Clause titles, element and concern titles come from the clause specs in the checklist's
    language; suggested wording stays in the agreement's language whatever the checklist's,
    because it is text to propose to the partner. A clause the profile does not know keeps
    the report's own wording. ``fields`` default to the profile's ``checklist:`` settings.
    """
    from analyser.printable import printable_tree
    from analyser.profiles import load_profile

    # Control characters are not allowed in the DOCX's XML, and bidi overrides would make a
    # quote read differently from its words: the report's text comes from the partner's draft.
    report = printable_tree(report)
    wording = load_wording()
    lang = checklist_language(report, lang)
    doc_lang = document_language(report)
    labels = dict(wording["labels"][lang])
    loaded = load_profile(profile or report.get("profile"))
    if fields is None:
        fields = fields_from(dict(loaded.checklist_settings))
    specs = {c.id: c for c in loaded.clauses}
    clauses = []
    for c in report.get("clauses", []):
        spec = specs.get(c["id"])
        element_titles = {e.id: e.title for e in spec.elements} if spec else {}
        missing = [
            (element_titles.get(e["id"]) or {}).get(lang) or e.get("title", e["id"])
            for e in c.get("elements") or []
            if not e.get("found")
        ]
        concern_titles = {k.id: k.title for k in spec.concerns} if spec else {}
        risks = [
            (concern_titles.get(k["id"]) or {}).get(lang) or k.get("title", k["id"])
            for k in c.get("concerns") or []
        ]
        suggestion = ""
        if c["status"] != "present":
            # The report's wording is already in the agreement's language (with any extra
            # element wording of the profile); the spec's is the fallback for old reports.
            fallback = spec.suggestion.get(doc_lang) if spec else None
            suggestion = str(c.get("suggestion") or fallback or "")
        clauses.append(
            ClauseItem(
                id=c["id"],
                title=spec.localized_title(lang) if spec else c.get("title", c["id"]),
                status=c["status"],
                status_label=labels["statuses"].get(c["status"], c["status"]),
                evidence=_quotes(c.get("evidence") or [], labels["page"]),
                missing_elements=missing,
                risks=risks,
                suggestion=" ".join(suggestion.split()),
            )
        )
    checks = wording["red_flag_checks"]
    severities = wording["severities"][lang]
    flags = [
        FlagItem(
            title=f.get("title", f["id"]),
            severity=severities.get(f.get("severity"), f.get("severity", "")),
            why=f.get("why") or "",
            check=(checks.get(f["id"]) or checks["default"])[lang],
            evidence=_quotes(f.get("evidence") or [], labels["page"]),
        )
        for f in report.get("red_flags") or []
    ]
    process = [
        ProcessItem(item["id"], item["title"][lang], " ".join(item["detail"][lang].split()))
        for item in wording["process_items"]
    ]
    references = [
        Reference(r["tag"], " ".join(r["text"][lang].split())) for r in wording["references"]
    ]
    risk = fields.risk or str(report.get("risk") or "")
    risk_label = wording["risk_levels"][lang].get(risk, risk)
    pending = ""
    if (report.get("document") or {}).get("revisions"):
        from analyser.revision_effect import revision_sentence
        from analyser.web.reports import report_from_dict  # dict -> Report, no web imports

        pending = revision_sentence(report_from_dict(report), lang) or ""
    return Checklist(
        lang,
        labels,
        dict(report.get("document") or {}),
        str(report.get("profile", "")),
        clauses,
        flags,
        process,
        fields=fields,
        references=references,
        document_lang=doc_lang,
        risk_label=risk_label,
        pending_changes=pending,
    )


# --------------------------------------------------------------------------------------------
# Output


def render_checklist(data: Checklist, fmt: str) -> str:
    """Markdown or HTML from the templates; DOCX goes through :func:`docx_bytes`."""
    from analyser.render import ENV

    if fmt not in ("md", "html"):
        raise ValueError(f"text formats are md and html, not {fmt!r}")
    template = ENV.get_template(f"checklist.{fmt}.j2")
    return template.render(c=data, box=BOX).rstrip("\n") + "\n"


def write_checklist(data: Checklist, output: Path) -> None:
    """Write in the format the extension names, atomically (temp file + rename)."""
    from analyser.output import write_atomically

    fmt = output.suffix.lower().lstrip(".")
    if fmt not in CHECKLIST_FORMATS:
        raise ValueError(f"unknown checklist format {output.suffix!r}")
    content = render_checklist(data, fmt) if fmt != "docx" else docx_bytes(data)
    write_atomically(output, content)


def docx_bytes(data: Checklist) -> bytes:
    """A Word document an adviser fills in and signs: A4, the agreement's particulars, a table
    per clause and red flag with real check boxes (w14:checkbox content controls, which Word
    and LibreOffice tick with a click), a legend of the guidance references and a sign-off.

    Language tags are set for the spell checker: the checklist's language by default, the
    agreement's on quotes and suggested wording (they are in the agreement's language).
    """
    import io
    from datetime import UTC, datetime

    from docx import Document as new_document
    from docx.enum.table import WD_TABLE_ALIGNMENT
    from docx.shared import Cm, Mm, Pt

    lab = data.labels
    doc = new_document()
    now = datetime.now(UTC).replace(microsecond=0)
    props = doc.core_properties
    props.title = f"{lab['title']}: {data.fields.agreement_title or data.document.get('name', '')}"
    props.subject = lab["subtitle"]
    props.author = props.last_modified_by = f"{TOOL_NAME} {data.tool_version}"
    props.created = props.modified = props.last_printed = now
    props.revision = 1
    props.language = _LANGUAGE_TAGS[data.lang]
    props.keywords = "research security; agreement; checklist"
    props.comments = lab["intro"]
    _set_default_language(doc, _LANGUAGE_TAGS[data.lang])
    doc.styles["Normal"].font.size = Pt(10)
    for section in doc.sections:
        section.page_width, section.page_height = Mm(210), Mm(297)
        section.left_margin = section.right_margin = Cm(2)
        section.top_margin = section.bottom_margin = Cm(2)
    doc_tag = _LANGUAGE_TAGS.get(data.document_lang, _LANGUAGE_TAGS["en"])
    counter = iter(range(1, 10_000))

    def heading(text: str, level: int, box: bool = False) -> Any:
        paragraph = doc.add_heading("", level=level)
        if box:
            _add_checkbox(paragraph, next(counter), f"{lab['checked']}: {text}")
            paragraph.add_run(" ")
        paragraph.add_run(text)
        paragraph.paragraph_format.keep_with_next = True
        return paragraph

    def fill(cell: Any, value: Any, lang_tag: str | None = None) -> None:
        """A cell's text; a list of quotes or lines becomes one paragraph each."""
        lines = value if isinstance(value, list) else [value]
        cell.text = ""
        first = True
        for line in lines:
            paragraph = cell.paragraphs[0] if first else cell.add_paragraph()
            first = False
            if isinstance(line, tuple) and line[0] == "box":
                _add_checkbox(paragraph, next(counter), line[1])
                paragraph.add_run(f" {line[1]}" if line[2] else "")
                continue
            run = paragraph.add_run(str(line))
            if lang_tag:
                _set_run_language(run, lang_tag)

    def table(
        rows: Sequence[tuple[str, Any, str | None]], widths: tuple[float, float] = (4.5, 12.5)
    ) -> Any:
        t = doc.add_table(rows=0, cols=2)
        t.style = "Table Grid"
        t.alignment = WD_TABLE_ALIGNMENT.CENTER
        t.autofit = False
        for column, width in zip(t.columns, widths, strict=True):
            column.width = Cm(width)  # the grid: what LibreOffice lays out by
        for key, value, lang_tag in rows:
            cells = t.add_row().cells
            cells[0].text = key
            cells[0].paragraphs[0].runs[0].bold = True
            fill(cells[1], value, lang_tag)
            cells[0].width, cells[1].width = Cm(widths[0]), Cm(widths[1])
        _keep_together(t)
        return t

    def comment_row(t: Any, label: str) -> None:
        cells = t.add_row().cells
        cells[0].text = label
        cells[0].paragraphs[0].runs[0].bold = True
        t.rows[-1].height = Cm(2)
        _keep_together(t)

    doc.add_heading(lab["title"], level=0)
    doc.add_paragraph(lab["subtitle"]).runs[0].italic = True
    doc.add_paragraph(lab["intro"])
    if data.pending_changes:
        doc.add_paragraph().add_run(data.pending_changes).bold = True
    f, d = data.fields, data.document
    heading(lab["details_heading"], 1)
    details = [
        (lab["institution"], f.institution, None),
        (lab["partners"], f.partners, None),
        (lab["agreement_title"], f.agreement_title, None),
        (lab["case_number"], f.case_number, None),
        (lab["draft_date"], f.draft_date, None),
        (lab["draft_version"], f.draft_version, None),
        (lab["document"], str(d.get("name", "")), None),
        (lab["sha256"], str(d.get("sha256", "")), None),
        (lab["language"], str(d.get("language", "")), None),
    ]
    if d.get("pages") is not None:
        details.append((lab["pages"], str(d["pages"]), None))
    details += [
        (lab["profile"], data.profile, None),
        (lab["risk"], data.risk_label, None),
        (lab["escalation"], f.escalation, None),
        (lab["reviewer"], f.reviewer, None),
    ]
    table(details)

    heading(lab["clauses_heading"], 1)
    doc.add_paragraph(lab["clauses_intro"])
    for clause in data.clauses:
        heading(clause.title, 2, box=True)
        evidence = [
            f"“{q.text}”" + (f" ({q.location})" if q.location else "") for q in clause.evidence
        ] or [lab["no_evidence"]]
        rows: list[tuple[str, Any, str | None]] = [
            (lab["status"], clause.status_label, None),
            (lab["evidence"], evidence, doc_tag if clause.evidence else None),
            (
                lab["missing_elements"],
                [f"• {m}" for m in clause.missing_elements] or [lab["none_missing"]],
                None,
            ),
        ]
        if clause.risks:
            rows.append((lab["risks"], [f"• {r}" for r in clause.risks], None))
        if clause.suggestion:
            rows.append((lab["suggestion"], clause.suggestion, doc_tag))
        rows.append((lab["checked"], [("box", lab["checked"], False)], None))
        comment_row(table(rows), lab["comment"])

    heading(lab["red_flags_heading"], 1)
    doc.add_paragraph(lab["red_flags_intro"])
    if not data.red_flags:
        doc.add_paragraph(lab["no_red_flags"])
    for flag in data.red_flags:
        heading(flag.title, 2, box=True)
        rows = [(lab["severity"], flag.severity, None)]
        if flag.evidence:
            rows.append(
                (
                    lab["evidence"],
                    [
                        f"“{q.text}”" + (f" ({q.location})" if q.location else "")
                        for q in flag.evidence
                    ],
                    doc_tag,
                )
            )
        rows.append((lab["what_to_check"], " ".join(filter(None, [flag.why, flag.check])), None))
        comment_row(table(rows), lab["comment"])

    heading(lab["process_heading"], 1)
    doc.add_paragraph(lab["process_intro"])
    t = doc.add_table(rows=1, cols=3)
    t.style = "Table Grid"
    t.autofit = False
    for column, width in zip(t.columns, (1.5, 9.5, 6.0), strict=True):
        column.width = Cm(width)
    for cell, text in zip(t.rows[0].cells, (lab["done"], lab["item"], lab["comment"]), strict=True):
        cell.text = text
        cell.paragraphs[0].runs[0].bold = True
    for item in data.process:
        cells = t.add_row().cells
        cells[0].text = ""
        _add_checkbox(cells[0].paragraphs[0], next(counter), f"{lab['done']}: {item.title}")
        cells[1].text = ""
        cells[1].paragraphs[0].add_run(item.title).bold = True
        cells[1].add_paragraph(item.detail)
        t.rows[-1].height = Cm(2)
    for row in t.rows:
        _cant_split(row)
        for cell, width in zip(row.cells, (1.5, 9.5, 6.0), strict=True):
            cell.width = Cm(width)

    heading(lab["signoff_heading"], 1)
    t = table(
        [
            (lab["reviewer"], f.reviewer, None),
            (lab["date"], "", None),
            (lab["risk"], data.risk_label, None),
            (lab["escalation"], f.escalation, None),
            (lab["decision"], [("box", label, True) for label in data.decisions], None),
            (lab["conditions"], "", None),
            (lab["signature"], "", None),
        ]
    )
    for row in t.rows:
        row.height = Cm(1.2)
    t.rows[5].height = Cm(3)

    heading(lab["legend_heading"], 1)
    doc.add_paragraph(lab["legend_intro"])
    table([(ref.tag, ref.text, None) for ref in data.references], widths=(3.0, 14.0))
    doc.add_paragraph(f"{lab['generated']} {data.tool_version}").runs[0].italic = True

    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()


# --------------------------------------------------------------------------------------------
# WordprocessingML the python-docx API does not cover: content-control check boxes, language
# tags, rows kept together. Element names from ECMA-376 Part 1 (w:sdt §17.5.2, w:lang §17.3.2.20,
# w:cantSplit §17.4.6, w:keepNext §17.3.1.15) and [MS-DOCX] §2.6.2 (w14:checkbox).

_W14 = "http://schemas.microsoft.com/office/word/2010/wordml"
_BOX_FONT = "MS Gothic"  # the font Word itself uses for ☐/☒ in check-box controls


def _add_checkbox(paragraph: Any, control_id: int, label: str) -> None:
    """Append an unticked check-box content control (☐, ticked ☒) to ``paragraph``."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    def w14(tag: str, **attrs: str) -> Any:
        from lxml import etree

        node = etree.Element(f"{{{_W14}}}{tag}", nsmap={"w14": _W14})
        for key, value in attrs.items():
            node.set(f"{{{_W14}}}{key}", value)
        return node

    sdt = OxmlElement("w:sdt")
    props = OxmlElement("w:sdtPr")
    alias = OxmlElement("w:alias")
    alias.set(qn("w:val"), label[:255])
    props.append(alias)
    ident = OxmlElement("w:id")
    ident.set(qn("w:val"), str(control_id))
    props.append(ident)
    checkbox = w14("checkbox")
    checkbox.append(w14("checked", val="0"))
    checkbox.append(w14("checkedState", val="2612", font=_BOX_FONT))
    checkbox.append(w14("uncheckedState", val="2610", font=_BOX_FONT))
    props.append(checkbox)
    sdt.append(props)
    content = OxmlElement("w:sdtContent")
    run = OxmlElement("w:r")
    run_props = OxmlElement("w:rPr")
    fonts = OxmlElement("w:rFonts")
    for attr in ("w:ascii", "w:eastAsia", "w:hAnsi"):
        fonts.set(qn(attr), _BOX_FONT)
    run_props.append(fonts)
    run.append(run_props)
    text = OxmlElement("w:t")
    text.text = BOX
    run.append(text)
    content.append(run)
    sdt.append(content)
    paragraph._p.append(sdt)


def _set_default_language(doc: Any, tag: str) -> None:
    """The document default language (w:docDefaults/w:rPrDefault/w:rPr/w:lang)."""
    from docx.oxml.ns import qn

    for lang in doc.styles.element.iter(qn("w:lang")):
        lang.set(qn("w:val"), tag)


def _set_run_language(run: Any, tag: str) -> None:
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    props = run._r.get_or_add_rPr()
    lang = props.find(qn("w:lang"))
    if lang is None:
        lang = OxmlElement("w:lang")
        props.append(lang)
    lang.set(qn("w:val"), tag)


def _cant_split(row: Any) -> None:
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    tr_pr = row._tr.get_or_add_trPr()
    if tr_pr.find(qn("w:cantSplit")) is None:
        tr_pr.append(OxmlElement("w:cantSplit"))


def _keep_together(table: Any) -> None:
    """Rows never split, and every row but the last keeps with the next, so a table (and the
    heading before it, which keeps with next) moves to the next page whole."""
    rows = list(table.rows)
    for index, row in enumerate(rows):
        _cant_split(row)
        for cell in row.cells:
            for paragraph in cell.paragraphs:
                paragraph.paragraph_format.keep_with_next = index < len(rows) - 1
