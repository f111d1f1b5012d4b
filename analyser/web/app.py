"""FastAPI application: upload pages, report pages, history, comparison and the JSON API.

``create_app`` wires the store (SQLite), the worker pool and the security middlewares; it does
no I/O beyond opening the database, so tests build it freely. ``serve`` checks the binding
policy (a token is required off loopback) and runs uvicorn.

Pages are rendered with :data:`analyser.render.ENV` (templates in ``templates/web/``), so the
escaping and control-character rules are the same as for the downloadable HTML report.
"""

from __future__ import annotations

import contextlib
import logging
import math
import os
import re
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import FastAPI, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.datastructures import UploadFile
from starlette.middleware.trustedhost import TrustedHostMiddleware
from starlette.types import Receive, Scope, Send

from analyser import __version__
from analyser.errors import UnsupportedFormat
from analyser.extract import sniff_format
from analyser.render import render
from analyser.render_pdf import INSTALL_HINT as PDF_INSTALL_HINT
from analyser.render_pdf import pdf_renderer_available, weasyprint_installed
from analyser.web import security
from analyser.web.reports import report_from_dict
from analyser.web.store import MAX_SEARCH, Store, StoredAnalysis
from analyser.web.worker import (
    AnalysisBusy,
    AnalysisInterrupted,
    AnalysisOutcome,
    AnalysisRefused,
    AnalysisTimeout,
    ChecklistRequest,
    LayoutRequest,
    RedlineRequest,
    WorkerPool,
)

log = logging.getLogger("analyser.web")

DEFAULT_MAX_UPLOAD = 25 * 1024 * 1024
DEFAULT_TIMEOUT = 60.0
# Connections served at once (uvicorn's limit_concurrency: beyond it, 503); seconds a client
# may stall while sending its request headers or any part of its body (stalled uploads).
DEFAULT_MAX_CONNECTIONS = 64
DEFAULT_STALL_TIMEOUT = 15.0
MAX_FILES_PER_FORM = 10
_FORM_OVERHEAD = 1024 * 1024  # multipart boundaries and the small text fields
_STATIC = Path(__file__).with_name("static")
_UNSAFE_NAME = re.compile(r"[\x00-\x1f\x7f-\x9f]")
_DOWNLOADS: dict[str, tuple[str, str]] = {
    "html": ("html", "text/html; charset=utf-8"),
    "md": ("markdown", "text/markdown; charset=utf-8"),
    "json": ("json", "application/json"),
    "pdf": ("pdf", "application/pdf"),  # the HTML report on A4 (analyser.render_pdf)
}
_DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
_ANNOTATED_TYPES = {"docx": _DOCX_TYPE, "pdf": "application/pdf"}
_OPEN_PATHS = ("/login", "/static/", "/openapi.json")
_LANG_COOKIE = "lang"
_DELETED_COOKIE = "deleted"
_ACCEPTED = "Upload a PDF, a Word .docx file or a plain-text file."


@dataclass(frozen=True)
class WebConfig:
    token: str | None
    keep_files: bool
    max_upload: int
    analysis_timeout: float
    sessions: security.Sessions = field(default_factory=security.Sessions)
    throttle: security.LoginThrottle = field(default_factory=security.LoginThrottle)


