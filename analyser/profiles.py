"""Policy profiles: which clauses an institution requires, how strictly, and which red flags.

A profile is YAML so an institution can require its own clause (with its own patterns file),
add a sub-element to a shipped clause and make it required, or choose red flags, without
touching Python; everything is validated with the file and line on error, because a silently
ignored typo in a policy file would weaken every later check.

Profile keys (see clause_patterns/profiles/*.yaml):

- ``clauses``: required clause ids, shipped ones or ones defined in ``clause_files``
- ``clause_files``: extra clause files (same format as clause_patterns/clauses/), relative to
  the profile
- ``add_elements``: ``{clause id: [element, ...]}``, elements added to a clause for this
  profile (same keys as in a clause file, plus an optional ``suggestion``)
- ``require_elements``: ``{clause id: [element id, ...]}``, elements without which the clause
  is at most partial, however strong the rest of it is
- ``red_flags``: red-flag ids from clause_patterns/red_flags.yaml (and ``red_flag_files``);
  omitted: every flag not marked ``default: false``
- ``thresholds``: how sentence scores become a status
- ``risk``: how red flags and clause gaps make the overall risk high / medium / low
  (analyser/risk.py has the keys)
- ``extends``: a profile (shipped name or path) whose ``clauses``, ``red_flags``,
  ``thresholds`` and ``risk`` apply where this one gives none, so a derived profile follows its
  base's calibration when that is retuned
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Sequence
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import TYPE_CHECKING, Any

from analyser.errors import PatternError
from analyser.patterns import (
    ClauseSpec,
    ElementSpec,
    _fail,
    _rules,
    _title,
    load_builtin_clauses,
    load_clause_file,
    load_yaml_file,
    patterns_dir,
)
from analyser.report import ClauseResult, ElementResult
from analyser.risk import DEFAULT_RISK_RULE, RiskRule, parse_risk_rule

if TYPE_CHECKING:
    from analyser.segment import SegmentedDocument

DEFAULT_PROFILE = "eu-2024"
_PROFILE_KEYS = {
    "id",
    "title",
    "description",
    "source",
    "extends",
    "clauses",
    "clause_files",
    "add_elements",
    "require_elements",
    "red_flags",
    "red_flag_files",
    "thresholds",
    "checklist",
    "risk",
}
_ELEMENT_KEYS = {"id", "title", "core", "rules", "caps_at_partial", "suggestion"}


@dataclass(frozen=True)
class Thresholds:
    present: float = 0.5
    partial: float = 0.5
    rule_weight: float = 0.5
    evidence: int = 3


@dataclass(frozen=True)
class Profile:
    id: str
    title: str
    description: str
    clauses: tuple[ClauseSpec, ...]
    thresholds: Thresholds = field(default_factory=Thresholds)
    red_flags: tuple[str, ...] | None = None
    path: str = ""
    # clause id -> element ids the clause cannot be "present" without
    required_elements: tuple[tuple[str, tuple[str, ...]], ...] = ()
    # (clause id, element id) -> suggested wording {lang: text} for a missing required element
    element_suggestions: tuple[tuple[tuple[str, str], tuple[tuple[str, str], ...]], ...] = ()
    red_flag_files: tuple[str, ...] = ()
    source: str = ""
    # clause id -> elements the profile adds; matched after detection, so they never change
    # the clause's own evidence or status except through require_elements
    added_elements: tuple[tuple[str, tuple[ElementSpec, ...]], ...] = ()
    # Presets for the signed checklist (institution, reviewer, escalation level, ...): an
    # institution's profile fills in what is the same for every agreement it reviews.
    checklist_settings: tuple[tuple[str, str], ...] = ()
    risk: RiskRule = DEFAULT_RISK_RULE

    def requirements(self) -> dict[str, tuple[str, ...]]:
        return dict(self.required_elements)

    def clause(self, clause_id: str) -> ClauseSpec | None:
        return next((c for c in self.clauses if c.id == clause_id), None)


def builtin_profile_paths() -> dict[str, Path]:
    return {p.stem: p for p in sorted((patterns_dir() / "profiles").glob("*.yaml"))}


def load_profile(name_or_path: str | None = None) -> Profile:
    """A shipped profile by name, or a user's profile file by path."""
    name_or_path = name_or_path or DEFAULT_PROFILE
    builtin = builtin_profile_paths()
    if name_or_path in builtin:
        path = builtin[name_or_path]
    else:
        path = Path(name_or_path)
        if not path.is_file():
            known = ", ".join(sorted(builtin))
            raise PatternError(
                f"no such profile (known: {known}; or give a path to a .yaml file)", name_or_path
            )
    return parse_profile(path)


