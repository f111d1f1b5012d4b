"""Research-security red flags: terms an adviser must notice, with the sentences that show them.

The guidance (EU Council Recommendation 2024 §14, HK-dir, the national threat assessment) asks
advisers to escalate "elements that raise concerns" that are not clauses at all: a partner's
veto over publication, results assigned to one side, data kept abroad, a listed country,
dual-use subject matter, talent-programme duties, an agreement with no way out. The flags are
data (``clause_patterns/red_flags.yaml``, countries in ``countries.yaml``) written in the
clause files' rule language, and they are matched by the very same
:class:`~analyser.rules.ClauseMatcher`: each flag becomes a clause-shaped spec whose elements
are its signals and clears, so wildcard expansion, ``unless`` and negation behave exactly as
they do for clauses.
"""

from __future__ import annotations

import dataclasses
import re
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from analyser.block_language import match_by_language
from analyser.errors import PatternError
from analyser.patterns import (
    ClauseSpec,
    ElementSpec,
    LineDict,
    Rule,
    _fail,
    _rules,
    _title,
    load_yaml_file,
    patterns_dir,
)
from analyser.report import ClauseResult, Evidence, RedFlag
from analyser.rules import ClauseMatcher, RuleHit

if TYPE_CHECKING:
    from analyser.profiles import Profile
    from analyser.segment import SegmentedDocument, Sentence