class UploadRejected(Exception):
    """An upload that cannot be analysed, with the HTTP status and a message for the user."""

    def __init__(self, status: int, message: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.headers = headers or {}


def default_db_path() -> Path:
    """``$XDG_DATA_HOME/agreement-analyser/analyses.sqlite3`` (``~/.local/share`` if unset)."""
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "agreement-analyser" / "analyses.sqlite3"


# --------------------------------------------------------------------------- app factory


def create_app(
    db_path: str | os.PathLike[str],
    *,
    token: str | None = None,
    keep_files: bool = False,
    max_upload: int = DEFAULT_MAX_UPLOAD,
    analysis_timeout: float = DEFAULT_TIMEOUT,
    workers: int = 1,
    profile: str | None = None,
    allowed_hosts: Sequence[str] | None = None,
    pool: WorkerPool | None = None,
    queue_size: int | None = None,
    stall_timeout: float = DEFAULT_STALL_TIMEOUT,
) -> FastAPI:
    """Build the application over the SQLite file ``db_path``.

    Without a ``token`` only loopback host names are accepted (``allowed_hosts`` to widen),
    which stops a hostile web page from reaching the server through DNS rebinding.
    """
    store = Store(db_path)
    config = WebConfig(token or None, keep_files, max_upload, analysis_timeout)
    workers_pool = pool or WorkerPool(workers, profile=profile, queue_size=queue_size)

    @contextlib.asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        workers_pool.warm_up()
        try:
            yield
        finally:
            if pool is None:  # a pool passed in belongs to the caller (tests share one)
                workers_pool.shutdown()

    app = FastAPI(
        title="Agreement analyser",
        version=__version__,
        description="Checks research-cooperation agreements for the six framework clauses.",
        docs_url=None,  # the interactive docs load scripts from a CDN; the CSP forbids that
        redoc_url=None,
        openapi_url="/openapi.json",
        lifespan=lifespan,
    )
    app.state.store = store
    app.state.config = config
    app.state.pool = workers_pool
    app.mount("/static", StaticFiles(directory=_STATIC), name="static")
    _add_api_routes(app)
    _add_page_routes(app)

    def body_limit(path: str) -> int:
        per_request = MAX_FILES_PER_FORM if path == "/analyses" else 1
        return max_upload * per_request + _FORM_OVERHEAD

    too_large = f"The upload is larger than the limit of {_mb(max_upload)}."
    # Added innermost first: the last one added runs first on each request.
    app.add_middleware(_Guard, config=config)
    app.add_middleware(security.BodyLimit, limit=body_limit, message=too_large)
    app.add_middleware(security.SlowBody, idle_timeout=stall_timeout)
    hosts = (
        list(allowed_hosts)
        if allowed_hosts
        else (["*"] if config.token else list(security.LOOPBACK_NAMES))
    )
    app.add_middleware(TrustedHostMiddleware, allowed_hosts=hosts)
    app.add_middleware(security.SecurityHeaders)
    return app


class _Guard:
    """Access token and cross-site refusal, before any route runs."""

    def __init__(self, app: Callable[..., Any], config: WebConfig) -> None:
        self.app = app
        self.config = config

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request = Request(scope)
        path = request.url.path
        if request.method in security.UNSAFE_METHODS and security.cross_site(
            request.headers, request.headers.get("host")
        ):
            await security.send_json(send, 403, "Cross-site request refused.")
            return
        token = self.config.token
        if token and not path.startswith(_OPEN_PATHS):
            refusal = self._refusal(request, token)
            if refusal is not None:
                await refusal(scope, receive, send)
                return
        await self.app(scope, receive, send)

    def _refusal(self, request: Request, token: str) -> Response | None:
        """None when the request may go on; else the 401/429/redirect that answers it."""
        authorization = request.headers.get("authorization")
        client = _client_address(request)
        if authorization:
            wait = self.config.throttle.retry_after(client)
            if wait:
                return _too_many_attempts(wait)
            if security.bearer_ok(token, authorization):
                return None
            wait = self.config.throttle.failed(client)
            if wait:
                return _too_many_attempts(wait)
        elif self.config.sessions.valid(request.cookies.get(security.SESSION_COOKIE)):
            return None
        path = request.url.path
        if path.startswith("/api/"):
            return JSONResponse(
                {"detail": "An access token is required (Authorization: Bearer …)."},
                status_code=401,
                headers={"WWW-Authenticate": "Bearer"},
            )
        if request.method == "GET":
            return RedirectResponse(f"/login?next={quote(path)}", status_code=303)
        return JSONResponse({"detail": "Please sign in first."}, status_code=401)


def _client_address(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def _too_many_attempts(wait: float) -> JSONResponse:
    seconds = max(1, math.ceil(wait))
    return JSONResponse(
        {"detail": f"Too many failed attempts. Try again in {seconds} s."},
        status_code=429,
        headers={"Retry-After": str(seconds)},
    )


# --------------------------------------------------------------------------- analysis


def _clean_name(filename: str | None) -> str:
    """The file's base name without control characters: it is shown and stored, never used
    as a path."""
    name = _UNSAFE_NAME.sub("", (filename or "").replace("\\", "/").rsplit("/", 1)[-1]).strip()
    return name[:255] or "upload"


def _mb(size: int) -> str:
    return f"{size / 2**20:g} MB"


async def _analyse_upload(app: FastAPI, upload: UploadFile) -> tuple[int, dict[str, Any]]:
    """Check, analyse and store one uploaded file; return (id, report dict)."""
    config: WebConfig = app.state.config
    name = _clean_name(upload.filename)
    data = await upload.read(config.max_upload + 1)
    if len(data) > config.max_upload:
        raise UploadRejected(413, f"{name} is larger than the limit of {_mb(config.max_upload)}.")
    try:
        sniff_format(data, name)  # cheap, and answers 415 without a trip to a worker
    except UnsupportedFormat as e:
        raise UploadRejected(415, f"{name}: {e.reason}. {_ACCEPTED}") from e
    except Exception:  # noqa: BLE001 - anything else is the worker's to report precisely
        pass
    started = time.perf_counter()
    try:
        outcome = await app.state.pool.analyse(data, name, config.analysis_timeout)
    except AnalysisTimeout as e:
        raise UploadRejected(504, f"{name}: {e}. Try a smaller file or split it.") from e
    except AnalysisBusy as e:
        retry = {"Retry-After": str(max(1, round(e.retry_after)))}
        raise UploadRejected(503, f"{name}: {e}; please retry shortly.", retry) from e
    except AnalysisInterrupted as e:
        raise UploadRejected(503, f"{name}: {e}") from e
    if outcome.report is None:
        raise UploadRejected(*_error_status(outcome, name))
    analysis_id = app.state.store.add(
        outcome.report,
        outcome.contexts,
        name=name,
        size=len(data),
        data=data if config.keep_files else None,
        annotated=outcome.annotated,
    )
    # Ids, sizes and timings only: names and text of confidential drafts stay out of logs.
    log.info(
        "analysis %d: %s, %d bytes, %.2f s",
        analysis_id,
        outcome.report["document"]["format"],
        len(data),
        time.perf_counter() - started,
    )
    return analysis_id, outcome.report


async def _layout_pdf(app: FastAPI, html: str, name: str) -> bytes:
    """The report's HTML laid out as PDF by an engine worker, under the upload deadline and
    memory cap: layout cost grows with what the partner's draft put into the report, so it
    must not run unbounded in the server. A refusal raises :class:`UploadRejected`."""
    return await _engine_download(
        app,
        f"The PDF report of {name}",
        lambda timeout: app.state.pool.layout_pdf(LayoutRequest(html), timeout),
        "the report is too long to lay out in time. Download the HTML report and print it instead.",
    )


async def _checklist_docx(app: FastAPI, report: dict[str, Any], name: str) -> bytes:
    """The checklist built as DOCX by an engine worker, bounded like :func:`_layout_pdf`: it
    holds every quote and flag the partner's draft produced."""
    return await _engine_download(
        app,
        f"The checklist of {name}",
        lambda timeout: app.state.pool.checklist_docx(ChecklistRequest(report), timeout),
        "the checklist is too long to build in time. Download the HTML report instead.",
    )


async def _engine_download(
    app: FastAPI, what: str, job: Callable[[float], Awaitable[bytes]], too_long: str
) -> bytes:
    """A download made by an engine worker within ``serve --timeout``: ``job(timeout)`` runs
    it; a refusal raises :class:`UploadRejected` with one line (504, 503, 501 or 422)."""
    config: WebConfig = app.state.config
    try:
        return await job(config.analysis_timeout)
    except AnalysisTimeout as e:
        raise UploadRejected(
            504, f"{what} was stopped after {config.analysis_timeout:g} s: {too_long}"
        ) from e
    except AnalysisBusy as e:
        retry = {"Retry-After": str(max(1, round(e.retry_after)))}
        raise UploadRejected(503, f"{what}: {e}; please retry shortly.", retry) from e
    except AnalysisInterrupted as e:
        raise UploadRejected(503, f"{what}: {e}") from e
    except AnalysisRefused as e:
        if e.kind == "RendererMissing":
            raise UploadRejected(501, e.reason) from e
        raise UploadRejected(
            422, f"{what} could not be made: {e.reason}. Download the HTML report instead."
        ) from e


def _error_status(outcome: AnalysisOutcome, name: str) -> tuple[int, str]:
    from analyser.extract.text import BINARY_REASON

    kind, reason = outcome.error_kind or "", outcome.error_reason or "unknown error"
    if kind == "UnsupportedFormat" or reason == BINARY_REASON:
        return 415, f"{name}: {reason}. {_ACCEPTED}"
    if kind == "DocumentTooLarge":
        return 413, f"{name}: {reason}"
    if kind in ("PatternError", "ModelError"):
        return 500, f"The analyser is misconfigured: {reason}"
    return 422, f"{name} could not be read: {reason}"


async def _form_files(request: Request, field: str) -> tuple[list[UploadFile], Any]:
    try:
        form = await request.form(max_files=MAX_FILES_PER_FORM, max_fields=10)
    except (HTTPException, security.BodyTooLarge, security.BodyStalled):
        raise  # the body middlewares answer 413 / 408
    except Exception as e:  # noqa: BLE001 - a malformed body is the client's error
        raise UploadRejected(400, "The request is not a valid multipart form upload.") from e
    files = [f for f in form.getlist(field) if isinstance(f, UploadFile) and f.filename]
    return files, form


def _get(app: FastAPI, analysis_id: int) -> StoredAnalysis:
    stored = app.state.store.get(analysis_id)
    if stored is None:
        raise HTTPException(404, f"No analysis with id {analysis_id}.")
    return stored


# --------------------------------------------------------------------------- JSON API

_UPLOAD_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": ["file"],
                    "properties": {
                        "file": {
                            "type": "string",
                            "format": "binary",
                            "description": "the agreement: PDF, DOCX or plain text",
                        }
                    },
                }
            }
        },
    }
}
_ERRORS = {
    413: {"description": "the file is larger than the upload limit"},
    415: {"description": "the bytes are not a PDF, DOCX or text file"},
    422: {"description": "the file could not be read (corrupt, encrypted, no text layer)"},
    504: {"description": "the analysis took longer than the time limit"},
}


