"""The web front end for advisers who never open a terminal: upload, read, compare, download.

``create_app`` builds the FastAPI application (testable without a network); ``serve`` runs it
with uvicorn. Pages and the JSON API share one SQLite store and one pool of worker processes.
"""

from __future__ import annotations

from typing import Any

__all__ = ["create_app", "default_db_path", "serve"]


def __getattr__(name: str) -> Any:
    """Import the app (and FastAPI) only when asked: `analyser check` must not pay for it."""
    if name in __all__:
        from analyser.web import app

        return getattr(app, name)
    raise AttributeError(name)
