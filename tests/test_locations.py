"""Clause locations are written once, whatever their numbering convention."""

from __future__ import annotations

import pytest

from analyser.checklist import _location as checklist_location
from analyser.compare import _location as compare_location
from analyser.locations import cite_section
from analyser.render import location
from analyser.report import Evidence


@pytest.mark.parametrize(
    ("section", "prefix", "expected"),
    [
        ("9.1", "cl.", "cl. 9.1"),
        ("§ 2", "§", "§ 2"),
        ("§ 4 Oppsigelse", "§", "§ 4 Oppsigelse"),
        ("Article 3(1)", "cl.", "Article 3(1)"),
        ("Annex 2, 1.3", "§", "Annex 2, 1.3"),
        ("2", "§", "§ 2"),
    ],
    ids=["bare-number", "paragraph-sign", "paragraph-sign-title", "article", "annex", "bare-§"],
)
def test_locations_cite_section(section: str, prefix: str, expected: str) -> None:
    assert cite_section(section, prefix) == expected


@pytest.mark.parametrize(
    "render",
    [
        lambda ev: checklist_location(ev, "p."),
        compare_location,
        lambda ev: location(Evidence("x", 0, 1, ev["page"], ev["section"])),
    ],
    ids=["checklist", "compare", "report"],
)
def test_locations_paragraph_sign_printed_once(render) -> None:  # type: ignore[no-untyped-def]
    text = render({"page": 3, "section": "§ 2"})
    assert "§ § 2" not in text and text.endswith("§ 2")
