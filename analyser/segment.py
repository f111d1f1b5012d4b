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
from dataclasses import dataclass, field
from functools import lru_cache

import numpy
import spacy
from spacy.attrs import SENT_START
from spacy.language import Language
from spacy.tokens import Doc

from analyser.block_language import block_languages, language_shares, parallel_blocks
from analyser.document import Block, Document
from analyser.language import detect_language, pipeline_language
from analyser.normalise import NormalisationCounts, normalise
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
# Japanese articles: "第3条" (Article 3), "第3条の2" (its paragraph 2), full-width digits too.
_JA_ARTICLE = re.compile(
    r"^(?:[-*\u2022]\s*)?第\s*(?P<num>\d{1,3})\s*条(?:の\s*(?P<sub>\d{1,2}))?(?P<rest>.*)$",
    re.DOTALL,
)
_NUMBERED = re.compile(
    r"^(?P<num>\d{1,2}(?:\.\d{1,3}){0,3})(?:\.|\))?\s+(?P<rest>\S.*)$", re.DOTALL
)
_LETTERED = re.compile(
    r"^\((?P<item>[a-z]{1,2}|[ivx]{1,5}|\d{1,2})\)\s+\S|^(?P<item2>[a-z])\)\s+\S"
)
# Word's automatic numbering of list items: "(a)", "a)", "a.", "(iv)", "(1)".
_ITEM_NUMBER = re.compile(
    r"^\((?P<item>[a-zA-Z]{1,2}|[ivxlcIVXLC]{1,6}|\d{1,2})\)$"
    r"|^(?P<item2>[a-zA-Z]{1,2}|[ivxlcIVXLC]{1,6})[.)]$"
)
# A clause number standing alone, e.g. in its own table cell beside the clause text.
_BARE_NUMBER = re.compile(r"^(?P<num>\d{1,2}(?:\.\d{1,3}){0,3})(?P<end>[.)])?$")
_ROMAN = re.compile(r"^[ivxlc]+$", re.IGNORECASE)
_TRAILING_ITEMS = re.compile(r"(?:\([a-zA-Z0-9]{1,6}\))+$")
_MAX_HEADING_WORDS = 10


def _next_item(current: str | None, item: str) -> str:
    """The item path after ``current`` when item ``item`` opens: "(b)", or "(a)(i)" when a
    roman numeral opens a sub-list under a lettered item (but "(i)" right after "(h)" is a
    letter)."""
    label = f"({item})"
    if not current:
        return label
    first = current[1 : current.index(")")]
    nested = (
        _ROMAN.match(item)
        and len(first) == 1
        and first.isalpha()
        and not _ROMAN.match(first)
        and not (len(item) == 1 and ord(item.lower()) == ord(first.lower()) + 1)
    )
    return f"({first}){label}" if nested else label


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
    # What rules, model and red flags read: NFKC, no invisible characters, homoglyphs folded
    # (analyser.normalise). ``text`` stays the verbatim quote.
    match_text: str = ""
    language: str | None = None  # the block's language when the document mixes languages

    def __post_init__(self) -> None:
        if not self.match_text:
            object.__setattr__(self, "match_text", self.text)


