"""Split a document into located sentences and attach each to its clause/section number.

Evidence in a report must say where it stands ("Article 9 Termination", "7.2"), so sections
are tracked across blocks from the numbering conventions real agreements use (Article 5, 5.,
5.1, (a), §, Artikkel, Word headings and automatic numbering). Sentences come from spaCy's
blank tokenizer with a boundary component of ours, because the stock sentencizer splits after
"Art." and "e.g." and keeps "Ltd. The" together.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache

import spacy
from spacy.language import Language
from spacy.tokens import Doc

from analyser.document import Block, Document
from analyser.language import detect_language, pipeline_language
from analyser.parts import FRAME_PARTS, find_parts, is_annex
from analyser.patterns import load_yaml_resource

MAX_CHUNK = 50_000  # characters per spaCy call; far below spaCy's 1M limit (E088)

_ARTICLE = re.compile(
    r"^(?P<word>article|art\.|clause|section|paragraph|artikkel|artikel|punkt|kapittel|chapter)"
    r"\s+(?P<num>\d{1,3}(?:\.\d{1,3})*|[IVXLC]{1,7})\b[.:)]?\s*[-–—:.]?\s*(?P<rest>.*)$",
    re.IGNORECASE | re.DOTALL,
)
_PARAGRAPH_SIGN = re.compile(
    r"^§\s*(?P<num>\d{1,3}(?:\.\d{1,3})*)\.?\s*[-–—:.]?\s*(?P<rest>.*)$", re.DOTALL
)
_NUMBERED = re.compile(
    r"^(?P<num>\d{1,2}(?:\.\d{1,3}){0,3})(?:\.|\))?\s+(?P<rest>\S.*)$", re.DOTALL
)
_LETTERED = re.compile(
    r"^\((?P<item>[a-z]{1,2}|[ivx]{1,5}|\d{1,2})\)\s+\S|^(?P<item2>[a-z])\)\s+\S"
)
_MAX_HEADING_WORDS = 10


@dataclass(frozen=True)
class Sentence:
    text: str
    start: int
    end: int
    page: int | None
    section: str | None
    block: int
    heading: bool = False
    # Which part of the agreement the sentence stands in: "Preamble", "Recitals", "Annex 2",
    # "Signature block", "footnote 3"; None for the operative body. Operative text outweighs
    # recitals when a clause is judged, and an annex clause is cited with its annex.
    part: str | None = None


@dataclass
class SegmentedDocument:
    document: Document
    language: str
    pattern_lang: str
    sentences: list[Sentence]
    block_sections: list[str | None]


def _looks_like_heading(rest: str) -> bool:
    words = rest.split()
    return 0 < len(words) <= _MAX_HEADING_WORDS and not rest.rstrip().endswith((".", ";", ","))


class _SectionTracker:
    """Carries the current article and sub-clause from block to block."""

    def __init__(self) -> None:
        self.top: str | None = None
        self.article: str | None = None  # "Article 3" when the top level is a named article
        self.sub: str | None = None
        self.item: str | None = None

    def _set_top(self, label: str, article: str | None = None) -> None:
        self.top, self.article, self.sub, self.item = label, article, None, None

    def feed(self, block: Block) -> str | None:
        text = block.text.strip()
        first_line = text.split("\n", 1)[0]
        if block.number:
            self._numbered(block.number.strip().rstrip(".)"), first_line, block.kind == "heading")
            return self.label()
        if m := _ARTICLE.match(first_line):
            word = m.group("word").rstrip(".").capitalize()
            rest = m.group("rest").strip()
            short = f"{word} {m.group('num')}"
            label = f"{short} {rest}" if rest and _looks_like_heading(rest) else short
            self._set_top(label, short)
            return self.label()
        if m := _PARAGRAPH_SIGN.match(first_line):
            rest = m.group("rest").strip()
            short = f"§ {m.group('num')}"
            self._set_top(f"{short} {rest}" if rest and _looks_like_heading(rest) else short, short)
            return self.label()
        if m := _NUMBERED.match(first_line):
            self._numbered(m.group("num"), m.group("rest"), block.kind == "heading")
            return self.label()
        if m := _LETTERED.match(first_line):
            self.item = f"({m.group('item') or m.group('item2')})"
            return self.label()
        if block.kind == "heading" and _looks_like_heading(first_line):
            self._set_top(" ".join(first_line.split()))
        else:
            self.item = None
        return self.label()

    def _numbered(self, num: str, rest: str, is_heading: bool) -> None:
        if "." in num:
            self.sub, self.item = num, None
        elif self.article and not is_heading and not _looks_like_heading(rest):
            # "1. The Parties ..." under "Article 3" is paragraph 1 of Article 3.
            self.sub, self.item = f"{self.article}({num})", None
        elif is_heading or _looks_like_heading(rest):
            self._set_top(f"{num} {' '.join(rest.split())}".strip())
        else:
            self._set_top(num)

    def label(self) -> str | None:
        base = self.sub or self.top
        if base and self.item:
            return f"{base}{self.item}"
        return base or self.item


@lru_cache(maxsize=1)
def _abbreviations() -> tuple[frozenset[str], frozenset[str]]:
    data = load_yaml_resource("abbreviations.yaml")
    return frozenset(data["never_final"]), frozenset(data["may_end"])


def _abbreviation_before(doc: Doc, i: int) -> str | None:
    """The abbreviation (lower-case, no final dot) that token i's full stop belongs to, if any."""
    tok = doc[i]
    if tok.text == "." and i > 0 and not doc[i - 1].whitespace_:
        return doc[i - 1].lower_
    if tok.text.endswith(".") and len(tok.text) > 1:
        return tok.lower_[:-1]
    return None


