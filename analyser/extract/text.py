"""Plain-text and Markdown extraction.

Drafts arrive as text from e-mail bodies, exports of other tools and Windows editors, so the
encoding is unknown and the bytes may be anything. Decoding therefore never raises on bytes: it
ends in latin-1, which maps every byte. Only input that is evidently not text at all (NUL bytes
outside UTF-16, control characters) is refused, because analysing it would produce nonsense
findings rather than an error the user can act on.

The clause-start patterns live here because the PDF extractor reflows lines with the same
rules; keeping one definition means both formats cut paragraphs at the same places.
"""

from __future__ import annotations

import codecs
import re

from analyser.document import BlockKind, Document, join_blocks
from analyser.errors import CorruptDocument, DocumentTooLarge, NoTextLayer
from analyser.limits import Limits

Part = tuple[str, int | None, BlockKind, str | None, int | None]

# A line that opens a clause: "1.", "2.3", "2.3.1.", "4)", "(a)", "a)", "(iv)", "§ 4",
# "Article 5", "Section 2", "Clause 7", Norwegian "Artikkel 3" / "Punkt 2", "Annex II".
# A bare integer without a dot ("2024 the parties") is deliberately NOT a clause start: wrapped
# lines often begin with years or amounts.
CLAUSE_START_RE = re.compile(
    r"""^\s*(?:
        \d{1,3}(?:\.\d{1,3})+\.?(?=\s|$)       # 2.3  2.3.1.
      | \d{1,3}[.)](?=\s|$)                    # 1.  4)
      | \(\s*(?:[a-z]{1,2}|[ivxlc]{1,6}|\d{1,3})\s*\)(?=\s|$)   # (a) (iv) (3)
      | (?:[a-z]|[ivxlc]{1,6})\)(?=\s|$)       # a)  iv)
      | §+\s*\d+                               # § 4
      | (?:article|art\.|section|clause|chapter|annex|appendix|schedule
          |artikkel|paragraf|punkt|kapittel|vedlegg)\s+(?:\d+|[ivxlc]+\b)
    )""",
    re.IGNORECASE | re.VERBOSE,
)
BULLET_RE = re.compile(r"^\s*[-*\u2022\u25aa\u25e6\u2013\u25cf]\s+\S")
# A title line standing on its own above its paragraph ("Confidential Information",
# "DEFINITIONS"): short, capitalised, no end punctuation, not ending on a word that carries on.
_TITLE_LINE_RE = re.compile(r"^[^\W\d_][^.;:,!?\[\]]{0,79}$")
_CARRIES_ON = frozenset(
    {"a", "an", "and", "or", "of", "the", "to", "for", "in", "on", "with", "by", "as", "at"}
    | {"from", "that", "which", "og", "eller", "av", "i", "på", "til", "med", "som", "ved"}
    | {"fra", "om", "en", "et", "ei"}
)
_MAX_TITLE_WORDS = 8
MD_HEADING_RE = re.compile(r"^\s{0,3}(#{1,6})\s+(.*?)(?:\s+#+)?\s*$")
_SENTENCE_END_RE = re.compile(r"[.:;!?)]\s*$")

# Byte-order marks, longest first: the UTF-32 LE mark begins with the UTF-16 LE one.
_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
_SNIFF_BYTES = 8192
# Control characters that never occur in real text (tab, LF, VT, FF, CR and ESC are allowed).
_CONTROL_RE = re.compile(r"[\x00-\x08\x0e-\x1a\x1c-\x1f\x7f]")
_MAX_CONTROL_RATIO = 0.01
BINARY_REASON = "binary file, not text"


def starts_clause(line: str) -> bool:
    """True when ``line`` opens a numbered clause or a bullet item."""
    return bool(CLAUSE_START_RE.match(line) or BULLET_RE.match(line))


def ends_sentence(line: str) -> bool:
    """True when a line ends like the last line of a paragraph or a lead-in (``including:``)."""
    return bool(_SENTENCE_END_RE.search(line))


def _utf16_without_bom(sample: bytes) -> str | None:
    """Guess UTF-16 from NUL placement: Latin text in UTF-16 has a NUL in every other byte."""
    pairs = len(sample) // 2
    if pairs < 2:
        return None
    even = sample[0 : pairs * 2 : 2].count(0) / pairs
    odd = sample[1 : pairs * 2 : 2].count(0) / pairs
    if odd > 0.3 and even < 0.05:
        return "utf-16-le"
    if even > 0.3 and odd < 0.05:
        return "utf-16-be"
    return None