@dataclass
class SegmentedDocument:
    document: Document
    language: str
    pattern_lang: str
    sentences: list[Sentence]
    block_sections: list[str | None]
    normalisation: NormalisationCounts = field(default_factory=NormalisationCounts)
    languages: dict[str, float] = field(default_factory=dict)  # share per language, if mixed
    parallel: dict[int, int] = field(default_factory=dict)  # translation → original block

    def sentence_languages(self) -> list[str]:
        """Each sentence's language, the document's where none was set."""
        return [s.language or self.language for s in self.sentences]


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
            number = block.number.strip()
            if block.kind != "heading" and (m := _ITEM_NUMBER.match(number)):
                self.item = _next_item(self.item, m.group("item") or m.group("item2"))
                return self.label()
            if _BARE_NUMBER.match(number):
                self._numbered(number.rstrip(".)"), first_line, block.kind == "heading")
                return self.label()
            # "Article 3", "§ 2", "3.2.": read with the text, as if typed.
            first_line = f"{number} {first_line}"
        elif m := _BARE_NUMBER.match(text):
            if m.group("end") or "." in m.group("num") or self._expects(int(m.group("num"))):
                self._numbered(m.group("num"), "", False)
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
        if m := _JA_ARTICLE.match(first_line):
            article = f"第{int(m.group('num'))}条"
            if article != self.article:
                self._set_top(article, article)
            self.sub = f"{article}の{int(m.group('sub'))}" if m.group("sub") else None
            self.item = None
            return self.label()
        if m := _LETTERED.match(first_line):
            self.item = _next_item(self.item, m.group("item") or m.group("item2"))
            return self.label()
        if block.kind == "heading" and _looks_like_heading(first_line):
            self._set_top(" ".join(first_line.split()))
        else:
            self.item = None
        return self.label()

    def _expects(self, number: int) -> bool:
        """Whether a bare integer (a number alone in a table cell) continues the numbering:
        1, or one more than the current top clause or article paragraph. A quantity in a
        budget table rarely does."""
        if number == 1:
            return True
        current = self.sub if self.article and self.sub else self.top
        m = re.search(r"(\d+)\)?$" if self.article and self.sub else r"^(\d+)", current or "")
        return m is not None and int(m.group(1)) == number - 1

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

    def clause(self) -> str | None:
        """The clause without its list item: "3.2", "Article 3(1)", "Annex heading"."""
        return self.sub or self.top

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
    """Sentence boundaries for contract text: full stops, ?, ! and line-initial enumerations.

    Speed (issue 18): the boundaries are decided on plain lists of the tokens' texts and set
    in one ``Doc.from_array`` call; setting ``Token.is_sent_start`` token by token makes spaCy
    check the whole document for a parse each time (quadratic in a paragraph's tokens).
    """
    length = len(doc)
    if not length:
        return doc
    never_final, may_end = _abbreviations()
    words = [tok.text for tok in doc]
    spaces = [tok.is_space for tok in doc]
    starts = numpy.full((length, 1), -1, dtype=numpy.int64)  # -1: not a sentence start
    starts[0, 0] = 1
    text: str | None = None  # doc.text joins every token: built once, when first needed
    for i in range(length - 1):
        if spaces[i + 1]:
            continue
        word, nxt = words[i], words[i + 1]
        j = i + 1
        boundary = False
        if word in {"?", "!"} or word.endswith((".", "?", "!")) and word not in {"..."}:
            abbr = _abbreviation_before(doc, i) if word.endswith(".") else None
            if abbr is None or abbr.isdigit():
                # A full stop after a bare number is clause numbering ("5.") unless the
                # sentence so far is long, and never splits before a lower-case word.
                boundary = not nxt[:1].islower() and not (abbr and abbr.isdigit() and i < 2)
            elif abbr in never_final or len(abbr) == 1:
                boundary = False
            elif abbr in may_end:
                boundary = nxt[:1].isupper()
            else:
                boundary = not nxt[:1].islower()
        elif spaces[i] and "\n" in word:
            if text is None:
                last = doc[-1]
                text = doc.text[: last.idx + len(last.text)]  # as doc[j:].text ends
            boundary = bool(_LETTERED.match(text[doc[j].idx : doc[j].idx + 8] + " x"))
        if boundary:
            starts[j, 0] = 1
    doc.from_array([SENT_START], starts.astype(numpy.uint64))  # type: ignore[arg-type]
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
    return any(p.match(first_line) for p in (_ARTICLE, _PARAGRAPH_SIGN, _NUMBERED, _JA_ARTICLE))


def _locate(part: str | None, label: str | None) -> str | None:
    """The citation of a clause within its part: "Annex 2, 1.3", "Recitals", "3.2(a)"."""
    if part is None:
        return label
    if part in FRAME_PARTS:
        return part
    return f"{part}, {label}" if label else part


