"""Overall risk of an agreement ("high" / "medium" / "low") from its red flags and clause gaps.

An adviser reading a report first needs to know whether to escalate: four HIGH red flags must
not hide behind "gaps: 1 present · 3 partial · 2 missing". How gaps and flags add up to a risk
is policy, so the rule is written in the profile (``risk:``), validated when the profile is
loaded, and an institution can change it:

.. code-block:: yaml

    risk:                       # the first level whose rule holds; otherwise "low"
      high:                     # holds when ANY one of its conditions holds
        - red_flag_severity: high       # a red flag of at least this severity
        - red_flags_at_least: 3
      medium:
        - red_flag_severity: medium
        - missing_at_least: 1           # clauses judged missing
        - partial_at_least: 3
        - {missing_any_of: [exit_strategy], partial_at_least: 2}   # ALL keys of one condition

Keys: ``red_flag_severity`` (high/medium/low), ``red_flags_at_least``, ``missing_at_least``,
``partial_at_least``, ``not_present_at_least`` (partial or missing), ``missing_any_of`` and
``contradicted_any_of`` (clause ids; contradicted = a red flag contradicts the clause).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from analyser.patterns import _fail
from analyser.report import ClauseResult, RedFlag, Risk

LEVELS: tuple[Risk, ...] = ("high", "medium")
SEVERITY_RANK = {"high": 0, "medium": 1, "low": 2}
_COUNT_KEYS = (
    "red_flags_at_least",
    "missing_at_least",
    "partial_at_least",
    "not_present_at_least",
)
_CLAUSE_KEYS = ("missing_any_of", "contradicted_any_of")
_KEYS = {"red_flag_severity", *_COUNT_KEYS, *_CLAUSE_KEYS}


@dataclass(frozen=True)
class RiskCondition:
    """All of its set fields must hold."""

    red_flag_severity: str | None = None
    red_flags_at_least: int | None = None
    missing_at_least: int | None = None
    partial_at_least: int | None = None
    not_present_at_least: int | None = None
    missing_any_of: tuple[str, ...] = ()
    contradicted_any_of: tuple[str, ...] = ()

    def holds(self, clauses: Sequence[ClauseResult], flags: Sequence[RedFlag]) -> bool:
        counts = {
            "red_flags_at_least": len(flags),
            "missing_at_least": sum(c.status == "missing" for c in clauses),
            "partial_at_least": sum(c.status == "partial" for c in clauses),
            "not_present_at_least": sum(c.status != "present" for c in clauses),
        }
        for key in _COUNT_KEYS:
            needed = getattr(self, key)
            if needed is not None and counts[key] < needed:
                return False
        if self.red_flag_severity is not None:
            rank = SEVERITY_RANK[self.red_flag_severity]
            if not any(SEVERITY_RANK.get(f.severity, 9) <= rank for f in flags):
                return False
        if self.missing_any_of and not any(
            c.status == "missing" and c.id in self.missing_any_of for c in clauses
        ):
            return False
        return not self.contradicted_any_of or any(
            c.flags and c.id in self.contradicted_any_of for c in clauses
        )


@dataclass(frozen=True)
class RiskRule:
    high: tuple[RiskCondition, ...]
    medium: tuple[RiskCondition, ...]

    def assess(self, clauses: Sequence[ClauseResult], flags: Sequence[RedFlag]) -> Risk:
        if any(c.holds(clauses, flags) for c in self.high):
            return "high"
        if any(c.holds(clauses, flags) for c in self.medium):
            return "medium"
        return "low"


# For profiles that write no rule and extend none: the shipped eu-2024 profile's rule.
DEFAULT_RISK_RULE = RiskRule(
    high=(RiskCondition(red_flag_severity="high"), RiskCondition(red_flags_at_least=3)),
    medium=(
        RiskCondition(red_flag_severity="medium"),
        RiskCondition(missing_at_least=1),
        RiskCondition(partial_at_least=3),
    ),
)


def _condition(path: Path, node: Any, clause_ids: set[str], where: str) -> RiskCondition:
    if not isinstance(node, dict) or not node:
        raise _fail(
            path,
            node,
            f"{where}: each condition must be a mapping, e.g. {{red_flag_severity: high}}",
        )
    unknown = set(node) - _KEYS
    if unknown:
        raise _fail(
            path,
            node,
            f"{where}: unknown key(s) {sorted(unknown)} (known: {', '.join(sorted(_KEYS))})",
        )
    values: dict[str, Any] = {}
    severity = node.get("red_flag_severity")
    if severity is not None:
        if severity not in SEVERITY_RANK:
            raise _fail(
                path,
                node,
                f"{where}: red_flag_severity must be one of "
                f"{', '.join(SEVERITY_RANK)}, got {severity!r}",
            )
        values["red_flag_severity"] = severity
    for key in _COUNT_KEYS:
        if key in node:
            value = node[key]
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise _fail(path, node, f"{where}: {key} must be a whole number ≥ 1, got {value!r}")
            values[key] = value
    for key in _CLAUSE_KEYS:
        if key in node:
            ids = node[key]
            if not isinstance(ids, list) or not ids or not all(isinstance(i, str) for i in ids):
                raise _fail(path, node, f"{where}: {key} must be a list of clause ids")
            for clause_id in ids:
                if clause_id not in clause_ids:
                    raise _fail(
                        path,
                        node,
                        f"{where}: {key}: {clause_id!r} is not among the "
                        f"profile's clauses ({', '.join(sorted(clause_ids))})",
                    )
            values[key] = tuple(ids)
    return RiskCondition(**values)


def parse_risk_rule(path: Path, raw: Any, clause_ids: set[str]) -> RiskRule:
    """The profile's ``risk:`` mapping, validated against its clauses."""
    if not isinstance(raw, dict):
        raise _fail(path, raw, "risk must map levels (high, medium) to lists of conditions")
    unknown = set(raw) - set(LEVELS)
    if unknown:
        raise _fail(
            path,
            raw,
            f"risk: unknown level(s) {sorted(unknown)}; write rules for "
            "high and medium (low is what remains)",
        )
    levels: dict[str, tuple[RiskCondition, ...]] = {}
    for level in LEVELS:
        conditions = raw.get(level) or []
        if not isinstance(conditions, list):
            raise _fail(path, raw, f"risk.{level} must be a list of conditions")
        for condition in conditions:
            if not isinstance(condition, dict):  # a list item carries no line: cite the map's
                raise _fail(
                    path,
                    raw,
                    f"risk.{level}: each condition must be a mapping, e.g. "
                    "{red_flag_severity: high}",
                )
        levels[level] = tuple(_condition(path, c, clause_ids, f"risk.{level}") for c in conditions)
    if not levels["high"] and not levels["medium"]:
        raise _fail(path, raw, "risk needs at least one condition for high or medium")
    return RiskRule(levels["high"], levels["medium"])
