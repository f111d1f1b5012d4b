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
    suggestion: str = ""


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
    for key in ("labels", "severities", "red_flag_checks", "process_items"):
        if key not in data:
            raise PatternError(f"missing key '{key}'", where)
    for lang in LANGUAGES:
        if lang not in data["labels"] or set(data["labels"][lang]) != set(data["labels"]["en"]):
            raise PatternError(f"labels for '{lang}' missing or incomplete", where)
        for item in data["process_items"]:
            for part in ("title", "detail"):
                if not (item.get(part) or {}).get(lang):
                    raise PatternError(f"process item {item.get('id')}: no {part} in '{lang}'",
                                       where)
    return data


def checklist_language(report: dict[str, Any], lang: str | None) -> str:
    if lang:
        return lang
    return "nb" if (report.get("document") or {}).get("language") in _NORWEGIAN else "en"


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
    report: dict[str, Any], *, lang: str | None = None, profile: str | None = None
) -> Checklist:
    """Fill the checklist from a report dictionary (``Report.to_dict()``).

    Clause titles, missing-element titles and suggested wording come from the clause specs
    in the checklist's language (the report carries them in the document's language); a
    clause the profile does not know keeps the report's own wording.
    """
    from analyser.printable import printable_tree
    from analyser.profiles import load_profile

    # Control characters are not allowed in the DOCX's XML, and bidi overrides would make a
    # quote read differently from its words: the report's text comes from the partner's draft.
    report = printable_tree(report)
    wording = load_wording()
    lang = checklist_language(report, lang)
    labels = dict(wording["labels"][lang])
    specs = {c.id: c for c in load_profile(profile or report.get("profile")).clauses}
    clauses = []
    for c in report.get("clauses", []):
        spec = specs.get(c["id"])
        element_titles = {e.id: e.title for e in spec.elements} if spec else {}
        missing = [
            (element_titles.get(e["id"]) or {}).get(lang) or e.get("title", e["id"])
            for e in c.get("elements") or []
            if not e.get("found")
        ]
        suggestion = ""
        if c["status"] != "present":
            suggestion = (spec.suggestion.get(lang) if spec else None) or c.get("suggestion") or ""
        clauses.append(
            ClauseItem(
                id=c["id"],
                title=spec.localized_title(lang) if spec else c.get("title", c["id"]),
                status=c["status"],
                status_label=labels["statuses"].get(c["status"], c["status"]),
                evidence=_quotes(c.get("evidence") or [], labels["page"]),
                missing_elements=missing,
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
    return Checklist(
        lang, labels, dict(report.get("document") or {}), str(report.get("profile", "")),
        clauses, flags, process,
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
    """A real Word document: headings, tables with ☐ boxes, comment rows, a sign-off block."""
    import io

    from docx import Document as new_document
    from docx.enum.table import WD_TABLE_ALIGNMENT
    from docx.shared import Cm, Pt

    lab = data.labels
    doc = new_document()
    doc.core_properties.title = lab["title"]
    doc.core_properties.language = "nb-NO" if data.lang == "nb" else "en-GB"
    doc.styles["Normal"].font.size = Pt(10)
    for section in doc.sections:
        section.left_margin = section.right_margin = Cm(2)

    def table(rows: list[tuple[str, str]], widths: tuple[float, float] = (4.5, 12.5)) -> Any:
        t = doc.add_table(rows=0, cols=2)
        t.style = "Table Grid"
        t.alignment = WD_TABLE_ALIGNMENT.CENTER
        t.autofit = False
        for column, width in zip(t.columns, widths, strict=True):
            column.width = Cm(width)  # the grid: what LibreOffice lays out by
        for key, value in rows:
            cells = t.add_row().cells
            cells[0].text, cells[1].text = key, value
            cells[0].paragraphs[0].runs[0].bold = True
            cells[0].width, cells[1].width = Cm(widths[0]), Cm(widths[1])
        return t

    def comment_row(t: Any, label: str) -> None:
        cells = t.add_row().cells
        cells[0].text = label
        cells[0].paragraphs[0].runs[0].bold = True
        t.rows[-1].height = Cm(2)

    doc.add_heading(lab["title"], level=0)
    doc.add_paragraph(lab["subtitle"]).runs[0].italic = True
    doc.add_paragraph(lab["intro"])
    d = data.document
    table([
        (lab["document"], str(d.get("name", ""))),
        (lab["sha256"], str(d.get("sha256", ""))),
        (lab["language"], str(d.get("language", ""))),
        (lab["pages"], str(d.get("pages")) if d.get("pages") is not None else lab["unknown"]),
        (lab["profile"], data.profile),
    ])

    doc.add_heading(lab["clauses_heading"], level=1)
    doc.add_paragraph(lab["clauses_intro"])
    for clause in data.clauses:
        doc.add_heading(f"{BOX} {clause.title}", level=2)
        evidence = "\n".join(
            f"“{q.text}”" + (f" ({q.location})" if q.location else "") for q in clause.evidence
        ) or lab["no_evidence"]
        rows = [
            (lab["status"], clause.status_label),
            (lab["evidence"], evidence),
            (lab["missing_elements"],
             "\n".join(f"• {m}" for m in clause.missing_elements) or lab["none_missing"]),
        ]
        if clause.suggestion:
            rows.append((lab["suggestion"], clause.suggestion))
        rows.append((lab["checked"], BOX))
        t = table(rows)
        comment_row(t, lab["comment"])

    doc.add_heading(lab["red_flags_heading"], level=1)
    doc.add_paragraph(lab["red_flags_intro"])
    if not data.red_flags:
        doc.add_paragraph(lab["no_red_flags"])
    for flag in data.red_flags:
        doc.add_heading(f"{BOX} {flag.title}", level=2)
        rows = [(lab["severity"], flag.severity)]
        if flag.evidence:
            rows.append((lab["evidence"], "\n".join(
                f"“{q.text}”" + (f" ({q.location})" if q.location else "") for q in flag.evidence
            )))
        rows.append((lab["what_to_check"], " ".join(filter(None, [flag.why, flag.check]))))
        t = table(rows)
        comment_row(t, lab["comment"])

    doc.add_heading(lab["process_heading"], level=1)
    doc.add_paragraph(lab["process_intro"])
    t = doc.add_table(rows=1, cols=3)
    t.style = "Table Grid"
    t.autofit = False
    for column, width in zip(t.columns, (1.5, 9.5, 6.0), strict=True):
        column.width = Cm(width)
    for cell, text in zip(t.rows[0].cells, (lab["done"], lab["item"], lab["comment"]),
                          strict=True):
        cell.text = text
        cell.paragraphs[0].runs[0].bold = True
    for item in data.process:
        cells = t.add_row().cells
        cells[0].text = BOX
        cells[1].text = ""
        cells[1].paragraphs[0].add_run(item.title).bold = True
        cells[1].add_paragraph(item.detail)
        t.rows[-1].height = Cm(2)
    for row in t.rows:
        for cell, width in zip(row.cells, (1.5, 9.5, 6.0), strict=True):
            cell.width = Cm(width)

    doc.add_heading(lab["signoff_heading"], level=1)
    decision = "    ".join(f"{BOX} {label}" for label in data.decisions)
    t = table([
        (lab["reviewer"], ""),
        (lab["date"], ""),
        (lab["decision"], decision),
        (lab["conditions"], ""),
        (lab["signature"], ""),
    ])
    for row in t.rows:
        row.height = Cm(1.2)
    t.rows[3].height = Cm(3)
    doc.add_paragraph(f"{lab['generated']} {data.tool_version}").runs[0].italic = True

    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()
