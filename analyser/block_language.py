"""Language per block, for bilingual and mixed drafts, and matching each language with its rules.

Norwegian agreements with foreign partners are often bilingual: English beside Norwegian in a
two-column table, or each clause followed by its translation. One language for the whole
document would judge the Norwegian half with English rules. Each block therefore gets its
own language when it is long enough to tell (the function-word detector of
``analyser.language``), a short block takes its neighbour's, and a document counts as mixed
only when a second language holds a real share of the text, so that one Norwegian address in
an English contract does not switch rules for it.

Detector choice (measured on the samples' 411 blocks of 5+ words, README "Bilingual
documents"): lingua-language-detector was slightly more accurate overall (0.94 vs 0.92) but
took 11 ms per block against 0.9 ms, 25 s and ~300 MB to load its models, a 96 MB wheel, and
confused bokmål with nynorsk 20 times where ours did 7 times; the function-word profile stays.
"""

from __future__ import annotations

import dataclasses
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Protocol

from analyser.document import Block
from analyser.language import _WORD, _profiles, detect_language, pipeline_language
from analyser.report import ClauseResult, Evidence, RedFlag

if TYPE_CHECKING:  # rules and segment import this module
    from analyser.rules import RuleHit
    from analyser.segment import SegmentedDocument

MIN_WORDS = 8  # fewer words than this: the block takes its neighbour's language
MIN_SECOND_SHARE = 0.15  # a second language below this share of the text is incidental
_SCANDINAVIAN = frozenset({"nb", "nn", "da", "sv"})
_TEXT_LANGS = {"en", "nb", "nn", "da", "de", "fr", "nl", "sv", "ja", "zh"}


class _Matcher(Protocol):
    def match(self, texts: list[str]) -> list[RuleHit]: ...


def _could_be_mixed(blocks: Sequence[Block]) -> bool:
    """A cheap first look: do English and Norwegian function words both occur often enough
    that a second language may hold a real share? Most drafts are one language; they skip
    the per-block detection."""
    profiles = _profiles()
    words: Counter[str] = Counter()
    for block in blocks:
        words.update(map(str.lower, _WORD.findall(block.text)))
    families: dict[str, int] = {}
    for code, vocab in profiles.items():
        family = "scandinavian" if code in _SCANDINAVIAN else code  # they share "og", "av"
        families[family] = max(families.get(family, 0), sum(words[w] for w in vocab))
    scores = sorted(families.values())
    return len(scores) > 1 and scores[-1] > 0 and scores[-2] >= 0.5 * MIN_SECOND_SHARE * scores[-1]


def block_languages(blocks: Sequence[Block], document_language: str) -> list[str]:
    """The language of every block (ISO 639-1); the document's where a block cannot tell."""
    if not any(b.language for b in blocks) and not _could_be_mixed(blocks):
        return [document_language] * len(blocks)
    detected: list[str | None] = []
    for block in blocks:
        if block.language:
            detected.append(block.language)
        elif len(block.text.split()) >= MIN_WORDS:
            found = detect_language(block.text)
            if pipeline_language(found) == pipeline_language(document_language):
                found = document_language  # bokmål vs nynorsk: one set of rules, one language
            detected.append(found if found in _TEXT_LANGS else None)
        else:
            detected.append(None)
    weights: Counter[str] = Counter()
    for block, guess in zip(blocks, detected, strict=True):
        if guess:
            weights[guess] += len(block.text)
    total = sum(weights.values())
    second = [lang for lang, w in weights.items() if lang != document_language and total]
    mixed = any(weights[lang] / total >= MIN_SECOND_SHARE for lang in second)
    if not mixed:
        return [b.language or document_language for b in blocks]
    languages: list[str] = []
    previous = document_language
    for i, guess in enumerate(detected):
        # A short block (a heading, a cell "3.2") reads like what follows or precedes it.
        lang = guess or next((d for d in detected[i + 1 : i + 3] if d), None) or previous
        languages.append(lang)
        previous = lang
    return languages


def language_shares(blocks: Sequence[Block], languages: Sequence[str]) -> dict[str, float]:
    """Share of the text per language, e.g. {"en": 0.55, "nb": 0.45}; empty when only one."""
    sizes: Counter[str] = Counter()
    for block, lang in zip(blocks, languages, strict=True):
        sizes[lang] += len(block.text)
    total = sum(sizes.values())
    if len(sizes) < 2 or not total:
        return {}
    return {lang: round(size / total, 2) for lang, size in sizes.most_common()}


def match_by_language(
    texts: Sequence[str], languages: Sequence[str], matcher_for: Callable[[str], _Matcher]
) -> list[RuleHit]:
    """Rule hits over all sentences, each sentence matched by its own language's rules;
    hit indices refer to ``texts``."""
    groups: dict[str, list[int]] = defaultdict(list)
    for i, lang in enumerate(languages):
        groups[pipeline_language(lang)].append(i)
    hits: list[RuleHit] = []
    for lang, indices in groups.items():
        for hit in matcher_for(lang).match([texts[i] for i in indices]):
            hits.append(dataclasses.replace(hit, sentence=indices[hit.sentence]))
    hits.sort(key=lambda h: h.sentence)
    return hits


def parallel_blocks(blocks: Sequence[Block], languages: Sequence[str]) -> dict[int, int]:
    """Translation → original block index, for passages given in two languages.

    A bilingual draft pairs each passage with its translation: the next table cell of the row
    (EN | NB columns) or the next paragraph (a translation that follows). A block whose next
    neighbour is in another pattern language and of comparable length (within a factor of
    2.5, or both short titles) is taken as the original of that neighbour.
    """
    pairs: dict[int, int] = {}
    i = 0
    while i < len(blocks) - 1:
        a, b = blocks[i], blocks[i + 1]
        different = pipeline_language(languages[i]) != pipeline_language(languages[i + 1])
        la, lb = len(a.text), len(b.text)
        comparable = max(la, lb) <= 2.5 * min(la, lb) or max(la, lb) < 60
        if different and comparable and a.kind == b.kind and not a.part and not b.part:
            pairs[i + 1] = i
            i += 2
        else:
            i += 1
    return pairs


def attach_translations(
    results: Sequence[ClauseResult], flags: Sequence[RedFlag], segmented: SegmentedDocument
) -> None:
    """Show each passage of a bilingual draft once, with its translation beside it.

    Evidence from a translation whose original is also quoted is dropped (counted once); the
    remaining quote gets the other language's passage as ``translation``.
    """
    pairs = segmented.parallel
    if not pairs:
        return
    originals = {original: translation for translation, original in pairs.items()}
    blocks = segmented.document.blocks
    block_of = {(s.start, s.end): s.block for s in segmented.sentences}

    def other(block: int) -> int | None:
        return pairs.get(block, originals.get(block))

    def pair_up(evidence: list[Evidence]) -> list[Evidence]:
        kept: list[Evidence] = []
        seen: set[int] = set()
        for ev in evidence:
            block = block_of.get((ev.start, ev.end))
            partner = other(block) if block is not None else None
            if block is not None and (block in seen or (partner is not None and partner in seen)):
                continue  # the same passage in the other language is already quoted
            if block is not None:
                seen.add(block)
            if partner is not None:
                ev.translation = blocks[partner].text
            kept.append(ev)
        return kept

    for result in results:
        result.evidence = pair_up(result.evidence)
        for concern in result.concerns:
            concern.evidence = pair_up(concern.evidence)
    for flag in flags:
        flag.evidence = pair_up(flag.evidence)