@dataclass(frozen=True)
class _Location:
    """Where a block stands: its part, its clause and the list item it is in."""

    part: str | None
    clause: str | None
    item: str | None = None

    def cite(self) -> str | None:
        return _locate(self.part, f"{self.clause or ''}{self.item or ''}" or None)

    def of_sentence(self, sentence: str, in_body: bool) -> str | None:
        """Refined by the list item a sentence opens, e.g. "9.1(b)" or "3.2(a)(ii)"."""
        m = _LETTERED.match(sentence) if in_body else None
        if not m:
            return self.cite()
        item = _next_item(self.item, m.group("item") or m.group("item2"))
        return _locate(self.part, f"{self.clause or ''}{item}")


def _block_locations(blocks: list[Block], parts: list[str | None]) -> list[_Location]:
    """The location of every block, numbering restarting in each annex.

    A footnote is located by the clause that refers to it ("footnote 3, Article 6") and does
    not move the numbering; an annex heading is cited as the annex itself.
    """
    tracker = _SectionTracker()
    locations: list[_Location] = []
    previous: str | None = None
    cited: str | None = None  # where the last body block stands
    for block, part in zip(blocks, parts, strict=True):
        if block.part:  # footnotes/endnotes follow the paragraph that refers to them
            locations.append(_Location(block.part, cited))
            continue
        if part != previous and (is_annex(part) or previous in {"Preamble", "Recitals"}):
            tracker = _SectionTracker()  # an annex numbers its clauses from 1 again
            previous = part
            if is_annex(part):
                locations.append(_Location(part, None))
                cited = part
                continue
        previous = part
        tracker.feed(block)
        locations.append(_Location(part, tracker.clause(), tracker.item))
        cited = locations[-1].cite()
    return locations


def block_sections(document: Document) -> list[str | None]:
    """The clause each block stands in ("Article 6", "Annex 2, 1.3"), as :func:`segment` cites
    it, without splitting sentences: for callers that need only the article of each paragraph
    (the word-level redline), at a small fraction of the cost of :func:`segment`."""
    parts = find_parts(document.blocks, opens_clause)
    return [location.cite() for location in _block_locations(document.blocks, parts)]


def segment(document: Document, language: str | None = None) -> SegmentedDocument:
    """Sentences with page, section and part for every body block of the document."""
    lang = language or detect_language(document.text)
    pattern_lang = pipeline_language(lang)
    nlp = sentence_pipeline(pattern_lang)
    per_block = block_languages(document.blocks, lang)
    shares = language_shares(document.blocks, per_block)
    parts = find_parts(document.blocks, opens_clause)
    locations = _block_locations(document.blocks, parts)
    sections = [location.cite() for location in locations]
    pieces = [
        (text, offset, idx) for idx, b in enumerate(document.blocks) for text, offset in _chunks(b)
    ]
    sentences: list[Sentence] = []
    normalisation = NormalisationCounts()
    for doc, (_text, offset, idx) in zip(nlp.pipe(p[0] for p in pieces), pieces, strict=True):
        block = document.blocks[idx]
        for sent in doc.sents:
            raw = sent.text
            stripped = raw.strip()
            if not stripped:
                continue
            start = offset + sent.start_char + (len(raw) - len(raw.lstrip()))
            in_body = parts[idx] not in FRAME_PARTS and not block.part
            section = locations[idx].of_sentence(stripped, in_body)
            heading = block.kind == "heading" or _is_heading_line(stripped)
            match_text, changes = normalise(stripped)
            normalisation.add(changes)
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
                    match_text,
                    per_block[idx] if shares else None,
                )
            )
    parallel = parallel_blocks(document.blocks, per_block) if shares else {}
    return SegmentedDocument(
        document, lang, pattern_lang, sentences, sections, normalisation, shares, parallel
    )