def _add_api_routes(app: FastAPI) -> None:
    @app.post(
        "/api/analyses",
        status_code=201,
        tags=["analyses"],
        summary="Analyse an uploaded agreement",
        description="The report JSON (shared/report-schema.json) plus the stored `id`.",
        openapi_extra=_UPLOAD_BODY,
        responses=_ERRORS,  # type: ignore[arg-type]
    )
    async def api_create(request: Request) -> JSONResponse:
        form = None
        try:
            files, form = await _form_files(request, "file")
            if len(files) != 1:
                raise UploadRejected(400, "Send exactly one file in the multipart field 'file'.")
            analysis_id, report = await _analyse_upload(app, files[0])
        except UploadRejected as e:
            return JSONResponse({"detail": e.message}, status_code=e.status, headers=e.headers)
        finally:
            if form is not None:
                await form.close()  # removes the spooled temporary files at once
        return JSONResponse(
            {"id": analysis_id, **report},
            status_code=201,
            headers={"Location": f"/api/analyses/{analysis_id}"},
        )

    @app.get("/api/analyses", tags=["analyses"], summary="List stored analyses, newest first")
    def api_list(
        q: Annotated[str | None, Query(max_length=MAX_SEARCH)] = None,
    ) -> list[dict[str, Any]]:
        return [s.to_dict() for s in app.state.store.list_analyses(q)]

    @app.get("/api/analyses/{analysis_id}", tags=["analyses"], summary="One stored report")
    def api_get(analysis_id: int) -> dict[str, Any]:
        stored = _get(app, analysis_id)
        return {"id": analysis_id, **stored.report}

    @app.delete(
        "/api/analyses/{analysis_id}",
        status_code=204,
        tags=["analyses"],
        summary="Delete an analysis and any stored file",
    )
    def api_delete(analysis_id: int) -> Response:
        if not app.state.store.delete(analysis_id):
            raise HTTPException(404, f"No analysis with id {analysis_id}.")
        return Response(status_code=204)


