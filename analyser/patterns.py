"""Load and validate the clause definitions in ``clause_patterns/``.

Clause definitions are data so that legal advisers can read and amend them without touching
Python. A malformed file must fail loudly at load time with the file and line, not silently
weaken detection, so everything is checked here before any matcher is built.

Pattern language (see clause_patterns/README.md): an element has ``rules``; a rule fires on a
sentence when every one of its ``all`` groups has a term in the sentence, and none of its
``unless`` terms does. A term is one or more words; ``*`` at the end of a word matches any
ending (``terminat*``), at the start any beginning (``*resultat*``); a lone ``*`` stands for
one to three words of any kind (``bring * to an end``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from analyser.errors import PatternError

CLAUSE_IDS = (
    "fundamental_values",
    "academic_freedom",
    "reciprocity",
    "ipr",
    "data_management",
    "exit_strategy",
)
PATTERN_LANGS = ("en", "nb")
TEXT_LANGS = ("en", "nb", "nn")
_TERM_WORD = re.compile(r"^(\*|\*?[^\s*]+\*?)$")


def patterns_dir() -> Path:
    """Where the shipped pattern files are: inside the installed package, else the checkout."""
    try:
        root = resources.files("analyser.clause_patterns")
        path = Path(str(root))
        if (path / "languages.yaml").exists():
            return path
    except ModuleNotFoundError:
        pass
    return Path(__file__).resolve().parents[1] / "clause_patterns"


# libyaml's parser when PyYAML was built with it (the wheels are): 4-5x faster at start-up.
# The constructors stay in Python, so mappings still record their line numbers.
_SafeBase: type = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _LineLoader(_SafeBase):  # type: ignore[misc, valid-type]
    """Safe YAML loader that remembers each mapping's line for error messages."""


def _construct_mapping(loader: _LineLoader, node: yaml.MappingNode) -> dict[str, Any]:
    mapping = LineDict(loader.construct_mapping(node, deep=True))
    mapping.line = node.start_mark.line + 1
    return mapping


_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


class LineDict(dict):  # type: ignore[type-arg]
    line: int = 0


def load_yaml_file(path: Path) -> Any:
    try:
        with path.open(encoding="utf-8") as fh:
            return yaml.load(fh, Loader=_LineLoader)  # noqa: S506 - SafeLoader subclass
    except FileNotFoundError as e:
        raise PatternError("file not found", str(path)) from e
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        where = f"line {mark.line + 1}: " if mark else ""
        raise PatternError(f"{where}invalid YAML ({getattr(e, 'problem', e)})", str(path)) from e


def load_yaml_resource(name: str) -> Any:
    return load_yaml_file(patterns_dir() / name)


@dataclass(frozen=True)
class Rule:
    """Co-occurrence rule: one term from each group in the same sentence."""

    groups: tuple[tuple[str, ...], ...]
    unless: tuple[str, ...] = ()
    lang: str | None = None
    negatable: bool = False


@dataclass(frozen=True)
class ElementSpec:
    id: str
    title: dict[str, str]
    core: bool
    rules: tuple[Rule, ...]
    caps_at_partial: bool = False


@dataclass(frozen=True)
class ConcernSpec:
    id: str
    title: dict[str, str]
    rules: tuple[Rule, ...]


@dataclass(frozen=True)
class ClauseSpec:
    id: str
    title: dict[str, str]
    guidance: str
    source: str
    elements: tuple[ElementSpec, ...]
    concerns: tuple[ConcernSpec, ...]
    suggestion: dict[str, str]
    keywords: dict[str, tuple[str, ...]] = field(default_factory=dict)
    path: str = ""
    # Sentences where one of these fires are no evidence of the clause at all, whatever the
    # model says: "See the information section for contact details" is not data management.
    not_evidence: tuple[Rule, ...] = ()

    def localized_title(self, lang: str) -> str:
        return self.title.get(lang) or self.title["en"]


def _fail(path: Path, node: Any, message: str) -> PatternError:
    line = getattr(node, "line", 0)
    return PatternError(f"line {line}: {message}" if line else message, str(path))


def _terms(path: Path, node: Any, raw: Any, what: str) -> tuple[str, ...]:
    if isinstance(raw, str):
        raw = [raw]
    if not isinstance(raw, list) or not raw:
        raise _fail(path, node, f"{what} must be a non-empty list of terms")
    terms = []
    for term in raw:
        if not isinstance(term, str) or not term.strip():
            raise _fail(path, node, f"{what}: every term must be a non-empty string, got {term!r}")
        for word in term.split():
            if not _TERM_WORD.match(word) or word == "**":
                raise _fail(path, node, f"{what}: bad word {word!r} in term {term!r}")
        words = term.split()
        if words[0] == "*" or words[-1] == "*":
            # A gap with nothing on one side would match any sentence.
            raise _fail(path, node, f"{what}: a lone '*' must stand between words, got {term!r}")
        terms.append(" ".join(term.lower().split()))
    return tuple(terms)


def _title(path: Path, node: Any, raw: Any, what: str) -> dict[str, str]:
    if isinstance(raw, str):
        return {"en": raw}
    if not isinstance(raw, dict) or "en" not in raw:
        raise _fail(path, node, f"{what} must be a string or a mapping with at least 'en'")
    for key, value in raw.items():
        # A comma inside a YAML flow mapping ({en: a, b}) silently splits the text into a
        # stray key; catch that rather than show a truncated title.
        if key not in TEXT_LANGS or not isinstance(value, str) or not value.strip():
            raise _fail(
                path,
                raw,
                f"{what}: expected texts keyed by {TEXT_LANGS}, got key "
                f"{key!r} (quote texts that contain commas)",
            )
    return {str(k): str(v).strip() for k, v in raw.items()}


