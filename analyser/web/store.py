"""SQLite history of analyses: one row per upload, the uploaded bytes only when asked.

A DOCX or PDF upload also keeps its *annotated draft* (the upload with the findings written
into it, made by the worker at analysis time), so the report page can offer it for download;
it is removed with the analysis like everything else.

Plain ``sqlite3`` with a connection per operation: the web server handles requests on a thread
pool, and short-lived connections avoid sharing one across threads. ``secure_delete`` is on so
that deleting an analysis overwrites its pages instead of leaving a confidential draft in the
file's free list, and the rollback journal (not WAL) leaves no second copy beside the database.
"""

from __future__ import annotations

import json
import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

SCHEMA_VERSION = 2  # 2: annotated_drafts (created on open, so older files gain it)
_SCHEMA = """
CREATE TABLE IF NOT EXISTS analyses (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    name TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    size INTEGER NOT NULL,
    created_at TEXT NOT NULL,
    language TEXT NOT NULL,
    format TEXT NOT NULL,
    present INTEGER NOT NULL,
    partial INTEGER NOT NULL,
    missing INTEGER NOT NULL,
    verdict TEXT NOT NULL,
    report_json TEXT NOT NULL,
    context_json TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS analyses_name ON analyses(name COLLATE NOCASE);
CREATE TABLE IF NOT EXISTS files (
    analysis_id INTEGER PRIMARY KEY REFERENCES analyses(id) ON DELETE CASCADE,
    data BLOB NOT NULL
);
CREATE TABLE IF NOT EXISTS annotated_drafts (
    analysis_id INTEGER PRIMARY KEY REFERENCES analyses(id) ON DELETE CASCADE,
    data BLOB NOT NULL
);
"""
_SUMMARY_COLUMNS = (
    "id, name, sha256, size, created_at, language, format, present, partial, missing, verdict,"
    " EXISTS(SELECT 1 FROM files WHERE files.analysis_id = analyses.id) AS has_file,"
    " EXISTS(SELECT 1 FROM annotated_drafts d WHERE d.analysis_id = analyses.id)"
    " AS has_annotated"
)

# Longest search term used; see Store.list_analyses.
MAX_SEARCH = 200
# SQLite's integer primary keys are signed 64-bit: a larger id in a URL can match nothing, and
# binding it would raise OverflowError (a 500) instead of the 404 it deserves.
MAX_ID = 2**63 - 1


def valid_id(analysis_id: int) -> bool:
    return 1 <= analysis_id <= MAX_ID


@dataclass(frozen=True)
class AnalysisSummary:
    """One history row, without the (large) report: what lists and the history page need."""

    id: int
    name: str
    sha256: str
    size: int
    created_at: str
    language: str
    format: str
    present: int
    partial: int
    missing: int
    verdict: str
    has_file: bool
    has_annotated: bool = False  # an annotated draft is stored (DOCX/PDF uploads)

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "sha256": self.sha256,
            "size": self.size,
            "created_at": self.created_at,
            "language": self.language,
            "format": self.format,
            "summary": {
                "present": self.present,
                "partial": self.partial,
                "missing": self.missing,
                "verdict": self.verdict,
            },
            "has_file": self.has_file,
            "has_annotated": self.has_annotated,
        }


@dataclass(frozen=True)
class StoredAnalysis:
    """A full row: the report as ``Report.to_dict()`` and the quote contexts for the page."""

    summary: AnalysisSummary
    report: dict[str, Any]
    contexts: dict[str, Any]


def _now() -> str:
    return datetime.now(UTC).replace(microsecond=0).isoformat()