# --------------------------------------------------------------------------- pages


def _page(
    request: Request,
    template: str,
    http_status: int = 200,
    *,
    document_language: str | None = None,
    **context: Any,
) -> HTMLResponse:
    """Render a page with a CSRF token (issued in a cookie on first visit).

    The interface language is the one chosen with the language switch (``?lang=``, then kept
    in a cookie), else the document's on a report page, else English.
    """
    from analyser.i18n import UI_LANGUAGES, messages, ui_language
    from analyser.render import ENV

    csrf = request.cookies.get(security.CSRF_COOKIE) or security.new_csrf_token()
    config: WebConfig = request.app.state.config
    asked = request.query_params.get("lang")
    ui_lang = ui_language(document_language, _chosen_language(request))
    html = ENV.get_template(f"web/{template}").render(
        csrf_token=csrf,
        version=__version__,
        signed_in=bool(config.token),
        t=messages(ui_lang),
        ui_lang=ui_lang,
        languages=[(code, messages(code)["language_name"]) for code in UI_LANGUAGES],
        **context,
    )
    response = HTMLResponse(html, status_code=http_status)
    if request.cookies.get(security.CSRF_COOKIE) != csrf:
        response.set_cookie(security.CSRF_COOKIE, csrf, httponly=True, samesite="strict", path="/")
    if asked in UI_LANGUAGES and request.cookies.get(_LANG_COOKIE) != asked:
        response.set_cookie(_LANG_COOKIE, asked, samesite="strict", path="/")
    return response