SEVERITIES = ("high", "medium", "low")
SCOPES = ("document", "section")
MAX_EVIDENCE = 4  # quotes per flag: enough to find every place, short enough to read
_CLEAR_PREFIX = "clear:"  # element ids of clears inside the clause-shaped spec
_FLAG_KEYS = {
    "id", "title", "severity", "why", "check", "signals", "clears", "default", "source",
    "contradicts",
}
_SIGNAL_KEYS = {"id", "title", "rules", "unless_found", "only_with", "unless_clause_element"}
_ARTICLE_KEY = re.compile(
    r"^\s*((?:article|artikkel|section|clause|chapter|kapittel|punkt|art\.|§)?\s*\d+)",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Signal:
    """Sentences that raise a flag, and the conditions that keep it silent."""

    id: str
    rules: tuple[Rule, ...]
    unless_found: tuple[str, ...] = ()
    only_with: tuple[str, ...] = ()
    unless_clause_element: tuple[str, str] | None = None


@dataclass(frozen=True)
class Clear:
    """Wording that defuses a signal when found in the same section or anywhere."""

    id: str
    scope: str
    rules: tuple[Rule, ...]


@dataclass(frozen=True)
class FlagSpec:
    id: str
    title: dict[str, str]
    severity: str
    why: dict[str, str]
    check: dict[str, str]
    signals: tuple[Signal, ...]
    clears: tuple[Clear, ...] = ()
    default: bool = True
    path: str = ""
    contradicts: str | None = None  # the framework clause this flag undermines

    def as_clause(self) -> ClauseSpec:
        """The flag in clause shape, so that ClauseMatcher can match its rules."""
        elements = [ElementSpec(s.id, {"en": s.id}, True, s.rules) for s in self.signals]
        elements += [
            ElementSpec(_CLEAR_PREFIX + c.id, {"en": c.id}, False, c.rules) for c in self.clears
        ]
        return ClauseSpec(self.id, self.title, "", "", tuple(elements), (), {"en": ""})


@dataclass
class FlagSet:
    """All flags known to a profile (shipped plus its own files), with matchers per language."""

    flags: dict[str, FlagSpec]
    labels: dict[str, dict[str, str]]
    _matchers: dict[tuple[tuple[str, ...], str], ClauseMatcher] = field(
        default_factory=dict, repr=False
    )

    def matcher(self, ids: tuple[str, ...], lang: str) -> ClauseMatcher:
        key = (ids, lang)
        if key not in self._matchers:
            self._matchers[key] = ClauseMatcher([self.flags[i].as_clause() for i in ids], lang)
        return self._matchers[key]

    def default_ids(self) -> tuple[str, ...]:
        return tuple(i for i, f in self.flags.items() if f.default)


# --------------------------------------------------------------------------- loading


def builtin_red_flags_path() -> Path:
    return patterns_dir() / "red_flags.yaml"


def load_countries(path: Path) -> dict[str, dict[str, tuple[str, ...]]]:
    """Country lists as {list id: {"names": terms, "adjectives": terms}}, all languages."""
    data = load_yaml_file(path)
    if not isinstance(data, dict) or not isinstance(data.get("lists"), dict):
        raise PatternError("a countries file must be a mapping with 'lists'", str(path))
    if not data.get("source"):
        raise _fail(path, data, "a countries file must say its 'source'")
    lists: dict[str, dict[str, tuple[str, ...]]] = {}
    for list_id, entry in data["lists"].items():
        if not isinstance(entry, dict) or not isinstance(entry.get("countries"), list):
            raise _fail(path, entry if isinstance(entry, dict) else data["lists"],
                        f"list {list_id!r} needs 'countries'")
        kinds: dict[str, list[str]] = {"names": [], "adjectives": []}
        for country in entry["countries"]:
            if not isinstance(country, dict) or "names" not in country:
                raise _fail(path, country if isinstance(country, dict) else entry,
                            f"list {list_id!r}: each country needs 'names'")
            for kind in kinds:
                by_lang = country.get(kind) or {}
                if not isinstance(by_lang, dict):
                    raise _fail(path, country, f"{kind} must be keyed by language (en, nb)")
                for words in by_lang.values():
                    if not isinstance(words, list) or not all(
                        isinstance(w, str) and w.strip() for w in words
                    ):
                        raise _fail(path, country, f"{kind} must be lists of names")
                    kinds[kind] += [" ".join(w.lower().split()) for w in words]
        lists[str(list_id)] = {k: tuple(dict.fromkeys(v)) for k, v in kinds.items()}
    return lists


def _expand_countries(
    path: Path, raw: Any, countries: dict[str, dict[str, tuple[str, ...]]]
) -> Any:
    """Replace "@list" / "@list.names" / "@list.adjectives" in rule groups by the terms."""
    if not isinstance(raw, list):
        return raw
    expanded = []
    for item in raw:
        if isinstance(item, dict) and isinstance(item.get("all"), list):
            groups = []
            for group in item["all"]:
                terms = [group] if isinstance(group, str) else group
                if not isinstance(terms, list):
                    groups.append(group)
                    continue
                out: list[Any] = []
                for term in terms:
                    if isinstance(term, str) and term.startswith("@"):
                        name, _, kind = term[1:].partition(".")
                        if name not in countries or kind not in ("", "names", "adjectives"):
                            raise _fail(path, item, f"unknown country list {term!r} "
                                        f"(known: {', '.join(sorted(countries))})")
                        kinds = (kind,) if kind else ("names", "adjectives")
                        out += [t for k in kinds for t in countries[name][k]]
                    else:
                        out.append(term)
                groups.append(out)
            copy = LineDict(item)
            copy["all"] = groups
            copy.line = getattr(item, "line", 0)
            item = copy
        expanded.append(item)
    return expanded


def _ids(path: Path, node: Any, raw: Any, what: str) -> tuple[str, ...]:
    if raw is None:
        return ()
    if isinstance(raw, str):
        raw = [raw]
    if not isinstance(raw, list) or not all(isinstance(x, str) for x in raw):
        raise _fail(path, node, f"{what} must be a list of ids")
    return tuple(raw)


def _parse_signal(path: Path, node: Any, countries: dict[str, Any], flag: str) -> Signal:
    if not isinstance(node, dict) or "id" not in node or "rules" not in node:
        raise _fail(path, node, f"flag {flag}: each signal needs 'id' and 'rules'")
    unknown = set(node) - _SIGNAL_KEYS
    if unknown:
        raise _fail(path, node, f"signal {node['id']}: unknown key(s) {sorted(unknown)}")
    rules = _rules(path, node, _expand_countries(path, node["rules"], countries),
                   f"signal {node['id']}")
    element = node.get("unless_clause_element")
    pair: tuple[str, str] | None = None
    if element is not None:
        if not isinstance(element, dict) or set(element) != {"clause", "element"}:
            raise _fail(path, node, "unless_clause_element needs exactly 'clause' and 'element'")
        pair = (str(element["clause"]), str(element["element"]))
    return Signal(
        str(node["id"]),
        rules,
        _ids(path, node, node.get("unless_found"), "unless_found"),
        _ids(path, node, node.get("only_with"), "only_with"),
        pair,
    )


def _parse_flag(path: Path, node: Any, countries: dict[str, Any]) -> FlagSpec:
    if not isinstance(node, dict):
        raise PatternError("each flag must be a mapping", str(path))
    for key in ("id", "title", "severity", "why", "signals"):
        if key not in node:
            raise _fail(path, node, f"flag {node.get('id', '?')}: missing key '{key}'")
    flag_id = node["id"]
    if not isinstance(flag_id, str) or not re.fullmatch(r"[a-z][a-z0-9_]*", flag_id):
        raise _fail(path, node, f"flag id must be snake_case, got {flag_id!r}")
    unknown = set(node) - _FLAG_KEYS
    if unknown:
        raise _fail(path, node, f"flag {flag_id}: unknown key(s) {sorted(unknown)}")
    if node["severity"] not in SEVERITIES:
        raise _fail(path, node, f"flag {flag_id}: severity must be one of {SEVERITIES}")
    if not isinstance(node["signals"], list) or not node["signals"]:
        raise _fail(path, node, f"flag {flag_id}: 'signals' must be a non-empty list")
    signals = tuple(_parse_signal(path, s, countries, flag_id) for s in node["signals"])
    clears = []
    for c in node.get("clears") or []:
        if not isinstance(c, dict) or "id" not in c or "rules" not in c:
            raise _fail(path, c if isinstance(c, dict) else node,
                        f"flag {flag_id}: each clear needs 'id' and 'rules'")
        scope = c.get("scope", "document")
        if scope not in SCOPES:
            raise _fail(path, c, f"clear {c['id']}: scope must be one of {SCOPES}")
        rules = _rules(path, c, _expand_countries(path, c["rules"], countries), f"clear {c['id']}")
        clears.append(Clear(str(c["id"]), scope, rules))
    signal_ids = [s.id for s in signals]
    clear_ids = {c.id for c in clears}
    if len(set(signal_ids)) != len(signal_ids) or len(clear_ids) != len(clears):
        raise _fail(path, node, f"flag {flag_id}: duplicate signal or clear id")
    for s in signals:
        for ref in s.unless_found:
            if ref not in clear_ids:
                raise _fail(path, node, f"signal {s.id}: unless_found {ref!r} is not a clear "
                            f"of flag {flag_id}")
        for ref in s.only_with:
            if ref not in signal_ids or ref == s.id:
                raise _fail(path, node, f"signal {s.id}: only_with {ref!r} is not another "
                            f"signal of flag {flag_id}")
    contradicts = node.get("contradicts")
    if contradicts is not None and (
        not isinstance(contradicts, str) or not re.fullmatch(r"[a-z][a-z0-9_]*", contradicts)
    ):
        raise _fail(path, node, f"flag {flag_id}: contradicts must be a clause id")
    return FlagSpec(
        id=flag_id,
        title=_title(path, node, node["title"], f"flag {flag_id} title"),
        severity=str(node["severity"]),
        why={k: " ".join(v.split()) for k, v in
             _title(path, node, node["why"], f"flag {flag_id} why").items()},
        check={k: " ".join(v.split()) for k, v in
               _title(path, node, node.get("check") or {"en": "-"},
                      f"flag {flag_id} check").items()},
        signals=signals,
        clears=tuple(clears),
        default=bool(node.get("default", True)),
        path=str(path),
        contradicts=contradicts,
    )


def load_flag_file(path: Path) -> tuple[dict[str, FlagSpec], dict[str, dict[str, str]]]:
    """The flags of one file, validated, and its labels (e.g. "What to check:")."""
    data = load_yaml_file(path)
    if not isinstance(data, dict) or not isinstance(data.get("flags"), list):
        raise PatternError("a red-flag file must be a mapping with a 'flags' list", str(path))
    countries_rel = data.get("countries", "countries.yaml")
    countries_path = (path.parent / str(countries_rel)).resolve()
    countries = load_countries(countries_path) if countries_path.exists() else {}
    if not countries_path.exists() and "countries" in data:
        raise _fail(path, data, f"countries file {countries_rel!r} not found")
    flags: dict[str, FlagSpec] = {}
    for node in data["flags"]:
        spec = _parse_flag(path, node, countries)
        if spec.id in flags:
            raise _fail(path, node, f"duplicate flag id {spec.id!r}")
        flags[spec.id] = spec
    labels_raw = data.get("labels") or {}
    labels = {str(k): _title(path, labels_raw, v, f"label {k}") for k, v in labels_raw.items()}
    return flags, labels


@lru_cache(maxsize=8)
def load_flag_set(extra_files: tuple[str, ...] = ()) -> FlagSet:
    """The shipped flags plus a profile's own files; a later file may redefine an id."""
    flags, labels = load_flag_file(builtin_red_flags_path())
    for name in extra_files:
        more, more_labels = load_flag_file(Path(name))
        flags.update(more)
        labels.update(more_labels)
    return FlagSet(flags, labels)


# --------------------------------------------------------------------------- detection


def _article(section: str | None) -> str | None:
    """The article a sentence stands in ("8.2" and "8 DURATION" are both article 8)."""
    if not section:
        return None
    m = _ARTICLE_KEY.match(section)
    return " ".join(m.group(1).lower().split()) if m else section.lower()


def _element_found(results: Sequence[ClauseResult] | None, clause: str, element: str) -> bool:
    for result in results or ():
        if result.id == clause:
            return any(e.id == element and e.found for e in result.elements)
    return False


def _raised_signals(
    spec: FlagSpec,
    hits: list[RuleHit],
    sentences: list[Sentence],
    clause_results: Sequence[ClauseResult] | None,
) -> dict[str, list[int]]:
    """Signal id -> sentence indices, after clears, clause conditions and only_with."""
    raised: dict[str, list[int]] = defaultdict(list)
    cleared_at: dict[str, list[int]] = defaultdict(list)
    for hit in hits:
        if hit.target.startswith(_CLEAR_PREFIX):
            cleared_at[hit.target[len(_CLEAR_PREFIX):]].append(hit.sentence)
        elif not hit.negated:
            raised[hit.target].append(hit.sentence)
    scopes = {c.id: c.scope for c in spec.clears}
    kept: dict[str, list[int]] = {}
    for signal in spec.signals:
        indices = sorted(set(raised.get(signal.id, [])))
        if signal.unless_clause_element and _element_found(
            clause_results, *signal.unless_clause_element
        ):
            indices = []
        for clear_id in signal.unless_found:
            where = cleared_at.get(clear_id, [])
            if not where:
                continue
            if scopes[clear_id] == "document":
                indices = []
            else:
                articles = {_article(sentences[i].section) for i in where}
                indices = [i for i in indices if _article(sentences[i].section) not in articles]
        if indices:
            kept[signal.id] = indices
    independent = {s for s in kept if not spec_signal(spec, s).only_with}
    return {
        s: idx for s, idx in kept.items()
        if not spec_signal(spec, s).only_with
        or any(o in independent for o in spec_signal(spec, s).only_with)
    }


def spec_signal(spec: FlagSpec, signal_id: str) -> Signal:
    return next(s for s in spec.signals if s.id == signal_id)


def selected_flags(profile: Profile, flag_set: FlagSet) -> tuple[str, ...]:
    """The profile's choice of flags; the file's defaults when the profile names none."""
    if profile.red_flags is None:
        return flag_set.default_ids()
    return tuple(profile.red_flags)


def detect_red_flags(
    segmented: SegmentedDocument,
    profile: Profile,
    clause_results: Sequence[ClauseResult] | None = None,
) -> list[RedFlag]:
    """The profile's red flags raised in one document, each with its verbatim sentences.

    ``clause_results`` (the document's clause judgements) let a flag defer to what clause
    detection already found, e.g. "no exit on breach" is silent when the exit-strategy
    clause has a breach trigger.
    """
    flag_set = load_flag_set(tuple(getattr(profile, "red_flag_files", ())))
    ids = selected_flags(profile, flag_set)
    sentences = segmented.sentences
    if not ids or not sentences:
        return []
    lang = "nb" if segmented.pattern_lang == "nb" else "en"
    hits_by_flag: dict[str, list[RuleHit]] = defaultdict(list)
    texts = [s.match_text for s in sentences]
    if segmented.languages:  # a bilingual draft: each sentence by its own language's rules
        hits = match_by_language(
            texts, segmented.sentence_languages(), lambda lg: flag_set.matcher(ids, lg)
        )
    else:
        hits = flag_set.matcher(ids, lang).match(texts)
    for hit in hits:
        hits_by_flag[hit.clause].append(hit)
    check_label = flag_set.labels.get("check", {}).get(lang, "")
    flags: list[RedFlag] = []
    for flag_id in ids:
        spec = flag_set.flags[flag_id]
        raised = _raised_signals(spec, hits_by_flag.get(flag_id, []), sentences, clause_results)
        if not raised:
            continue
        where: dict[int, str] = {}
        for signal_id, indices in raised.items():
            for i in indices:
                where.setdefault(i, signal_id)
        evidence = [
            Evidence(sentences[i].text, sentences[i].start, sentences[i].end, sentences[i].page,
                     sentences[i].section, 1.0, where[i])
            for i in sorted(where)[:MAX_EVIDENCE]
        ]
        why = spec.why.get(lang) or spec.why["en"]
        check = spec.check.get(lang) or spec.check["en"]
        if check and check != "-":
            why = f"{why} {check_label} {check}".replace("  ", " ")
        flags.append(RedFlag(
            spec.id, spec.title.get(lang) or spec.title["en"], spec.severity,  # type: ignore[arg-type]
            evidence, why,
        ))
    return flags


def mark_contradicted_clauses(
    clauses: Sequence[ClauseResult], flags: Sequence[RedFlag], profile: Profile
) -> list[ClauseResult]:
    """Each clause with the ids of the raised red flags that contradict it.

    A data-management clause judged present while a HIGH flag says all data stays with the
    partner must not look like a plain green "present": the flag travels with the clause.
    """
    flag_set = load_flag_set(tuple(getattr(profile, "red_flag_files", ())))
    against: dict[str, list[str]] = defaultdict(list)
    for flag in flags:
        spec = flag_set.flags.get(flag.id)
        if spec is not None and spec.contradicts:
            against[spec.contradicts].append(flag.id)
    return [
        dataclasses.replace(c, flags=against[c.id]) if against.get(c.id) else c for c in clauses
    ]