def decode_text(data: bytes, path: str | None = None) -> tuple[str, str]:
    """Return ``(text, encoding)``; raise :class:`CorruptDocument` only for non-text bytes.

    Order matters: a BOM is the strongest evidence, then the UTF-16 NUL pattern (which would
    otherwise look binary), then strict UTF-8 (which almost never decodes by accident), then the
    Windows code page that Nordic and Western drafts use, then latin-1 which cannot fail.
    """
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return _check_text(data[len(bom) :].decode(encoding, errors="replace"), path), encoding
    guessed = _utf16_without_bom(data[:_SNIFF_BYTES])
    if guessed:
        try:
            return _check_text(data.decode(guessed), path), guessed
        except UnicodeDecodeError as e:
            raise CorruptDocument(BINARY_REASON, path) from e
    if b"\x00" in data:
        raise CorruptDocument(BINARY_REASON, path)
    for encoding in ("utf-8", "cp1252"):
        try:
            return _check_text(data.decode(encoding), path), encoding
        except UnicodeDecodeError:
            continue
    return _check_text(data.decode("latin-1"), path), "latin-1"


def _check_text(text: str, path: str | None) -> str:
    """Refuse decoded text that is mostly control characters: that is a binary file."""
    if text and len(_CONTROL_RE.findall(text)) / len(text) > _MAX_CONTROL_RATIO:
        raise CorruptDocument(BINARY_REASON, path)
    return text


def normalise_newlines(text: str) -> str:
    """Unify line endings; a form feed (page break in text exports) separates paragraphs."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = text.replace("\u2028", "\n").replace("\u2029", "\n\n").replace("\f", "\n\n")
    return text.replace("\ufeff", "")


def _wrap_width(lines: list[str]) -> int:
    """The width text was hard-wrapped at: the 90th percentile of non-blank line lengths."""
    lengths = sorted(len(line.rstrip()) for line in lines if line.strip())
    if not lengths:
        return 0
    return lengths[int(0.9 * (len(lengths) - 1))]


def _is_title_line(line: str, short: float) -> bool:
    """A line that titles the paragraph below it rather than beginning its first sentence."""
    words = line.split()
    return (
        0 < len(words) <= _MAX_TITLE_WORDS
        and len(line) < short
        and line[:1].isupper()
        and bool(_TITLE_LINE_RE.match(line))
        and words[-1].lower() not in _CARRIES_ON
    )


def split_paragraphs(text: str) -> list[Part]:
    """Cut normalised text into blocks.

    A blank line ends a paragraph. A clause-number or bullet line starts a new one only when
    the line before it could end a paragraph (ends with punctuation or stops well short of the
    wrap width): otherwise it is a wrapped line that happens to begin with "Article 5 of ...".
    Markdown ``#`` headings are always their own block, and so is a title line above its
    paragraph ("Confidential Information" / "When used in this Agreement ..."), so that the
    paragraph is cited by it.
    """
    lines = text.split("\n")
    short = 0.7 * _wrap_width(lines)
    parts: list[Part] = []
    current: list[str] = []
    kind: BlockKind = "paragraph"

    def flush() -> None:
        nonlocal current, kind
        if current:
            parts.append((" ".join(current), None, kind, None, None))
        current, kind = [], "paragraph"

    for raw in lines:
        line = raw.strip()
        heading = MD_HEADING_RE.match(raw)
        if not line:
            flush()
        elif heading:
            flush()
            parts.append((heading.group(2), None, "heading", None, len(heading.group(1))))
        else:
            prev = current[-1] if current else ""
            if current and starts_clause(line) and (ends_sentence(prev) or len(prev) < short):
                flush()
            elif (
                len(current) == 1
                and line[:1].isupper()
                and _is_title_line(prev, max(short, 0.7 * len(line)))
            ):
                kind = "heading"  # the title gets its own block, so sections can cite it
                flush()
            if not current and BULLET_RE.match(line):
                kind = "list_item"
            current.append(line)
    flush()
    return parts


def extract_text(
    data: bytes, *, name: str, path: str, sha256: str, limits: Limits | None = None
) -> Document:
    """Extract a TXT/Markdown file; ``pages`` is None because text has no pagination."""
    limits = limits or Limits()
    # No encoding spends more than 4 bytes on a character, so a file over 4 bytes per allowed
    # character is too long whatever its encoding, and is refused without being decoded.
    if len(data) // 4 > limits.max_chars:
        raise DocumentTooLarge(
            f"text file of {len(data) / 2**20:.1f} MB holds more than {limits.max_chars:,} "
            "characters, the limit",
            path,
        )
    text, encoding = decode_text(data, path)
    if len(text) > limits.max_chars:
        raise DocumentTooLarge(
            f"document has {len(text):,} characters of text; the limit is {limits.max_chars:,}",
            path,
        )
    full, blocks = join_blocks(split_paragraphs(normalise_newlines(text)))
    if not full:
        raise NoTextLayer("text file contains no text (empty or only blank lines)", path)
    warnings = []
    if "\ufffd" in text:
        warnings.append(f"undecodable bytes replaced while reading {encoding} text")
    return Document(name, path, sha256, "txt", full, blocks, pages=None, warnings=warnings)