def _chosen_language(request: Request) -> str | None:
    """The interface language chosen with the switch (``?lang=``, else its cookie), if any."""
    from analyser.i18n import UI_LANGUAGES

    asked = request.query_params.get("lang")
    chosen = asked if asked in UI_LANGUAGES else request.cookies.get(_LANG_COOKIE)
    return chosen if chosen in UI_LANGUAGES else None


def _error_page(request: Request, status: int, message: str) -> HTMLResponse:
    return _page(request, "error.html.j2", status, status=status, message=message)


def _check_csrf(request: Request, form: Any) -> None:
    submitted = form.get(security.CSRF_FIELD) or request.headers.get(security.CSRF_HEADER)
    if not security.csrf_ok(request.cookies.get(security.CSRF_COOKIE), submitted):
        raise UploadRejected(
            403, "The form has expired or did not come from this site. Reload the page and retry."
        )


def _wants_json(request: Request) -> bool:
    return "application/json" in request.headers.get("accept", "")


def _refused_download(request: Request, e: UploadRejected) -> Response:
    """A download the engine refused: its one line as JSON or an error page, headers kept."""
    if _wants_json(request):
        return JSONResponse({"detail": e.message}, status_code=e.status, headers=e.headers)
    page = _error_page(request, e.status, e.message)
    page.headers.update(e.headers)
    return page