def _rules(path: Path, owner: Any, raw: Any, what: str) -> tuple[Rule, ...]:
    if not isinstance(raw, list) or not raw:
        raise _fail(path, owner, f"{what}: 'rules' must be a non-empty list")
    rules = []
    for item in raw:
        if not isinstance(item, dict) or "all" not in item:
            raise _fail(
                path, item if isinstance(item, dict) else owner, f"{what}: each rule needs 'all'"
            )
        unknown = set(item) - {"all", "unless", "lang", "negatable"}
        if unknown:
            raise _fail(path, item, f"{what}: unknown rule key(s) {sorted(unknown)}")
        groups_raw = item["all"]
        if not isinstance(groups_raw, list) or not groups_raw:
            raise _fail(path, item, f"{what}: 'all' must be a list of term groups")
        groups = tuple(_terms(path, item, g, f"{what} group") for g in groups_raw)
        unless = _terms(path, item, item["unless"], f"{what} unless") if "unless" in item else ()
        lang = item.get("lang")
        if lang is not None and lang not in PATTERN_LANGS:
            raise _fail(path, item, f"{what}: lang must be one of {PATTERN_LANGS}, got {lang!r}")
        rules.append(Rule(groups, unless, lang, bool(item.get("negatable", False))))
    return tuple(rules)


def parse_clause(path: Path, data: Any) -> ClauseSpec:
    """Validate one clause file's content and build its spec."""
    if not isinstance(data, dict):
        raise PatternError("a clause file must be a YAML mapping", str(path))
    for key in ("id", "title", "guidance", "elements", "suggestion"):
        if key not in data:
            raise _fail(path, data, f"missing key '{key}'")
    clause_id = data["id"]
    if not isinstance(clause_id, str) or not re.fullmatch(r"[a-z][a-z0-9_]*", clause_id):
        raise _fail(path, data, f"id must be snake_case, got {clause_id!r}")
    elements = []
    seen: set[str] = set()
    for el in data["elements"] or []:
        if not isinstance(el, dict) or "id" not in el or "rules" not in el:
            raise _fail(
                path, el if isinstance(el, dict) else data, "each element needs 'id' and 'rules'"
            )
        if el["id"] in seen:
            raise _fail(path, el, f"duplicate element id {el['id']!r}")
        seen.add(el["id"])
        title = _title(path, el, el.get("title", el["id"]), f"element {el['id']} title")
        rules = _rules(path, el, el["rules"], f"element {el['id']}")
        unknown = set(el) - {"id", "title", "core", "rules", "caps_at_partial"}
        if unknown:
            raise _fail(path, el, f"element {el['id']}: unknown key(s) {sorted(unknown)}")
        caps = bool(el.get("caps_at_partial", False))
        if caps and el.get("core"):
            raise _fail(path, el, f"element {el['id']}: a core element cannot cap at partial")
        elements.append(ElementSpec(el["id"], title, bool(el.get("core", False)), rules, caps))
    if not elements:
        raise _fail(path, data, "a clause needs at least one element")
    if not any(e.core for e in elements):
        raise _fail(path, data, "at least one element must be marked core: true")
    concerns = []
    for c in data.get("concerns") or []:
        if not isinstance(c, dict) or "id" not in c or "rules" not in c:
            raise _fail(
                path, c if isinstance(c, dict) else data, "each concern needs 'id' and 'rules'"
            )
        title = _title(path, c, c.get("title", c["id"]), f"concern {c['id']} title")
        concerns.append(
            ConcernSpec(c["id"], title, _rules(path, c, c["rules"], f"concern {c['id']}"))
        )
    suggestion = data["suggestion"]
    if not isinstance(suggestion, dict) or "en" not in suggestion:
        raise _fail(path, data, "suggestion must be a mapping with at least 'en' (and 'nb')")
    not_evidence: tuple[Rule, ...] = ()
    if data.get("not_evidence") is not None:
        not_evidence = _rules(path, data, data["not_evidence"], "not_evidence")
    keywords_raw = data.get("keywords") or {}
    keywords = {
        lang: _terms(path, data, words, f"keywords.{lang}") for lang, words in keywords_raw.items()
    }
    return ClauseSpec(
        id=clause_id,
        title=_title(path, data, data["title"], "title"),
        guidance=" ".join(str(data["guidance"]).split()),
        source=" ".join(str(data.get("source", "")).split()),
        elements=tuple(elements),
        concerns=tuple(concerns),
        suggestion={k: str(v).strip() for k, v in suggestion.items()},
        keywords=keywords,
        path=str(path),
        not_evidence=not_evidence,
    )


def load_clause_file(path: Path) -> ClauseSpec:
    return parse_clause(path, load_yaml_file(path))


@lru_cache(maxsize=1)
def load_builtin_clauses() -> dict[str, ClauseSpec]:
    """The six framework clauses shipped with the tool, keyed by id."""
    directory = patterns_dir() / "clauses"
    specs = {}
    for clause_id in CLAUSE_IDS:
        spec = load_clause_file(directory / f"{clause_id}.yaml")
        if spec.id != clause_id:
            raise PatternError(f"id {spec.id!r} does not match the file name", spec.path)
        specs[clause_id] = spec
    return specs
