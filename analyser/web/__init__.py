"""The web front end for advisers who never open a terminal: upload, read, compare, download.

``create_app`` builds the FastAPI application (testable without a network); ``serve`` runs it
with uvicorn. Pages and the JSON API share one SQLite store and one pool of worker processes.
"""

from __future__ import annotations

from analyser.web.app import create_app, default_db_path, serve

__all__ = ["create_app", "default_db_path", "serve"]