def _add_page_routes(app: FastAPI) -> None:
    store: Store = app.state.store
    config: WebConfig = app.state.config

    @app.get("/", response_class=HTMLResponse, include_in_schema=False)
    def upload_page(request: Request) -> HTMLResponse:
        return _page(
            request,
            "upload.html.j2",
            recent=store.list_analyses(limit=5),
            max_upload=_mb(config.max_upload),
            max_files=MAX_FILES_PER_FORM,
        )

    @app.post("/analyses", include_in_schema=False)
    async def upload_form(request: Request) -> Response:
        """The upload form: JavaScript sends one file per request and asks for JSON; without
        JavaScript the browser posts all files and gets redirected."""
        json_reply = _wants_json(request)
        form = None
        try:
            files, form = await _form_files(request, "files")
            _check_csrf(request, form)
            if not files:
                raise UploadRejected(400, "Choose at least one file to analyse.")
            ids = []
            for upload in files:
                analysis_id, report = await _analyse_upload(app, upload)
                ids.append(analysis_id)
        except UploadRejected as e:
            if json_reply:
                return JSONResponse({"detail": e.message}, status_code=e.status, headers=e.headers)
            page = _error_page(request, e.status, e.message)
            page.headers.update(e.headers)
            return page
        finally:
            if form is not None:
                await form.close()
        if json_reply:
            return JSONResponse(
                {
                    "id": ids[0],
                    "url": f"/analyses/{ids[0]}",
                    "summary": report["summary"],
                    "clauses": {c["id"]: c["status"] for c in report["clauses"]},
                },
                status_code=201,
            )
        target = f"/analyses/{ids[0]}" if len(ids) == 1 else "/history"
        return RedirectResponse(target, status_code=303)

    @app.get("/analyses/{analysis_id}", response_class=HTMLResponse, include_in_schema=False)
    def report_page(request: Request, analysis_id: int) -> HTMLResponse:
        stored = store.get(analysis_id)
        if stored is None:
            return _error_page(request, 404, f"No analysis with id {analysis_id}.")
        related, unrelated = _compare_candidates(store, stored)
        return _page(
            request,
            "report.html.j2",
            document_language=stored.summary.language,
            entry=stored.summary,
            report=report_from_dict(stored.report),
            contexts=stored.contexts,
            view=stored.contexts.get("view"),
            pdf_available=pdf_renderer_available(),
            related=related,
            unrelated=unrelated,
            duplicates=[d for d in store.with_sha256(stored.summary.sha256) if d.id < analysis_id],
        )

    @app.get("/analyses/{analysis_id}/report.{ext}", include_in_schema=False)
    async def download_report(request: Request, analysis_id: int, ext: str) -> Response:
        from starlette.concurrency import run_in_threadpool

        if ext not in _DOWNLOADS:
            raise HTTPException(404, "Unknown report format.")
        fmt, media_type = _DOWNLOADS[ext]
        if fmt == "pdf" and not weasyprint_installed():
            raise HTTPException(501, PDF_INSTALL_HINT)
        # Read and rendered off the event loop: a stored analysis holds the document's text.
        stored = await run_in_threadpool(_get, app, analysis_id)
        view = stored.contexts.get("view") if fmt == "html" else None
        report = report_from_dict(stored.report)
        # In the language the adviser reads the page in; quotes and wording stay the agreement's.
        lang = _chosen_language(request)
        content: str | bytes
        if fmt == "pdf":
            html = await run_in_threadpool(lambda: render(report, "html", lang=lang))
            try:
                content = await _layout_pdf(app, html, stored.summary.name)
            except UploadRejected as e:
                return _refused_download(request, e)
        else:
            content = await run_in_threadpool(lambda: render(report, fmt, view=view, lang=lang))
        return Response(
            content,
            media_type=media_type,
            headers=_attachment(f"{_stem(stored.summary.name)}-report.{ext}"),
        )

    @app.get("/analyses/{analysis_id}/checklist.docx", include_in_schema=False)
    async def download_checklist(request: Request, analysis_id: int) -> Response:
        from starlette.concurrency import run_in_threadpool

        stored = await run_in_threadpool(_get, app, analysis_id)
        try:
            data = await _checklist_docx(app, stored.report, stored.summary.name)
        except UploadRejected as e:
            return _refused_download(request, e)
        return Response(
            data,
            media_type=_DOCX_TYPE,
            headers=_attachment(f"{_stem(stored.summary.name)}-checklist.docx"),
        )

    @app.get("/analyses/{analysis_id}/annotated", include_in_schema=False)
    def download_annotated(analysis_id: int) -> Response:
        """The upload with its findings inside (Word comments and tracked insertions, or PDF
        highlights and notes), made by the worker when the upload was analysed."""
        stored = _get(app, analysis_id)
        data = store.annotated(analysis_id)
        fmt = stored.summary.format
        if data is None or fmt not in _ANNOTATED_TYPES:
            raise HTTPException(404, "No annotated draft: only DOCX and PDF uploads get one.")
        return Response(
            data,
            media_type=_ANNOTATED_TYPES[fmt],
            headers=_attachment(f"{_stem(stored.summary.name)}-annotated.{fmt}"),
        )

    @app.get("/analyses/{analysis_id}/file", include_in_schema=False)
    def download_file(analysis_id: int) -> Response:
        stored = _get(app, analysis_id)
        data = store.file(analysis_id)
        if data is None:
            raise HTTPException(404, "The file was not kept (start the server with --keep-files).")
        return Response(
            data, media_type="application/octet-stream", headers=_attachment(stored.summary.name)
        )

    @app.post("/analyses/{analysis_id}/delete", include_in_schema=False)
    async def delete_form(request: Request, analysis_id: int) -> Response:
        async with request.form(max_files=0, max_fields=5) as form:
            pass
        try:
            _check_csrf(request, form)
        except UploadRejected as e:
            return _error_page(request, e.status, e.message)
        gone = store.get(analysis_id)
        if gone is None or not store.delete(analysis_id):
            return _error_page(request, 404, f"No analysis with id {analysis_id}.")
        response = RedirectResponse("/history", status_code=303)
        # What was deleted is said once on the next page; a cookie, not the URL, so the
        # name of a confidential draft never reaches an access log.
        when = gone.summary.created_at.replace("T", " ").replace("+00:00", " UTC")
        response.set_cookie(
            _DELETED_COOKIE,
            quote(f"{gone.summary.name}\n{when}"),
            max_age=60,
            httponly=True,
            samesite="strict",
            path="/history",
        )
        return response

    @app.get("/history", response_class=HTMLResponse, include_in_schema=False)
    def history_page(request: Request, q: str = "") -> HTMLResponse:
        if len(q) > MAX_SEARCH:
            return _error_page(
                request, 422, f"Search for at most {MAX_SEARCH} characters of a file name."
            )
        from urllib.parse import unquote

        deleted = None
        if request.cookies.get(_DELETED_COOKIE):
            name, _, when = unquote(request.cookies[_DELETED_COOKIE]).partition("\n")
            deleted = {"name": _clean_name(name), "when": when[:40]}
        response = _page(
            request,
            "history.html.j2",
            entries=store.list_analyses(q or None),
            q=q,
            deleted=deleted,
        )
        if deleted:
            response.delete_cookie(_DELETED_COOKIE, path="/history")
        return response

    @app.get("/compare", response_class=HTMLResponse, include_in_schema=False)
    async def compare_page(request: Request) -> HTMLResponse:
        from starlette.concurrency import run_in_threadpool

        from analyser.compare import compare_reports

        raw = request.query_params.getlist("id")
        if len(raw) != 2 or not all(v.isdigit() for v in raw):
            return _error_page(request, 400, "Choose exactly two analyses to compare.")
        # Stored analyses are read (and the page rendered) off the event loop: they hold
        # the text of each version, megabytes for a long agreement.
        entries = await run_in_threadpool(lambda: [store.get(int(v)) for v in raw])
        if any(e is None for e in entries):
            return _error_page(request, 404, "One of the analyses no longer exists.")
        old, new = sorted(
            (e for e in entries if e is not None),
            key=lambda e: (e.summary.created_at, e.summary.id),
        )
        from analyser.similarity import RELATED_THRESHOLD, resemblance

        alike = None
        if old.contexts.get("sketch") and new.contexts.get("sketch"):
            alike = resemblance(old.contexts["sketch"], new.contexts["sketch"])
        unrelated = alike is not None and alike < RELATED_THRESHOLD
        comparison = compare_reports(old.report, new.report)  # analyser.compare
        redline = False
        refused: dict[str, Any] | None = None
        # The word-level redline, from the text stored with each analysis. Not for two
        # different agreements: every paragraph would be "replaced", and the warning says it.
        # Quadratic at worst, so it runs in the engine, under the upload deadline and memory
        # cap; refused, the page keeps the clause comparison and says why in one line.
        if old.contexts.get("view") and new.contexts.get("view") and not unrelated:
            job = RedlineRequest(
                old.report,
                new.report,
                old.contexts["view"],
                new.contexts["view"],
                old.contexts.get("sections"),
                new.contexts.get("sections"),
            )
            try:
                comparison = await app.state.pool.compare(job, config.analysis_timeout)
                redline = True
            except AnalysisTimeout:
                refused = {"kind": "timeout", "seconds": f"{config.analysis_timeout:g}"}
            except AnalysisBusy:
                refused = {"kind": "busy"}
            except AnalysisRefused as e:
                memory = e.kind == "AnalysisOutOfMemory"
                refused = {"kind": "memory" if memory else "failed", "reason": e.reason}
            except AnalysisInterrupted as e:
                refused = {"kind": "failed", "reason": str(e)}
            if redline and alike is None and comparison.similarity is not None:
                alike = comparison.similarity
                unrelated = alike < RELATED_THRESHOLD
        return await run_in_threadpool(
            lambda: _page(
                request,
                "compare.html.j2",
                old=old.summary,
                new=new.summary,
                comparison=comparison,
                unrelated=unrelated,
                similarity_percent=round(100 * (alike or 0)),
                redline=redline,
                redline_refused=refused,
                text_language=new.summary.language,
            )
        )

    @app.get("/login", response_class=HTMLResponse, include_in_schema=False)
    def login_page(request: Request, next: str = "/") -> HTMLResponse:
        return _page(request, "login.html.j2", next=_safe_next(next), failed=False)

    @app.post("/login", include_in_schema=False)
    async def login(request: Request) -> Response:
        async with request.form(max_files=0, max_fields=5) as form:
            pass
        try:
            _check_csrf(request, form)
        except UploadRejected as e:
            return _error_page(request, e.status, e.message)
        target = _safe_next(str(form.get("next") or "/"))
        token = str(form.get("token") or "")
        client = _client_address(request)
        wait = config.throttle.retry_after(client)
        if wait:
            seconds = max(1, math.ceil(wait))
            page = _error_page(
                request, 429, f"Too many failed sign-ins. Try again in {seconds} seconds."
            )
            page.headers["Retry-After"] = str(seconds)
            return page
        if not config.token or not security.bearer_ok(config.token, f"Bearer {token}"):
            config.throttle.failed(client)
            return _page(request, "login.html.j2", 401, next=target, failed=True)
        config.throttle.succeeded(client)
        response = RedirectResponse(target, status_code=303)
        response.set_cookie(
            security.SESSION_COOKIE,
            config.sessions.create(),
            httponly=True,
            samesite="strict",
            path="/",
            max_age=int(config.sessions.absolute_seconds),
        )
        return response

    @app.post("/logout", include_in_schema=False)
    async def logout(request: Request) -> Response:
        async with request.form(max_files=0, max_fields=5) as form:
            pass
        try:
            _check_csrf(request, form)
        except UploadRejected as e:
            return _error_page(request, e.status, e.message)
        config.sessions.revoke(request.cookies.get(security.SESSION_COOKIE))
        response = RedirectResponse("/login", status_code=303)
        response.delete_cookie(security.SESSION_COOKIE, path="/")
        return response


