"""Policy profiles: which clauses an institution requires and how strictly they are judged.

A profile is YAML so an institution can require its own clause (with its own patterns file)
without touching Python; everything is validated with the file and line on error.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from pathlib import Path

from analyser.errors import PatternError
from analyser.patterns import (
    ClauseSpec,
    load_builtin_clauses,
    load_clause_file,
    load_yaml_file,
    patterns_dir,
)

DEFAULT_PROFILE = "eu-2024"


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
            raise PatternError(f"no such profile (known: {known}; or give a path to a .yaml file)",
                               name_or_path)
    return parse_profile(path)


def parse_profile(path: Path) -> Profile:
    data = load_yaml_file(path)
    where = str(path)
    if not isinstance(data, dict):
        raise PatternError("a profile must be a YAML mapping", where)
    for key in ("id", "clauses"):
        if key not in data:
            raise PatternError(f"missing key '{key}'", where)
    builtin = load_builtin_clauses()
    extra: dict[str, ClauseSpec] = {}
    for rel in data.get("clause_files") or []:
        clause_path = (path.parent / str(rel)).resolve()
        spec = load_clause_file(clause_path)
        extra[spec.id] = spec
    clauses = []
    for clause_id in data["clauses"] or []:
        spec = extra.get(clause_id) or builtin.get(clause_id)
        if spec is None:
            raise PatternError(
                f"line {getattr(data, 'line', 0)}: unknown clause {clause_id!r} "
                f"(built-in: {', '.join(builtin)}; add others under clause_files)", where)
        clauses.append(spec)
    if not clauses:
        raise PatternError("a profile must require at least one clause", where)
    raw = data.get("thresholds") or {}
    unknown = set(raw) - {f.name for f in fields(Thresholds)}
    if unknown:
        raise PatternError(f"unknown threshold(s) {sorted(unknown)}", where)
    try:
        thresholds = Thresholds(**{
            f.name: (int if f.name == "evidence" else float)(raw[f.name])
            for f in fields(Thresholds) if f.name in raw
        })
    except (TypeError, ValueError) as e:
        raise PatternError(f"thresholds must be numbers ({e})", where) from e
    for name in ("present", "partial", "rule_weight"):
        if not 0.0 <= getattr(thresholds, name) <= 1.0:
            raise PatternError(f"threshold {name} must be between 0 and 1", where)
    flags = data.get("red_flags")
    return Profile(
        id=str(data["id"]),
        title=str(data.get("title", data["id"])),
        description=" ".join(str(data.get("description", "")).split()),
        clauses=tuple(clauses),
        thresholds=thresholds,
        red_flags=tuple(flags) if flags is not None else None,
        path=where,
    )
