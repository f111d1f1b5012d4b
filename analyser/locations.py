"""How a clause location is written in reports, checklists and comparisons.

Segmentation gives sections as the document names them ("Article 3", "§ 2", "Annex 2, 1.3",
"Recitals") or as bare numbers ("9.1"). Only a bare number needs a word in front, so it is not
read as a page; a prefix added to a named section doubles it ("§ § 2", "cl. Article 3").
"""

from __future__ import annotations


def cite_section(section: str, prefix: str = "cl.") -> str:
    """ "cl. 9.1" for a bare number, the section as written otherwise."""
    section = section.strip()
    if section[:1].isdigit():
        return f"{prefix} {section}"
    return section