def _compare_candidates(store: Store, stored: StoredAnalysis) -> tuple[list[Any], list[Any]]:
    """Other analyses to compare with: likely versions of this agreement first (by shared
    text, :mod:`analyser.similarity`; by file name for analyses stored without a sketch),
    most alike first, then the rest, newest first."""
    from analyser.similarity import RELATED_THRESHOLD, resemblance

    this_id = stored.summary.id
    others = [s for s in store.list_analyses() if s.id != this_id]
    own = stored.contexts.get("sketch")
    sketches = store.sketches() if own else {}
    scores: dict[int, float] = {}
    for other in others:
        if own and other.id in sketches:
            scores[other.id] = resemblance(own, sketches[other.id])
        elif _stem(other.name) == _stem(stored.summary.name):
            scores[other.id] = 1.0
    related = sorted(
        (s for s in others if scores.get(s.id, 0.0) >= RELATED_THRESHOLD),
        key=lambda s: -scores[s.id],
    )
    return related, [s for s in others if s not in related]


def _safe_next(target: str) -> str:
    """Only same-site paths after login: no open redirect to another host."""
    return target if target.startswith("/") and not target.startswith("//") else "/"


def _stem(name: str) -> str:
    stem = Path(name).stem if "." in name else name
    return re.sub(r"[^\w.-]+", "_", stem)[:100] or "agreement"