def _fail_key(path: Path, data: Any, key: str, message: str) -> PatternError:
    """An error at the line of a top-level key: lists carry no line of their own."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError:
        text = ""
    m = re.search(rf"^{re.escape(key)}\s*:", text, re.MULTILINE)
    if m is None:
        return _fail(path, data, message)
    return PatternError(f"line {text[: m.start()].count(chr(10)) + 1}: {message}", str(path))


def _id_list(path: Path, owner: Any, raw: Any, what: str) -> list[str]:
    if not isinstance(raw, list) or not all(isinstance(x, str) for x in raw):
        raise _fail(path, owner, f"{what} must be a list of ids, e.g. [a, b]")
    return list(raw)


def _parse_element(path: Path, node: Any, clause_id: str) -> tuple[ElementSpec, dict[str, str]]:
    if not isinstance(node, dict) or "id" not in node or "rules" not in node:
        raise _fail(path, node, f"add_elements.{clause_id}: each element needs 'id' and 'rules'")
    unknown = set(node) - _ELEMENT_KEYS
    if unknown:
        raise _fail(path, node, f"element {node['id']}: unknown key(s) {sorted(unknown)}")
    title = _title(path, node, node.get("title", node["id"]), f"element {node['id']} title")
    rules = _rules(path, node, node["rules"], f"element {node['id']}")
    caps = bool(node.get("caps_at_partial", False))
    if caps and node.get("core"):
        raise _fail(path, node, f"element {node['id']}: a core element cannot cap at partial")
    suggestion: dict[str, str] = {}
    if "suggestion" in node:
        suggestion = _title(path, node, node["suggestion"], f"element {node['id']} suggestion")
    element = ElementSpec(str(node["id"]), title, bool(node.get("core", False)), rules, caps)
    return element, suggestion


def _add_elements(
    path: Path, raw: Any, specs: dict[str, ClauseSpec]
) -> tuple[dict[str, tuple[ElementSpec, ...]], dict[tuple[str, str], dict[str, str]]]:
    """The profile's extra elements per clause, and those elements' suggestions."""
    if not isinstance(raw, dict):
        raise _fail(path, raw, "add_elements must map clause ids to lists of elements")
    suggestions: dict[tuple[str, str], dict[str, str]] = {}
    out: dict[str, tuple[ElementSpec, ...]] = {}
    for clause_id, elements in raw.items():
        if clause_id not in specs:
            raise _fail(path, raw, f"add_elements: unknown clause {clause_id!r}")
        if not isinstance(elements, list) or not elements:
            raise _fail(path, raw, f"add_elements.{clause_id} must be a non-empty list")
        existing = {e.id for e in specs[clause_id].elements}
        added = []
        for node in elements:
            element, suggestion = _parse_element(path, node, clause_id)
            if element.id in existing:
                raise _fail(path, node, f"clause {clause_id} already has an element {element.id!r}")
            existing.add(element.id)
            added.append(element)
            if suggestion:
                suggestions[(clause_id, element.id)] = suggestion
        out[clause_id] = tuple(added)
    return out, suggestions


def _red_flags(path: Path, data: Any) -> tuple[tuple[str, ...] | None, tuple[str, ...]]:
    """The profile's red-flag selection and extra flag files, checked against the flags."""
    from analyser.redflags import load_flag_set  # here: redflags imports the report types

    files = []
    for rel in _id_list(path, data, data.get("red_flag_files") or [], "red_flag_files"):
        flag_path = (path.parent / rel).resolve()
        if not flag_path.is_file():
            raise _fail_key(
                path,
                data,
                "red_flag_files",
                f"red_flag_files: {rel!r} not found next to the profile",
            )
        files.append(str(flag_path))
    flag_set = load_flag_set(tuple(files))
    raw = data.get("red_flags")
    if raw is None:
        return None, tuple(files)
    if not isinstance(raw, list) or not all(isinstance(x, str) for x in raw):
        raise _fail_key(path, data, "red_flags", "red_flags must be a list of red-flag ids")
    selection = list(raw)
    for flag_id in selection:
        if flag_id not in flag_set.flags:
            raise _fail_key(
                path,
                data,
                "red_flags",
                f"unknown red flag {flag_id!r} (known: {', '.join(flag_set.flags)})",
            )
    return tuple(dict.fromkeys(selection)), tuple(files)