@Language.component("legal_sentence_boundaries")
def legal_sentence_boundaries(doc: Doc) -> Doc:
    """Sentence boundaries for contract text: full stops, ?, ! and line-initial enumerations."""
    never_final, may_end = _abbreviations()
    for tok in doc[1:]:
        tok.is_sent_start = False
    doc[0].is_sent_start = True if len(doc) else None
    for i in range(len(doc) - 1):
        tok, nxt = doc[i], doc[i + 1]
        if nxt.is_space:
            continue
        j = i + 1
        boundary = False
        if tok.text in {"?", "!"} or tok.text.endswith((".", "?", "!")) and tok.text not in {"..."}:
            abbr = _abbreviation_before(doc, i) if tok.text.endswith(".") else None
            if abbr is None or abbr.isdigit():
                # A full stop after a bare number is clause numbering ("5.") unless the
                # sentence so far is long, and never splits before a lower-case word.
                boundary = not nxt.text[:1].islower() and not (abbr and abbr.isdigit() and i < 2)
            elif abbr in never_final or len(abbr) == 1:
                boundary = False
            elif abbr in may_end:
                boundary = nxt.text[:1].isupper()
            else:
                boundary = not nxt.text[:1].islower()
        elif tok.is_space and "\n" in tok.text and _LETTERED.match(doc[j:].text[:8] + " x"):
            boundary = True
        if boundary:
            doc[j].is_sent_start = True
    return doc


def _is_heading_line(text: str) -> bool:
    """A numbered title standing alone ("Article 8 – Intellectual property", "§ 4 Oppsigelse")."""
    if "\n" in text or text.endswith((".", ";", ":", ",")):
        return False
    for pattern in (_ARTICLE, _PARAGRAPH_SIGN, _NUMBERED):
        if m := pattern.match(text):
            rest = m.group("rest").strip()
            return not rest or _looks_like_heading(rest)
    return False


def _with_item(section: str | None, sentence: str) -> str | None:
    """Refine a block's section with the list item a sentence opens, e.g. "9.1(b)"."""
    m = _LETTERED.match(sentence)
    if not m:
        return section
    item = f"({m.group('item') or m.group('item2')})"
    base = re.sub(r"\([a-z0-9]{1,5}\)$", "", section or "")
    return f"{base}{item}"


