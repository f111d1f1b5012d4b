"""Find the parts of an agreement: preamble, recitals, operative body, signature block, annexes.

A recital ("WHEREAS the Parties wish to publish freely") binds no one, a clause in "Annex 2"
is not clause 1.3 of the main text, and a signature block holds names, not duties. Judging and
citing therefore need to know which part every block stands in. The markers are data
(``clause_patterns/parts.yaml``); the order of the parts and the guards against false starts
are here:

- preamble and recitals exist only when the operative body is seen to begin (a numbered clause,
  "have agreed as follows", or a heading after the recitals) within the first
  ``_MAX_PREAMBLE_SHARE`` of the text, and the preamble proper stays short; otherwise nothing
  is labelled, because operative text mistaken for a preamble would be discounted;
- a signature block is accepted only when what follows it, up to the first annex or the end,
  is short lines (names, titles, dates), not more clauses;
- annex headings count only after the signature block (or, without one, after the body began),
  and a run of consecutive annex headings is a list of annexes, not a heading.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache

from analyser.document import Block
from analyser.errors import PatternError
from analyser.patterns import load_yaml_resource, patterns_dir

PREAMBLE = "Preamble"
RECITALS = "Recitals"
SIGNATURE_BLOCK = "Signature block"
FRAME_PARTS = frozenset({PREAMBLE, RECITALS, SIGNATURE_BLOCK})

_MAX_PREAMBLE_SHARE = 0.4  # body must begin within this share of the text's characters
_MAX_PREAMBLE_CHARS = 1500  # prose before recitals/body beyond this is not a preamble
_MAX_SIGNATURE_LINE = 300  # a longer block after a signature start is more agreement text
_MAX_HEADING_WORDS = 12
_RECITAL_LETTER = re.compile(r"^(?:\(\s*[a-z0-9]{1,3}\s*\)|[a-z0-9]{1,3}[.)])\s+", re.IGNORECASE)
_ARTICLE_HEADING = re.compile(
    r"^(?:article|artikkel|artikel|§)\s*\d", re.IGNORECASE
)  # never inside a signature block


@dataclass(frozen=True)
class PartMarkers:
    recitals_start: tuple[re.Pattern[str], ...]
    recitals_end: tuple[re.Pattern[str], ...]
    signature_start: tuple[re.Pattern[str], ...]
    signature_anywhere: tuple[re.Pattern[str], ...]
    annex_heading: re.Pattern[str]


def _compile(name: str, raw: object) -> tuple[re.Pattern[str], ...]:
    path = str(patterns_dir() / "parts.yaml")
    if not isinstance(raw, list) or not raw or not all(isinstance(p, str) for p in raw):
        raise PatternError(f"'{name}' must be a non-empty list of regular expressions", path)
    compiled = []
    for pattern in raw:
        try:
            compiled.append(re.compile(pattern, re.IGNORECASE))
        except re.error as e:
            message = f"'{name}': invalid regular expression {pattern!r} ({e})"
            raise PatternError(message, path) from e
    return tuple(compiled)


@lru_cache(maxsize=1)
def markers() -> PartMarkers:
    """The part markers of ``clause_patterns/parts.yaml``, validated once per process."""
    data = load_yaml_resource("parts.yaml")
    if not isinstance(data, dict):
        raise PatternError("expected a mapping", str(patterns_dir() / "parts.yaml"))
    words = data.get("annex_words")
    if not isinstance(words, list) or not words or not all(isinstance(w, str) for w in words):
        raise PatternError(
            "'annex_words' must be a non-empty list of words", str(patterns_dir() / "parts.yaml")
        )
    alternatives = "|".join(sorted((re.escape(w) for w in words), key=len, reverse=True))
    annex = re.compile(
        rf"^(?P<word>{alternatives})\b"
        r"(?:\s+(?:no\.?\s*|nr\.?\s*)?(?P<id>\d{1,2}|[IVX]{1,5}\b|[A-Z]\b))?"
        r"\s*[-–—:.]?\s*(?P<rest>.*)$",
        re.IGNORECASE,
    )
    return PartMarkers(
        _compile("recitals_start", data.get("recitals_start")),
        _compile("recitals_end", data.get("recitals_end")),
        _compile("signature_start", data.get("signature_start")),
        _compile("signature_anywhere", data.get("signature_anywhere")),
        annex,
    )


def _first_line(block: Block) -> str:
    return " ".join(block.text.strip().split("\n", 1)[0].split())


def _is_headingish(line: str) -> bool:
    words = line.split()
    return 0 < len(words) <= _MAX_HEADING_WORDS and not line.endswith((".", ";", ","))


def annex_label(block: Block) -> str | None:
    """ "Annex 2", "Appendix A", "Vedlegg 2" when the block is an annex heading, else None."""
    line = _first_line(block)
    m = markers().annex_heading.match(line)
    if not m:
        return None
    rest = m.group("rest").strip()
    ident = m.group("id")
    if ident is None and rest:
        return None  # "Schedule the meetings ...", "Attachments embody ..."
    if rest and (
        not _is_headingish(rest)
        or "[" in rest
        or ":" in rest  # "Attachment 2 Type: [choose one]" is a form field
        or "...." in rest
        or "\t" in rest
        or re.search(r"\s\d{1,3}$", rest)  # a table-of-contents line with its page
    ):
        return None
    if len(line) > 120:
        return None
    word = m.group("word").lower()
    word = word.capitalize()
    if ident is None:
        return word
    ident = ident.upper() if not ident.isdigit() else ident
    return f"{word} {ident}"


def _any_match(patterns: Sequence[re.Pattern[str]], text: str) -> bool:
    return any(p.match(text) for p in patterns)


def _any_search(patterns: Sequence[re.Pattern[str]], text: str) -> bool:
    return any(p.search(text) for p in patterns)


def _opens_recitals(block: Block) -> bool:
    line = _RECITAL_LETTER.sub("", _first_line(block))
    return _any_match(markers().recitals_start, line)


def _closes_recitals(block: Block) -> bool:
    return _any_search(markers().recitals_end, block.text[-300:]) or _any_search(
        markers().recitals_end, block.text[:300]
    )


def _opens_signature(block: Block) -> bool:
    text = block.text.strip()
    line = _first_line(block)
    if _any_match(markers().signature_start, line):
        return True
    return len(text) <= _MAX_SIGNATURE_LINE and _any_search(markers().signature_anywhere, text)


def _unnumbered_heading(block: Block) -> bool:
    line = _first_line(block)
    if block.kind == "heading":
        return True
    return (
        "\n" not in block.text.strip()
        and len(line.split()) >= 2
        and line[:1].isupper()
        and _is_headingish(line)
    )


def _body_start(blocks: Sequence[Block], opens_clause: Callable[[Block], bool]) -> int | None:
    """Index of the first operative block, when a preamble/recitals can be told apart."""
    if not blocks:
        return None
    limit = blocks[0].start + _MAX_PREAMBLE_SHARE * max(1, blocks[-1].end - blocks[0].start)
    in_recitals = False
    recital_paragraphs = 0
    preamble_chars = 0
    for i, block in enumerate(blocks):
        if block.start > limit:
            return None
        if block.part:  # a footnote does not change the part around it
            continue
        if opens_clause(block):
            return i
        if in_recitals:
            if _closes_recitals(block):
                return i + 1
            if recital_paragraphs and _unnumbered_heading(block) and not _opens_recitals(block):
                return i
            if not _unnumbered_heading(block):
                recital_paragraphs += 1
            continue
        if _opens_recitals(block):
            in_recitals = True
            if _closes_recitals(block):  # "The Governments ..., Desiring ..., Have agreed:"
                return i + 1
            continue
        if _closes_recitals(block):
            # "..., hereinafter the Parties, have entered into the following agreement."
            # may still be followed by a "Background" section of recitals.
            following = next((b for b in blocks[i + 1 :] if not b.part), None)
            if following is None or not _opens_recitals(following):
                return i + 1
            continue
        if not _unnumbered_heading(block):
            preamble_chars += len(block.text)
            if preamble_chars > _MAX_PREAMBLE_CHARS:
                return None
    return None


def _signature_start(blocks: Sequence[Block], first: int) -> int | None:
    """The first signature opener from ``first`` on that only short lines follow."""
    for i in range(first, len(blocks)):
        block = blocks[i]
        if block.part or not _opens_signature(block):
            continue
        tail_ok = True
        for later in blocks[i + 1 :]:
            if later.part:
                continue
            if annex_label(later):
                break
            text = later.text.strip()
            if len(text) > _MAX_SIGNATURE_LINE or _ARTICLE_HEADING.match(text):
                tail_ok = False
                break
        if tail_ok:
            return i
    return None


def find_parts(blocks: Sequence[Block], opens_clause: Callable[[Block], bool]) -> list[str | None]:
    """The part of every block: "Preamble", "Recitals", None (body), "Signature block",
    "Annex 2"...; a block's own ``part`` (a footnote) is kept as it is.

    ``opens_clause`` tells whether a block begins a numbered clause (segmentation owns the
    numbering conventions).
    """
    n = len(blocks)
    parts: list[str | None] = [None] * n
    body = _body_start(blocks, opens_clause)
    if body:
        recitals = False
        for i in range(body):
            if not blocks[i].part and not recitals and _opens_recitals(blocks[i]):
                recitals = True
            parts[i] = RECITALS if recitals else PREAMBLE
    signature = _signature_start(blocks, body or 0)
    if body is None:
        text_start = blocks[0].start if blocks else 0
        length = (blocks[-1].end - text_start) if blocks else 0
        annex_from = next(
            (i for i, b in enumerate(blocks) if b.start - text_start >= 0.1 * length), n
        )
    else:
        annex_from = body
    if signature is not None:
        annex_from = signature
        for i in range(signature, n):
            parts[i] = SIGNATURE_BLOCK
    labels = [
        annex_label(b) if i >= annex_from and not b.part else None for i, b in enumerate(blocks)
    ]
    current: str | None = None
    for i in range(annex_from, n):
        label = labels[i]
        listed = label is not None and (
            (i + 1 < n and labels[i + 1] is not None) or (i > 0 and labels[i - 1] is not None)
        )
        if label is not None and not listed:
            current = label
        if current is not None:
            parts[i] = current
    for i, block in enumerate(blocks):
        if block.part:
            parts[i] = block.part
    return parts


def is_annex(part: str | None) -> bool:
    """True for an annex-like part ("Annex 2", "Vedlegg 1"), not for the frame or a footnote."""
    if not part or part in FRAME_PARTS:
        return False
    return not part.lower().startswith(("footnote", "endnote"))