def parse_profile(path: Path) -> Profile:
    data = load_yaml_file(path)
    where = str(path)
    if not isinstance(data, dict):
        raise PatternError("a profile must be a YAML mapping", where)
    base: Profile | None = None
    if data.get("extends") is not None:
        base = _base_profile(path, data, str(data["extends"]))
    for key in ("id",) if base else ("id", "clauses"):
        if key not in data:
            raise _fail(path, data, f"missing key '{key}'")
    unknown = set(data) - _PROFILE_KEYS
    if unknown:
        raise _fail_key(
            path,
            data,
            sorted(unknown)[0],
            f"unknown profile key(s) {sorted(unknown)} (known: {', '.join(sorted(_PROFILE_KEYS))})",
        )
    specs: dict[str, ClauseSpec] = dict(load_builtin_clauses())
    builtin_ids = list(specs)
    for rel in _id_list(path, data, data.get("clause_files") or [], "clause_files"):
        clause_path = (path.parent / rel).resolve()
        if not clause_path.is_file():
            raise _fail_key(
                path, data, "clause_files", f"clause_files: {rel!r} not found next to the profile"
            )
        spec = load_clause_file(clause_path)
        specs[spec.id] = spec
    suggestions: dict[tuple[str, str], dict[str, str]] = {}
    added: dict[str, tuple[ElementSpec, ...]] = {}
    if data.get("add_elements") is not None:
        added, suggestions = _add_elements(path, data["add_elements"], specs)
    clauses = []
    clause_ids = data.get("clauses")
    if "clauses" not in data and base is not None:
        clause_ids = [c.id for c in base.clauses]
    for clause_id in _id_list(path, data, clause_ids or [], "clauses"):
        found = specs.get(clause_id)
        if found is None:
            raise _fail_key(
                path,
                data,
                "clauses",
                f"unknown clause {clause_id!r} (built-in: "
                f"{', '.join(builtin_ids)}; add others under clause_files)",
            )
        clauses.append(found)
    if not clauses:
        raise _fail_key(path, data, "clauses", "a profile must require at least one clause")
    if len({c.id for c in clauses}) != len(clauses):
        raise _fail_key(path, data, "clauses", "a clause is listed twice under clauses")
    required: dict[str, tuple[str, ...]] = {}
    raw_required = data.get("require_elements") or {}
    if not isinstance(raw_required, dict):
        raise _fail(path, data, "require_elements must map clause ids to element ids")
    chosen = {c.id: c for c in clauses}
    for clause_id, element_ids in raw_required.items():
        if clause_id not in chosen:
            raise _fail(
                path,
                raw_required,
                f"require_elements: clause {clause_id!r} is not among the profile's clauses",
            )
        ids = _id_list(path, raw_required, element_ids, f"require_elements.{clause_id}")
        known = {e.id for e in chosen[clause_id].elements + added.get(clause_id, ())}
        for element_id in ids:
            if element_id not in known:
                raise _fail(
                    path,
                    raw_required,
                    f"require_elements: clause {clause_id} has no "
                    f"element {element_id!r} (has: {', '.join(sorted(known))})",
                )
        required[clause_id] = tuple(ids)
    if base is not None and "thresholds" not in data:
        thresholds = base.thresholds
    else:
        thresholds = _thresholds(path, data.get("thresholds") or {})
    flags, flag_files = _red_flags(path, data)
    if data.get("risk") is not None:
        risk = parse_risk_rule(path, data["risk"], {c.id for c in clauses})
    else:
        risk = base.risk if base is not None else DEFAULT_RISK_RULE
    if base is not None and "red_flags" not in data:
        flags = base.red_flags
    return Profile(
        id=str(data["id"]),
        title=str(data.get("title", data["id"])),
        description=" ".join(str(data.get("description", "")).split()),
        clauses=tuple(clauses),
        thresholds=thresholds,
        red_flags=flags,
        path=where,
        required_elements=tuple(required.items()),
        element_suggestions=tuple((key, tuple(text.items())) for key, text in suggestions.items()),
        red_flag_files=flag_files,
        source=" ".join(str(data.get("source", "")).split()),
        added_elements=tuple((c, e) for c, e in added.items() if c in chosen),
        checklist_settings=_checklist_settings(path, data, base),
        risk=risk,
    )


def _checklist_settings(path: Path, data: Any, base: Profile | None) -> tuple[tuple[str, str], ...]:
    """The ``checklist:`` mapping (field name -> text), checked against the known fields;
    inherited from the base profile and overridden key by key."""
    from analyser.checklist import FIELD_NAMES

    settings = dict(base.checklist_settings) if base is not None else {}
    node = data.get("checklist") or {}
    if not isinstance(node, dict):
        raise _fail_key(path, data, "checklist", "checklist: must be a mapping of field: text")
    unknown = sorted(set(node) - set(FIELD_NAMES))
    if unknown:
        raise _fail_key(
            path,
            data,
            "checklist",
            f"checklist: unknown field(s) {unknown} (known: {', '.join(FIELD_NAMES)})",
        )
    settings.update({str(k): str(v) for k, v in node.items() if v is not None})
    return tuple(settings.items())