def _attachment(filename: str) -> dict[str, str]:
    # ASCII only in filename=: a header is sent as Latin-1, and a Chinese or Cyrillic name
    # made every download a 500 (RFC 6266: filename* carries the real name, UTF-8 encoded).
    ascii_name = re.sub(r"[^\w.-]+", "_", filename, flags=re.ASCII)[:150] or "download"
    return {
        "Content-Disposition": (
            f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename)}"
        )
    }


# --------------------------------------------------------------------------- serving


class ServeError(Exception):
    """The server cannot start as asked (for example no token on a public address)."""


def serve(
    host: str = "127.0.0.1",
    port: int = 8000,
    db_path: str | os.PathLike[str] | None = None,
    *,
    token: str | None = None,
    keep_files: bool = False,
    max_upload: int = DEFAULT_MAX_UPLOAD,
    analysis_timeout: float = DEFAULT_TIMEOUT,
    workers: int = 1,
    profile: str | None = None,
    log_level: str = "info",
    return_instance: bool = False,
    queue_size: int | None = None,
    max_connections: int = DEFAULT_MAX_CONNECTIONS,
    stall_timeout: float = DEFAULT_STALL_TIMEOUT,
) -> Any:
    """Run the server; with ``return_instance`` return the ``uvicorn.Server`` unstarted.

    Tests call ``server.run()`` in a thread and set ``server.should_exit`` to stop it.
    """
    import uvicorn

    token = token or os.environ.get(security.TOKEN_ENV) or None
    problem = security.token_problem(token) if token is not None else None
    if problem:
        raise ServeError(problem)
    if not security.is_loopback(host) and not token:
        raise ServeError(
            f"refusing to listen on {host} without an access token: anyone on the network "
            f"could read the stored agreements. Pass --token or set {security.TOKEN_ENV}, "
            "or bind to 127.0.0.1."
        )
    allowed = None if token else [*security.LOOPBACK_NAMES, host]
    app = create_app(
        db_path or default_db_path(),
        token=token,
        keep_files=keep_files,
        max_upload=max_upload,
        analysis_timeout=analysis_timeout,
        workers=workers,
        profile=profile,
        allowed_hosts=allowed,
        queue_size=queue_size,
        stall_timeout=stall_timeout,
    )
    from analyser.web.protocol import HeaderTimeoutH11Protocol

    config = uvicorn.Config(
        app,
        host=host,
        port=port,
        log_level=log_level,
        server_header=False,
        proxy_headers=False,
        timeout_graceful_shutdown=5,
        # uvicorn's own limits: connections served at once (503 beyond), idle keep-alive
        # connections closed after 5 s, request headers at most 64 KiB.
        limit_concurrency=max_connections,
        timeout_keep_alive=5,
        h11_max_incomplete_event_size=64 * 1024,
        # uvicorn has no timeout for a client that never finishes its headers; this h11
        # protocol adds one (analyser/web/protocol.py). Stalled bodies: security.SlowBody.
        http=HeaderTimeoutH11Protocol.with_timeout(stall_timeout),
    )
    server = uvicorn.Server(config)
    if return_instance:
        return server
    server.run()
    return None