class Store:
    """The analyses database at ``path``; created (mode 0600) with its schema on first use."""

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        if not self.path.exists():
            # Create the file private before SQLite writes a single confidential byte to it.
            fd = os.open(self.path, os.O_CREAT | os.O_WRONLY, 0o600)
            os.close(fd)
        with self._connect() as conn:
            conn.executescript(_SCHEMA)
            conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        conn = sqlite3.connect(self.path, timeout=10)
        try:
            conn.row_factory = sqlite3.Row
            conn.execute("PRAGMA foreign_keys = ON")
            conn.execute("PRAGMA secure_delete = ON")
            with conn:  # one transaction: commit on success, roll back on error
                yield conn
        finally:
            conn.close()

    def add(
        self,
        report: dict[str, Any],
        contexts: dict[str, Any],
        *,
        name: str,
        size: int,
        data: bytes | None = None,
        annotated: bytes | None = None,
    ) -> int:
        """Insert one analysis (its file when ``data`` is given, its annotated draft when
        ``annotated`` is); return its id."""
        document, summary = report["document"], report["summary"]
        with self._connect() as conn:
            cur = conn.execute(
                "INSERT INTO analyses (name, sha256, size, created_at, language, format,"
                " present, partial, missing, verdict, report_json, context_json)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    name,
                    document["sha256"],
                    size,
                    _now(),
                    document["language"],
                    document["format"],
                    summary["present"],
                    summary["partial"],
                    summary["missing"],
                    summary.get("verdict", ""),
                    json.dumps(report, ensure_ascii=False),
                    json.dumps(contexts, ensure_ascii=False),
                ),
            )
            analysis_id = int(cur.lastrowid or 0)
            if data is not None:
                conn.execute(
                    "INSERT INTO files (analysis_id, data) VALUES (?, ?)", (analysis_id, data)
                )
            if annotated is not None:
                conn.execute(
                    "INSERT INTO annotated_drafts (analysis_id, data) VALUES (?, ?)",
                    (analysis_id, annotated),
                )
        return analysis_id

    def list_analyses(self, search: str | None = None, limit: int = 500) -> list[AnalysisSummary]:
        """Newest first; ``search`` matches anywhere in the file name, case-insensitively.

        Only the first :data:`MAX_SEARCH` characters are used: SQLite refuses LIKE patterns of
        50,000 bytes and more ("pattern too complex"), and no file name is that long.
        """
        query = f"SELECT {_SUMMARY_COLUMNS} FROM analyses"
        params: list[Any] = []
        search = (search or "")[:MAX_SEARCH]
        if search:
            escaped = search.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
            query += " WHERE name LIKE ? ESCAPE '\\'"
            params.append(f"%{escaped}%")
        query += " ORDER BY id DESC LIMIT ?"
        params.append(limit)
        with self._connect() as conn:
            return [_summary(row) for row in conn.execute(query, params)]

    def get(self, analysis_id: int) -> StoredAnalysis | None:
        if not valid_id(analysis_id):
            return None
        with self._connect() as conn:
            row = conn.execute(
                f"SELECT {_SUMMARY_COLUMNS}, report_json, context_json FROM analyses WHERE id = ?",
                (analysis_id,),
            ).fetchone()
        if row is None:
            return None
        return StoredAnalysis(
            _summary(row), json.loads(row["report_json"]), json.loads(row["context_json"])
        )

    def sketches(self, limit: int = 500) -> dict[int, list[int]]:
        """Each analysis's text sketch (:mod:`analyser.similarity`), newest first; read with
        SQLite's JSON functions so the large report and view are not loaded."""
        with self._connect() as conn:
            rows = conn.execute(
                "SELECT id, json_extract(context_json, '$.sketch') AS sketch FROM analyses"
                " ORDER BY id DESC LIMIT ?",
                (limit,),
            ).fetchall()
        return {row["id"]: json.loads(row["sketch"]) for row in rows if row["sketch"]}

    def with_sha256(self, sha256: str) -> list[AnalysisSummary]:
        """Earlier analyses of the very same file, oldest first."""
        with self._connect() as conn:
            rows = conn.execute(
                f"SELECT {_SUMMARY_COLUMNS} FROM analyses WHERE sha256 = ? ORDER BY id",
                (sha256,),
            ).fetchall()
        return [_summary(row) for row in rows]

    def file(self, analysis_id: int) -> bytes | None:
        """The uploaded bytes, if they were kept (``--keep-files``)."""
        if not valid_id(analysis_id):
            return None
        with self._connect() as conn:
            row = conn.execute(
                "SELECT data FROM files WHERE analysis_id = ?", (analysis_id,)
            ).fetchone()
        return None if row is None else bytes(row["data"])

    def annotated(self, analysis_id: int) -> bytes | None:
        """The annotated draft of a DOCX/PDF upload, if one was made."""
        if not valid_id(analysis_id):
            return None
        with self._connect() as conn:
            row = conn.execute(
                "SELECT data FROM annotated_drafts WHERE analysis_id = ?", (analysis_id,)
            ).fetchone()
        return None if row is None else bytes(row["data"])

    def delete(self, analysis_id: int) -> bool:
        """Remove the row, its stored file and annotated draft; True if there was one."""
        if not valid_id(analysis_id):
            return False
        with self._connect() as conn:
            conn.execute("DELETE FROM files WHERE analysis_id = ?", (analysis_id,))
            conn.execute("DELETE FROM annotated_drafts WHERE analysis_id = ?", (analysis_id,))
            cur = conn.execute("DELETE FROM analyses WHERE id = ?", (analysis_id,))
            return cur.rowcount > 0


def _summary(row: sqlite3.Row) -> AnalysisSummary:
    return AnalysisSummary(
        id=row["id"],
        name=row["name"],
        sha256=row["sha256"],
        size=row["size"],
        created_at=row["created_at"],
        language=row["language"],
        format=row["format"],
        present=row["present"],
        partial=row["partial"],
        missing=row["missing"],
        verdict=row["verdict"],
        has_file=bool(row["has_file"]),
        has_annotated=bool(row["has_annotated"]),
    )