@lru_cache(maxsize=4)
def sentence_pipeline(lang: str) -> Language:
    """A blank spaCy pipeline with our boundary rules; cached because building it costs ~50 ms."""
    nlp = spacy.blank(lang)
    nlp.add_pipe("legal_sentence_boundaries")
    return nlp


def _chunks(block: Block) -> Iterator[tuple[str, int]]:
    """Block text in pieces spaCy can take, cut at whitespace, with their offsets."""
    text, offset = block.text, block.start
    while len(text) > MAX_CHUNK:
        # Prefer a sentence end, then any space, so a cut rarely splits a sentence.
        cut = text.rfind(". ", 0, MAX_CHUNK) + 1 or text.rfind(" ", 0, MAX_CHUNK)
        cut = cut if cut > MAX_CHUNK // 2 else MAX_CHUNK
        yield text[:cut], offset
        text, offset = text[cut:], offset + cut
    yield text, offset


def opens_clause(block: Block) -> bool:
    """True when a block begins a numbered clause (Word numbering, "Article 3", "§ 2", "4.1")."""
    if block.number:
        return True
    first_line = block.text.strip().split("\n", 1)[0]
    return any(p.match(first_line) for p in (_ARTICLE, _PARAGRAPH_SIGN, _NUMBERED))


def _locate(part: str | None, label: str | None) -> str | None:
    """The citation of a clause within its part: "Annex 2, 1.3", "Recitals", "3.2(a)"."""
    if part is None:
        return label
    if part in FRAME_PARTS:
        return part
    return f"{part}, {label}" if label else part


def block_sections(blocks: list[Block], parts: list[str | None]) -> list[str | None]:
    """The located section of every block, numbering restarting in each annex.

    A footnote is located by the clause that refers to it ("footnote 3, Article 6") and does
    not move the numbering; an annex heading is cited as the annex itself.
    """
    tracker = _SectionTracker()
    sections: list[str | None] = []
    previous: str | None = None
    for block, part in zip(blocks, parts, strict=True):
        if block.part:  # footnotes/endnotes follow the paragraph that refers to them
            sections.append(_locate(block.part, tracker.label()))
            continue
        if part != previous and (is_annex(part) or previous in {"Preamble", "Recitals"}):
            tracker = _SectionTracker()  # an annex numbers its clauses from 1 again
            previous = part
            if is_annex(part):
                sections.append(part)
                continue
        previous = part
        sections.append(_locate(part, tracker.feed(block)))
    return sections


def segment(document: Document, language: str | None = None) -> SegmentedDocument:
    """Sentences with page, section and part for every body block of the document."""
    lang = language or detect_language(document.text)
    pattern_lang = pipeline_language(lang)
    nlp = sentence_pipeline(pattern_lang)
    parts = find_parts(document.blocks, opens_clause)
    sections = block_sections(document.blocks, parts)
    pieces = [
        (text, offset, idx) for idx, b in enumerate(document.blocks) for text, offset in _chunks(b)
    ]
    sentences: list[Sentence] = []
    for doc, (_text, offset, idx) in zip(nlp.pipe(p[0] for p in pieces), pieces, strict=True):
        block = document.blocks[idx]
        for sent in doc.sents:
            raw = sent.text
            stripped = raw.strip()
            if not stripped:
                continue
            start = offset + sent.start_char + (len(raw) - len(raw.lstrip()))
            section = sections[idx]
            if parts[idx] not in FRAME_PARTS and not block.part:
                section = _with_item(section, stripped)
            heading = block.kind == "heading" or _is_heading_line(stripped)
            sentences.append(
                Sentence(
                    stripped,
                    start,
                    start + len(stripped),
                    block.page,
                    section,
                    idx,
                    heading,
                    parts[idx],
                )
            )
    return SegmentedDocument(document, lang, pattern_lang, sentences, sections)
