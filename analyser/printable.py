"""Keep untrusted text from steering a terminal or a reader's eye.

File names and agreement text come from people we do not trust. Two kinds of character in them
can lie to the person reading our output:

- C0/C1 control characters (ESC above all): in a terminal they clear the screen, move the
  cursor or fake a line of output; in XML (the checklist DOCX) they are not even allowed.
- Unicode bidirectional embeddings, overrides and isolates (U+202A–U+202E, U+2066–U+2069) and
  the invisible direction marks (U+200E, U+200F, U+061C): they reorder how the following text
  is displayed, so a quote or a file name can be made to read differently from its bytes
  ("Trojan Source", CVE-2021-42574).

Both are removed from everything we print or write; letters, digits and punctuation are kept,
so a quote still reads as the document's words. Tab and newline stay.
"""

from __future__ import annotations

import re
from typing import Any

UNPRINTABLE = re.compile(
    r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]"
)


def printable(text: Any) -> str:
    """``text`` as a string without control or bidi-formatting characters."""
    return UNPRINTABLE.sub("", str(text))


def printable_tree(value: Any) -> Any:
    """The same JSON-like structure with every string made :func:`printable`."""
    if isinstance(value, str):
        return printable(value)
    if isinstance(value, dict):
        return {printable(k): printable_tree(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [printable_tree(v) for v in value]
    return value