def _base_profile(path: Path, data: Any, name: str) -> Profile:
    """The profile named by ``extends``: shipped by name, else a path next to this one."""
    target = name if name in builtin_profile_paths() else str((path.parent / name).resolve())
    if Path(target).resolve() == path.resolve():
        raise _fail_key(path, data, "extends", "a profile cannot extend itself")
    try:
        return load_profile(target)
    except PatternError as e:
        if e.path == target:  # the name itself is wrong, not the base's content
            raise _fail_key(path, data, "extends", f"extends: {e.reason}") from e
        raise


def _thresholds(path: Path, raw: Any) -> Thresholds:
    if not isinstance(raw, dict):
        raise _fail(path, raw, "thresholds must be a mapping")
    unknown = set(raw) - {f.name for f in fields(Thresholds)}
    if unknown:
        raise _fail(path, raw, f"unknown threshold(s) {sorted(unknown)}")
    try:
        values: dict[str, Any] = {
            f.name: (int if f.name == "evidence" else float)(raw[f.name])
            for f in fields(Thresholds)
            if f.name in raw
        }
        thresholds = Thresholds(**values)
    except (TypeError, ValueError) as e:
        raise _fail(path, raw, f"thresholds must be numbers ({e})") from e
    for name in ("present", "partial", "rule_weight"):
        if not 0.0 <= getattr(thresholds, name) <= 1.0:
            raise _fail(path, raw, f"threshold {name} must be between 0 and 1")
    return thresholds


_ADDED_MATCHERS: dict[tuple[str, str], Any] = {}


def _added_found(profile: Profile, segmented: SegmentedDocument) -> dict[str, set[str]]:
    """Clause id -> ids of the profile's added elements that a sentence fulfils."""
    from analyser.block_language import match_by_language
    from analyser.rules import ClauseMatcher  # here: spaCy is only needed when matching

    def matcher(lang: str) -> Any:
        key = (profile.path or profile.id, lang)
        if key not in _ADDED_MATCHERS:
            specs = [
                ClauseSpec(clause_id, {"en": clause_id}, "", "", elements, (), {"en": ""})
                for clause_id, elements in profile.added_elements
            ]
            _ADDED_MATCHERS[key] = ClauseMatcher(specs, lang)
        return _ADDED_MATCHERS[key]

    texts = [s.match_text for s in segmented.sentences]
    if segmented.languages:  # bilingual: each sentence by its own language's rules
        hits = match_by_language(texts, segmented.sentence_languages(), matcher)
    else:
        hits = matcher("nb" if segmented.pattern_lang == "nb" else "en").match(texts)
    found: dict[str, set[str]] = {}
    for hit in hits:
        if not hit.negated:
            found.setdefault(hit.clause, set()).add(hit.target)
    return found


def apply_required_elements(
    results: Sequence[ClauseResult],
    profile: Profile,
    segmented: SegmentedDocument | None = None,
    *,
    lang: str | None = None,
) -> list[ClauseResult]:
    """Add the profile's extra elements and cap at partial a clause that lacks a required one.

    Detection calls a clause present on core evidence alone; a profile such as ``hkdir`` asks
    for more (data management must also settle the sharing of research results), so the
    missing element turns "present" into "partial" and its suggested wording is added. The
    extra elements are matched here, apart from detection, so that they can only ever make a
    clause stricter, never lift a missing clause to partial.
    """
    if lang is None:
        lang = "nb" if segmented is not None and segmented.pattern_lang == "nb" else "en"
    added = dict(profile.added_elements)
    found_added = _added_found(profile, segmented) if added and segmented is not None else {}
    required = profile.requirements()
    suggestions = {key: dict(text) for key, text in profile.element_suggestions}
    out = []
    for result in results:
        known = {e.id for e in result.elements}
        new_elements = [
            ElementResult(
                e.id,
                e.title.get(lang) or e.title["en"],
                e.id in found_added.get(result.id, set()),
                e.core,
            )
            for e in added.get(result.id, ())
            if e.id not in known
        ]
        if new_elements:
            result = dataclasses.replace(result, elements=[*result.elements, *new_elements])
        needed = required.get(result.id, ())
        found = {e.id for e in result.elements if e.found}
        missing = [e for e in needed if e not in found]
        if not missing:
            out.append(result)
            continue
        extra = [
            (suggestions[(result.id, e)].get(lang) or suggestions[(result.id, e)]["en"])
            for e in missing
            if (result.id, e) in suggestions
        ]
        extra = [t for t in extra if t not in (result.suggestion or "")]  # applied twice: once
        spec = profile.clause(result.id)
        parts = [result.suggestion, *extra]
        if not any(parts) and spec is not None:  # was present: fall back to the clause's
            parts = [spec.suggestion.get(lang) or spec.suggestion.get("en")]
        suggestion = "\n\n".join(t for t in parts if t) or None
        status = "partial" if result.status == "present" else result.status
        out.append(dataclasses.replace(result, status=status, suggestion=suggestion))
    return out
