"""The web application through FastAPI's TestClient: API, pages, and the safety rules.

Real parts throughout: a real SQLite file per test, real worker processes analysing the real
samples. One worker pool is shared by the module's apps (starting one costs a second or two);
the timeout test gets its own, because a timeout stops the pool it ran in.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import jsonschema
import pytest
import yaml
from fastapi.testclient import TestClient

from analyser.web import create_app
from analyser.web.app import ServeError, serve
from analyser.web.worker import WorkerPool
from tests.conftest import SAMPLES

SHIPPED = list(yaml.safe_load((SAMPLES / "labels.yaml").read_text(encoding="utf-8"))["samples"])
BASE = "http://127.0.0.1"
PNG = b"\x89PNG\r\n\x1a\n" + bytes(200)
MOU_TXT = SAMPLES / "mou-fjordvik-kilimani.txt"


@pytest.fixture(scope="module")
def pool() -> Iterator[WorkerPool]:
    shared = WorkerPool(1)
    yield shared
    shared.shutdown()


@pytest.fixture
def make_client(tmp_path: Path, pool: WorkerPool) -> Iterator:
    """Build an app over a database in tmp_path and enter its TestClient."""
    clients: list[TestClient] = []

    def make(db: Path | None = None, **options) -> TestClient:
        options.setdefault("pool", pool)
        app = create_app(db or tmp_path / "analyses.sqlite3", **options)
        client = TestClient(app, base_url=BASE)
        client.__enter__()
        clients.append(client)
        return client

    yield make
    for client in clients:
        client.__exit__(None, None, None)


@pytest.fixture
def client(make_client) -> TestClient:
    return make_client()


def upload(client: TestClient, path: Path, name: str | None = None, data: bytes | None = None):
    content = data if data is not None else path.read_bytes()
    return client.post(
        "/api/analyses",
        files={"file": (name or path.name, content, "application/octet-stream")},
    )


def csrf(client: TestClient) -> str:
    """Visit the upload page (which issues the cookie) and read the token from its form."""
    page = client.get("/")
    match = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert match, "upload page has no CSRF field"
    return match.group(1)


# ---------------------------------------------------------------------------- the API


@pytest.mark.parametrize("name", SHIPPED, ids=SHIPPED)
def test_upload_each_sample_gives_the_library_report(
    client, name, analyser_default, report_schema
) -> None:
    response = upload(client, SAMPLES / name)
    assert response.status_code == 201, response.text
    body = response.json()
    assert isinstance(body["id"], int)
    assert response.headers["location"] == f"/api/analyses/{body['id']}"
    report = {k: v for k, v in body.items() if k != "id"}
    jsonschema.validate(report, report_schema)
    # The worker runs the same pipeline as the CLI: the web adds nothing and loses nothing.
    assert report == analyser_default.analyse_path(SAMPLES / name).to_dict()


def test_get_list_and_delete(client) -> None:
    first = upload(client, MOU_TXT).json()
    second = upload(client, SAMPLES / "rca-vestland-andes.docx").json()

    got = client.get(f"/api/analyses/{first['id']}")
    assert got.status_code == 200
    assert got.json() == first

    listed = client.get("/api/analyses").json()
    assert [e["id"] for e in listed] == [second["id"], first["id"]]  # newest first
    entry = listed[1]
    assert entry["name"] == MOU_TXT.name
    assert entry["sha256"] == first["document"]["sha256"]
    assert entry["size"] == MOU_TXT.stat().st_size
    assert entry["language"] == "en"
    assert entry["summary"]["missing"] == first["summary"]["missing"]
    assert entry["has_file"] is False

    searched = client.get("/api/analyses", params={"q": "VESTLAND"}).json()
    assert [e["id"] for e in searched] == [second["id"]]
    assert client.get("/api/analyses", params={"q": "%"}).json() == []  # LIKE is escaped

    assert client.delete(f"/api/analyses/{first['id']}").status_code == 204
    assert client.get(f"/api/analyses/{first['id']}").status_code == 404
    assert client.delete(f"/api/analyses/{first['id']}").status_code == 404
    assert [e["id"] for e in client.get("/api/analyses").json()] == [second["id"]]


def test_openapi_documents_the_api(client) -> None:
    spec = client.get("/openapi.json").json()
    assert {"/api/analyses", "/api/analyses/{analysis_id}"} <= set(spec["paths"])
    post = spec["paths"]["/api/analyses"]["post"]
    schema = post["requestBody"]["content"]["multipart/form-data"]["schema"]
    assert schema["required"] == ["file"]
    assert {"201", "413", "415"} <= set(post["responses"])
    assert "delete" in spec["paths"]["/api/analyses/{analysis_id}"]


# ---------------------------------------------------------------------------- refusals


def test_too_large_upload_is_413(make_client) -> None:
    client = make_client(max_upload=4096)
    response = upload(client, MOU_TXT)  # 6.8 kB of text
    assert response.status_code == 413
    assert "4096" not in response.json()["detail"] and "MB" in response.json()["detail"]
    assert client.get("/api/analyses").json() == []


def test_declared_oversized_body_is_refused_before_reading(make_client) -> None:
    client = make_client(max_upload=4096)
    response = client.post(
        "/api/analyses",
        content=b"x" * 10,
        headers={"content-length": str(50 * 1024 * 1024), "content-type": "multipart/form-data"},
    )
    assert response.status_code == 413


@pytest.mark.parametrize(
    ("name", "data", "phrase"),
    [
        ("draft.pdf", PNG, "PNG image"),
        ("draft.docx", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(600), "Word 97"),
        ("draft.txt", bytes(range(256)) * 40, "binary file"),
    ],
    ids=["png-named-pdf", "doc-named-docx", "binary-named-txt"],
)
def test_type_is_decided_by_the_bytes(client, name: str, data: bytes, phrase: str) -> None:
    response = upload(client, MOU_TXT, name=name, data=data)
    assert response.status_code == 415
    detail = response.json()["detail"]
    assert phrase in detail and "PDF" in detail and name in detail
    assert client.get("/api/analyses").json() == []


def test_text_named_pdf_is_analysed_as_text(client) -> None:
    response = upload(client, MOU_TXT, name="renamed.pdf")
    assert response.status_code == 201
    assert response.json()["document"]["format"] == "txt"


def test_corrupt_pdf_is_422(client) -> None:
    response = upload(client, MOU_TXT, name="broken.pdf", data=b"%PDF-1.7\n" + bytes(300))
    assert response.status_code == 422
    assert "broken.pdf could not be read" in response.json()["detail"]


def test_missing_file_field_is_400(client) -> None:
    response = client.post("/api/analyses", files={"other": ("a.txt", b"hello", "text/plain")})
    assert response.status_code == 400
    assert "'file'" in response.json()["detail"]


def test_timeout_is_504_and_the_pool_recovers(make_client) -> None:
    own = WorkerPool(1)
    try:
        client = make_client(pool=own, analysis_timeout=0.001)
        response = upload(client, SAMPLES / "mou-fjordvik-kilimani.pdf")
        assert response.status_code == 504
        assert "timed out after" in response.json()["detail"]
        assert client.get("/api/analyses").json() == []
        # The stuck pool was replaced: the next analysis runs in a fresh worker.
        healthy = make_client(pool=own)
        assert upload(healthy, MOU_TXT).status_code == 201
    finally:
        own.shutdown()


# ---------------------------------------------------------------------------- CSRF, origin


def test_form_upload_needs_the_csrf_token(client) -> None:
    files = {"files": (MOU_TXT.name, MOU_TXT.read_bytes(), "text/plain")}
    token = csrf(client)
    missing = client.post("/analyses", files=files)
    assert missing.status_code == 403
    assert "Reload the page" in missing.text
    wrong = client.post("/analyses", files=files, data={"csrf_token": token + "x"})
    assert wrong.status_code == 403
    assert client.get("/api/analyses").json() == []

    ok = client.post("/analyses", files=files, data={"csrf_token": token}, follow_redirects=False)
    assert ok.status_code == 303
    analysis_id = client.get("/api/analyses").json()[0]["id"]
    assert ok.headers["location"] == f"/analyses/{analysis_id}"

    as_json = client.post(
        "/analyses",
        files=files,
        headers={"accept": "application/json", "x-csrf-token": token},
    )
    assert as_json.status_code == 201
    assert as_json.json()["url"].startswith("/analyses/")
    assert as_json.json()["clauses"]["academic_freedom"] == "missing"


def test_delete_form_needs_the_csrf_token(client) -> None:
    analysis_id = upload(client, MOU_TXT).json()["id"]
    token = csrf(client)
    refused = client.post(f"/analyses/{analysis_id}/delete", data={"csrf_token": "forged"})
    assert refused.status_code == 403
    assert client.get(f"/api/analyses/{analysis_id}").status_code == 200
    done = client.post(
        f"/analyses/{analysis_id}/delete", data={"csrf_token": token}, follow_redirects=False
    )
    assert done.status_code == 303 and done.headers["location"] == "/history"
    assert client.get(f"/api/analyses/{analysis_id}").status_code == 404


def test_cross_site_requests_are_refused(client) -> None:
    files = {"file": (MOU_TXT.name, MOU_TXT.read_bytes(), "text/plain")}
    evil = client.post("/api/analyses", files=files, headers={"origin": "https://evil.example"})
    assert evil.status_code == 403
    fetch = client.post("/api/analyses", files=files, headers={"sec-fetch-site": "cross-site"})
    assert fetch.status_code == 403
    same = client.post("/api/analyses", files=files, headers={"origin": BASE})
    assert same.status_code == 201
    # Referrer-Policy no-referrer makes browsers send "Origin: null" on the site's own forms;
    # Sec-Fetch-Site then decides. A null origin with nothing else (sandboxed frame) is refused.
    own_form = {"origin": "null", "sec-fetch-site": "same-origin"}
    assert client.post("/api/analyses", files=files, headers=own_form).status_code == 201
    assert client.post("/api/analyses", files=files, headers={"origin": "null"}).status_code == 403


def test_foreign_host_header_is_refused(client) -> None:
    """DNS rebinding: a page on evil.example resolving to 127.0.0.1 must not read reports."""
    assert client.get("/api/analyses", headers={"host": "evil.example"}).status_code == 400
    assert client.get("/api/analyses", headers={"host": "localhost:8000"}).status_code == 200


# ---------------------------------------------------------------------------- access token


LONG_TOKEN = "s3cret-token-0123456789"


def test_token_is_required_when_configured(make_client) -> None:
    client = make_client(token="s3cret-token")
    assert client.get("/api/analyses").status_code == 401
    assert client.get("/api/analyses").headers["www-authenticate"] == "Bearer"
    wrong = client.get("/api/analyses", headers={"authorization": "Bearer nope"})
    assert wrong.status_code == 401
    ok = client.get("/api/analyses", headers={"authorization": "Bearer s3cret-token"})
    assert ok.status_code == 200
    assert upload(client, MOU_TXT).status_code == 401

    page = client.get("/history", follow_redirects=False)
    assert page.status_code == 303 and page.headers["location"] == "/login?next=/history"
    login_page = client.get("/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', login_page.text).group(1)
    bad = client.post("/login", data={"csrf_token": token, "token": "guess", "next": "/"})
    assert bad.status_code == 401
    good = client.post(
        "/login",
        data={"csrf_token": token, "token": "s3cret-token", "next": "/history"},
        follow_redirects=False,
    )
    assert good.status_code == 303 and good.headers["location"] == "/history"
    assert "s3cret-token" not in good.headers["set-cookie"]  # the cookie holds a random id
    assert client.get("/history").status_code == 200  # the session cookie now opens pages


def test_serve_refuses_public_address_without_token(monkeypatch, tmp_path) -> None:
    monkeypatch.delenv("ANALYSER_TOKEN", raising=False)
    with pytest.raises(ServeError, match="without an access token"):
        serve("0.0.0.0", 8000, tmp_path / "db.sqlite3", return_instance=True)
    server = serve("0.0.0.0", 8000, tmp_path / "db.sqlite3", token=LONG_TOKEN, return_instance=True)
    assert server.config.host == "0.0.0.0"
    monkeypatch.setenv("ANALYSER_TOKEN", "from-env-0123456789")
    assert serve("192.0.2.1", 8000, tmp_path / "db.sqlite3", return_instance=True) is not None


@pytest.mark.parametrize(
    "token", ["t", "fifteen-chars-x", " padded-token-with-space "], ids=["1", "15", "spaces"]
)
def test_serve_refuses_a_weak_token(tmp_path, token: str) -> None:
    with pytest.raises(ServeError, match="access token must"):
        serve("127.0.0.1", 8000, tmp_path / "db.sqlite3", token=token, return_instance=True)


def test_cli_serve_generates_a_token_off_loopback(runner, tmp_path, monkeypatch) -> None:
    import uvicorn

    from analyser.cli_serve import serve as serve_command

    started: list[uvicorn.Server] = []
    monkeypatch.setattr(uvicorn.Server, "run", lambda self, *a, **k: started.append(self))
    result = runner.invoke(
        serve_command,
        ["--host", "0.0.0.0", "--port", "0", "--db", str(tmp_path / "db.sqlite3")],
        env={"ANALYSER_TOKEN": None},
    )
    assert result.exit_code == 0, result.output
    printed = re.search(r"Access token \(generated[^)]*\): (\S+)", result.output)
    assert printed is not None, result.output
    assert len(printed.group(1)) >= 16
    assert started and started[0].config.app.state.config.token == printed.group(1)


def test_cli_serve_refuses_a_short_token(runner, tmp_path) -> None:
    from analyser.cli_serve import serve as serve_command

    result = runner.invoke(serve_command, ["--token", "x", "--db", str(tmp_path / "db.sqlite3")])
    assert result.exit_code == 2
    assert "at least 16 characters" in result.output


def _login(client, token: str, next_path: str = "/"):
    page = client.get("/login")
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
    return client.post(
        "/login",
        data={"csrf_token": csrf, "token": token, "next": next_path},
        follow_redirects=False,
    )


def test_logout_ends_the_session_for_good(make_client) -> None:
    client = make_client(token=LONG_TOKEN)
    assert _login(client, LONG_TOKEN).status_code == 303
    cookie = client.cookies.get("analyser_session")
    assert cookie and LONG_TOKEN not in cookie
    assert client.get("/history").status_code == 200
    page = client.get("/history")
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
    assert (
        client.post("/logout", data={"csrf_token": csrf}, follow_redirects=False).status_code == 303
    )
    # The old cookie, replayed (e.g. copied before logout), no longer opens anything.
    client.cookies.set("analyser_session", cookie)
    assert client.get("/history", follow_redirects=False).status_code == 303
    assert client.get("/api/analyses").status_code == 401


def test_session_expires(make_client) -> None:
    from analyser.web.security import Sessions

    now = [1000.0]
    client = make_client(token=LONG_TOKEN)
    config = client.app.state.config
    object.__setattr__(
        config,
        "sessions",
        Sessions(idle_seconds=60, absolute_seconds=300, clock=lambda: now[0]),
    )
    assert _login(client, LONG_TOKEN).status_code == 303
    now[0] += 59
    assert client.get("/history").status_code == 200  # used within the idle limit
    now[0] += 61
    assert client.get("/history", follow_redirects=False).status_code == 303  # idle too long
    assert _login(client, LONG_TOKEN).status_code == 303
    for _ in range(6):  # kept busy, it still ends at the absolute limit
        now[0] += 50
        assert client.get("/history").status_code == 200
    now[0] += 1  # 301 s after sign-in
    assert client.get("/history", follow_redirects=False).status_code == 303


def test_failed_sign_ins_are_throttled(make_client) -> None:
    client = make_client(token=LONG_TOKEN)
    statuses = [_login(client, f"guess-{i}").status_code for i in range(8)]
    assert statuses[:5] == [401] * 5
    assert 429 in statuses[5:]
    blocked = _login(client, LONG_TOKEN)  # even the right token waits out the lock
    assert blocked.status_code == 429
    assert int(blocked.headers["retry-after"]) >= 1


def test_wrong_bearer_tokens_are_throttled(make_client) -> None:
    client = make_client(token=LONG_TOKEN)
    codes = [
        client.get("/api/analyses", headers={"authorization": f"Bearer nope-{i}"}).status_code
        for i in range(10)
    ]
    assert codes[:5] == [401] * 5 and codes[-1] == 429
    answer = client.get("/api/analyses", headers={"authorization": f"Bearer {LONG_TOKEN}"})
    assert answer.status_code == 429 and "retry-after" in answer.headers


def test_security_throttle_backs_off_and_forgets_on_success() -> None:
    from analyser.web.security import LoginThrottle

    now = [0.0]
    throttle = LoginThrottle(free_failures=2, base_seconds=1, max_seconds=8, clock=lambda: now[0])
    assert [throttle.failed("a") for _ in range(2)] == [0.0, 0.0]
    assert [throttle.failed("a") for _ in range(5)] == [1, 2, 4, 8, 8]
    assert throttle.retry_after("a") == 8 and throttle.retry_after("b") == 0
    now[0] += 8
    assert throttle.retry_after("a") == 0
    throttle.succeeded("a")
    assert throttle.failed("a") == 0.0


def test_security_sessions_and_throttle_stay_bounded() -> None:
    """A flood of sign-ins or of failing addresses cannot grow the server's memory: the least
    recently used entry is forgotten first."""
    from analyser.web.security import LoginThrottle, Sessions

    sessions = Sessions(max_sessions=2)
    first, second = sessions.create(), sessions.create()
    assert sessions.valid(first)  # first is now the more recently used
    third = sessions.create()
    assert sessions.valid(first) and sessions.valid(third)
    assert not sessions.valid(second)

    throttle = LoginThrottle(free_failures=0, base_seconds=5, max_clients=2)
    throttle.failed("a")
    throttle.failed("b")
    throttle.failed("c")
    assert throttle.retry_after("a") == 0  # forgotten
    assert throttle.retry_after("b") > 0 and throttle.retry_after("c") > 0


# ---------------------------------------------------------------------------- headers


@pytest.mark.parametrize(
    "path",
    ["/", "/history", "/api/analyses", "/static/app.js", "/api/analyses/999"],
    ids=["upload", "history", "api-list", "static", "not-found"],
)
def test_security_headers(client, path: str) -> None:
    response = client.get(path)
    headers = response.headers
    csp = headers["content-security-policy"]
    assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert "unsafe-inline" not in csp
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["referrer-policy"] == "no-referrer"
    assert headers["x-frame-options"] == "DENY"
    if not path.startswith("/static/"):
        assert headers["cache-control"] == "no-store"


def test_pages_have_no_inline_script(client) -> None:
    upload(client, MOU_TXT)
    for path in ("/", "/history", "/analyses/1"):
        html = client.get(path).text
        scripts = re.findall(r"<script[^>]*>", html)
        assert scripts and all('src="/static/' in s for s in scripts), path
        assert " on" + "click=" not in html and "style=" not in html, path


# ---------------------------------------------------------------------------- storage


def test_history_survives_recreating_the_app(make_client, tmp_path) -> None:
    db = tmp_path / "kept.sqlite3"
    first = make_client(db)
    analysis_id = upload(first, MOU_TXT).json()["id"]
    report = first.get(f"/api/analyses/{analysis_id}").json()

    second = make_client(db)
    assert [e["id"] for e in second.get("/api/analyses").json()] == [analysis_id]
    assert second.get(f"/api/analyses/{analysis_id}").json() == report
    assert MOU_TXT.name in second.get("/history").text


def test_files_are_kept_only_when_asked(make_client, tmp_path) -> None:
    plain = make_client(tmp_path / "plain.sqlite3")
    analysis_id = upload(plain, MOU_TXT).json()["id"]
    assert plain.get(f"/analyses/{analysis_id}/file").status_code == 404
    with sqlite3.connect(tmp_path / "plain.sqlite3") as conn:
        assert conn.execute("SELECT COUNT(*) FROM files").fetchone() == (0,)

    keeping = make_client(tmp_path / "keep.sqlite3", keep_files=True)
    analysis_id = upload(keeping, MOU_TXT).json()["id"]
    stored = keeping.get(f"/analyses/{analysis_id}/file")
    assert stored.status_code == 200 and stored.content == MOU_TXT.read_bytes()


def test_delete_really_deletes_row_and_file(make_client, tmp_path) -> None:
    db = tmp_path / "secret.sqlite3"
    client = make_client(db, keep_files=True)
    # A marker that occurs only in the uploaded file, never in a report quote.
    data = MOU_TXT.read_bytes() + b"\n\nZZ-CONFIDENTIAL-MARKER-" + b"Q" * 64 + b"\n"
    analysis_id = upload(client, MOU_TXT, data=data).json()["id"]
    marker = b"ZZ-CONFIDENTIAL-MARKER-" + b"Q" * 64
    assert marker in db.read_bytes()

    token = csrf(client)
    client.post(f"/analyses/{analysis_id}/delete", data={"csrf_token": token})

    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT COUNT(*) FROM analyses").fetchone() == (0,)
        assert conn.execute("SELECT COUNT(*) FROM files").fetchone() == (0,)
    # secure_delete: the pages were overwritten, not just put on the free list.
    assert marker not in db.read_bytes()
    assert b"Fjordvik" not in db.read_bytes()


def test_database_file_is_private(make_client, tmp_path) -> None:
    make_client(tmp_path / "private.sqlite3")
    assert (tmp_path / "private.sqlite3").stat().st_mode & 0o077 == 0


# ---------------------------------------------------------------------------- pages


def test_report_page_shows_statuses_quotes_and_downloads(client) -> None:
    analysis_id = upload(client, SAMPLES / "mou-fjordvik-kilimani.pdf").json()["id"]
    html = client.get(f"/analyses/{analysis_id}").text
    statuses = dict(re.findall(r'data-clause="(\w+)" data-status="(\w+)"', html))
    assert statuses["fundamental_values"] == "present"
    assert statuses["academic_freedom"] == "missing"
    # A quote highlighted inside the rest of its paragraph, with its location.
    assert re.search(r"goodwill\. <mark>They shall keep each other informed", html)
    assert "p. 2 · Article 4 Spirit of cooperation" in html
    assert 'data-copy="suggestion-academic_freedom"' in html

    for ext, marker in (("html", "<!DOCTYPE html>"), ("md", "# "), ("json", '"schema_version"')):
        download = client.get(f"/analyses/{analysis_id}/report.{ext}")
        assert download.status_code == 200
        assert marker in download.text
        assert "attachment" in download.headers["content-disposition"]
    assert client.get(f"/analyses/{analysis_id}/report.exe").status_code == 404


def test_report_download_follows_the_chosen_language(client) -> None:
    """Downloads speak the language the adviser chose on the page; quotes stay Norwegian."""
    analysis_id = upload(client, SAMPLES / "mou-fjordvik-kilimani-nb.pdf").json()["id"]
    norwegian = client.get(f"/analyses/{analysis_id}/report.md").text
    assert norwegian.startswith("# Avtalerapport: ")
    english = client.get(f"/analyses/{analysis_id}/report.md?lang=en").text
    assert english.startswith("# Agreement report: ")
    assert "Partene" in english


def test_report_pdf_download_is_a4(client, tmp_path) -> None:
    import pypdfium2

    from analyser.render_pdf import pdf_renderer_available

    if not pdf_renderer_available():
        pytest.skip("WeasyPrint not installed (pip install 'agreement-analyser[pdf]')")
    analysis_id = upload(client, SAMPLES / "exchange-nordhavn-hanbit.pdf").json()["id"]
    assert 'id="download-pdf"' in client.get(f"/analyses/{analysis_id}").text
    response = client.get(f"/analyses/{analysis_id}/report.pdf")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/pdf"
    assert (
        'filename="exchange-nordhavn-hanbit-report.pdf"' in response.headers["content-disposition"]
    )
    (tmp_path / "r.pdf").write_bytes(response.content)
    pdf = pypdfium2.PdfDocument(str(tmp_path / "r.pdf"))
    try:
        assert {tuple(round(v) for v in pdf[i].get_size()) for i in range(len(pdf))} == {(595, 842)}
        assert "Gaps: required clauses are missing" in pdf[0].get_textpage().get_text_range()
    finally:
        pdf.close()


def assert_refused_past_the_deadline(make_client, url: str, message: str) -> None:
    """``url`` from a server whose engine deadline is 0.001 s: a 504 with ``message`` as its
    one line, on an error page and as JSON."""
    own = WorkerPool(1)
    try:
        hurried = make_client(pool=own, analysis_timeout=0.001)
        page = hurried.get(url)
        as_json = hurried.get(url, headers={"Accept": "application/json"})
    finally:
        own.shutdown()
    assert page.status_code == 504 and "text/html" in page.headers["content-type"]
    assert message in page.text
    assert as_json.status_code == 504 and as_json.json() == {"detail": message}


def test_report_pdf_download_past_the_deadline_is_504_and_the_server_serves_on(
    make_client, client
) -> None:
    """The layout runs in an engine worker under the upload deadline (issue 13): refused, it
    is one line on an error page (or JSON), never a 500, and the next download works."""
    from analyser.render_pdf import pdf_renderer_available

    if not pdf_renderer_available():
        pytest.skip("WeasyPrint not installed (pip install 'agreement-analyser[pdf]')")
    analysis_id = upload(client, SAMPLES / "exchange-nordhavn-hanbit.pdf").json()["id"]
    message = (
        "The PDF report of exchange-nordhavn-hanbit.pdf was stopped after 0.001 s: the report "
        "is too long to lay out in time. Download the HTML report and print it instead."
    )
    assert_refused_past_the_deadline(make_client, f"/analyses/{analysis_id}/report.pdf", message)
    served = client.get(f"/analyses/{analysis_id}/report.pdf")
    assert served.status_code == 200 and served.content.startswith(b"%PDF-")


def test_report_pdf_download_without_renderer_is_501(client, monkeypatch) -> None:
    import sys

    analysis_id = upload(client, SAMPLES / "exchange-nordhavn-hanbit.pdf").json()["id"]
    monkeypatch.setitem(sys.modules, "weasyprint", None)  # as if not installed
    response = client.get(f"/analyses/{analysis_id}/report.pdf")
    assert response.status_code == 501
    assert "WeasyPrint" in response.text


def test_checklist_download_is_a_word_document(client, tmp_path) -> None:
    import docx

    analysis_id = upload(client, SAMPLES / "mou-fjordvik-kilimani.pdf").json()["id"]
    response = client.get(f"/analyses/{analysis_id}/checklist.docx")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith(
        "application/vnd.openxmlformats-officedocument.wordprocessingml"
    )
    assert (
        'filename="mou-fjordvik-kilimani-checklist.docx"'
        in (response.headers["content-disposition"])
    )
    (tmp_path / "c.docx").write_bytes(response.content)
    document = docx.Document(str(tmp_path / "c.docx"))
    cells = [cell.text for table in document.tables for row in table.rows for cell in row.cells]
    text = "\n".join([p.text for p in document.paragraphs] + cells)
    assert "mou-fjordvik-kilimani.pdf" in text
    assert client.get("/analyses/999/checklist.docx").status_code == 404


def test_checklist_download_past_the_deadline_is_504_and_the_server_serves_on(
    make_client, client, tmp_path
) -> None:
    """The checklist is built in an engine worker under the upload deadline (issue 13):
    refused, it is one line on an error page (or JSON), never a 500, and the next download
    works."""
    import docx

    analysis_id = upload(client, SAMPLES / "mou-fjordvik-kilimani.pdf").json()["id"]
    message = (
        "The checklist of mou-fjordvik-kilimani.pdf was stopped after 0.001 s: the checklist "
        "is too long to build in time. Download the HTML report instead."
    )
    assert_refused_past_the_deadline(
        make_client, f"/analyses/{analysis_id}/checklist.docx", message
    )
    served = client.get(f"/analyses/{analysis_id}/checklist.docx")
    assert served.status_code == 200
    (tmp_path / "c.docx").write_bytes(served.content)
    document = docx.Document(str(tmp_path / "c.docx"))
    assert any("mou-fjordvik-kilimani.pdf" in p.text for p in document.paragraphs) or any(
        "mou-fjordvik-kilimani.pdf" in cell.text
        for table in document.tables
        for row in table.rows
        for cell in row.cells
    )


def test_history_page_search(client) -> None:
    upload(client, MOU_TXT)
    upload(client, SAMPLES / "rca-vestland-andes.docx")
    page = client.get("/history", params={"q": "vestland"}).text
    assert "rca-vestland-andes.docx" in page and MOU_TXT.name not in page
    assert "No analysis matches" in client.get("/history", params={"q": "zzz"}).text


def test_compare_two_versions(client) -> None:
    draft = MOU_TXT.read_bytes()
    revised = draft + (
        b"\n\nArticle 12 Academic freedom\n\n1. Nothing in this MoU shall restrict the "
        b"academic freedom of the researchers involved. Each Party's researchers shall be free "
        b"to publish the results of joint research without prior approval by the other Party.\n"
    )
    old = upload(client, MOU_TXT, name="mou-v1.txt", data=draft).json()
    new = upload(client, MOU_TXT, name="mou-v2.txt", data=revised).json()
    assert old["clauses"][1]["status"] == "missing"
    assert new["clauses"][1]["status"] != "missing"

    page = client.get("/compare", params=[("id", new["id"]), ("id", old["id"])])
    assert page.status_code == 200
    changes = dict(re.findall(r'id="change-(\w+)" data-change="(\w+)"', page.text))
    assert changes["academic_freedom"] in {"closed", "improved"}
    assert changes["fundamental_values"] == "unchanged"
    assert "restrict the academic freedom" in page.text  # the added evidence is shown
    # Older upload on the left, whatever order the ids came in.
    assert page.text.index("mou-v1.txt") < page.text.index("mou-v2.txt")
    assert client.get("/compare", params={"id": old["id"]}).status_code == 400


@pytest.mark.parametrize("big", [2**63, 2**64, 10**30], ids=["2^63", "2^64", "10^30"])
def test_out_of_range_ids_are_404_not_500(client, big: int) -> None:
    for method, path in [
        ("GET", f"/api/analyses/{big}"),
        ("DELETE", f"/api/analyses/{big}"),
        ("GET", f"/analyses/{big}"),
        ("GET", f"/analyses/{big}/report.json"),
        ("GET", f"/compare?id={big}&id=1"),
    ]:
        response = client.request(method, path)
        assert response.status_code in (404, 422), (method, path, response.status_code)


def test_over_long_search_is_422_not_500(client) -> None:
    long_term = "a" * 60_000
    assert client.get("/api/analyses", params={"q": long_term}).status_code == 422
    assert client.get("/history", params={"q": long_term}).status_code == 422
    assert client.get("/api/analyses", params={"q": "a" * 200}).status_code == 200


# ---------------------------------------------------------------------------- annotated drafts


def test_annotated_draft_download_for_docx_and_pdf(client, tmp_path) -> None:
    """The report page of a DOCX/PDF upload links its annotated draft: the same draft with the
    findings as Word comments (DOCX) or highlights and notes (PDF); a TXT upload has none."""
    import docx
    import pypdfium2 as pdfium
    import pypdfium2.raw as raw

    docx_id = upload(client, SAMPLES / "rca-vestland-andes.docx").json()["id"]
    page = client.get(f"/analyses/{docx_id}").text
    assert re.search(
        rf'<a class="button secondary" href="/analyses/{docx_id}/annotated" '
        r'id="download-annotated"[^>]*>Annotated draft \(DOCX\)</a>',
        page,
    )
    got = client.get(f"/analyses/{docx_id}/annotated")
    assert got.status_code == 200 and got.headers["content-type"].startswith(
        "application/vnd.openxmlformats-officedocument.wordprocessingml"
    )
    assert 'filename="rca-vestland-andes-annotated.docx"' in got.headers["content-disposition"]
    (tmp_path / "a.docx").write_bytes(got.content)
    comments = list(docx.Document(str(tmp_path / "a.docx")).comments)
    assert comments and {c.author for c in comments} == {"Agreement analyser"}

    pdf_id = upload(client, SAMPLES / "mou-fjordvik-kilimani.pdf").json()["id"]
    got = client.get(f"/analyses/{pdf_id}/annotated")
    assert got.status_code == 200 and got.headers["content-type"] == "application/pdf"
    original = (SAMPLES / "mou-fjordvik-kilimani.pdf").read_bytes()
    assert got.content.startswith(original) and len(got.content) > len(original)
    pdf = pdfium.PdfDocument(got.content)
    assert sum(raw.FPDFPage_GetAnnotCount(p.raw) for p in pdf) > 0

    txt_id = upload(client, MOU_TXT).json()["id"]
    assert "download-annotated" not in client.get(f"/analyses/{txt_id}").text
    assert client.get(f"/analyses/{txt_id}/annotated").status_code == 404
    listed = {e["id"]: e["has_annotated"] for e in client.get("/api/analyses").json()}
    assert listed == {docx_id: True, pdf_id: True, txt_id: False}


def test_delete_removes_the_annotated_draft(make_client, tmp_path) -> None:
    db = tmp_path / "drafts.sqlite3"
    client = make_client(db)
    analysis_id = upload(client, SAMPLES / "mou-fjordvik-kilimani.pdf").json()["id"]
    draft = client.get(f"/analyses/{analysis_id}/annotated").content
    original = (SAMPLES / "mou-fjordvik-kilimani.pdf").read_bytes()
    update = draft[len(original) :]  # the appended annotations: found only in the draft
    probe = update[len(update) // 2 : len(update) // 2 + 48]
    assert probe in db.read_bytes()

    client.post(f"/analyses/{analysis_id}/delete", data={"csrf_token": csrf(client)})
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT COUNT(*) FROM annotated_drafts").fetchone() == (0,)
    assert probe not in db.read_bytes()  # secure_delete overwrote it
    assert client.get(f"/analyses/{analysis_id}/annotated").status_code == 404


# ---------------------------------------------------------------------------- compare redline

_TERM = b"remains valid for a period of five (5) years"


def test_compare_page_redline_by_article(client) -> None:
    """A term changed from five to fifty years and disputes moved to the partner's courts:
    both are listed under their articles, deleted text in <del>, inserted in <ins>, each with a
    text label for screen readers; evidence both versions contain is not added or removed."""
    draft = MOU_TXT.read_bytes()
    assert _TERM in draft
    revised = draft.replace(_TERM, b"remains valid for a period of fifty (50) years") + (
        b"\n\nArticle 14 Disputes\n\n1. Any dispute shall be settled exclusively by the "
        b"courts of the Second Party's country.\n"
    )
    old = upload(client, MOU_TXT, name="mou-v1.txt", data=draft).json()
    new = upload(client, MOU_TXT, name="mou-v2.txt", data=revised).json()
    page = client.get("/compare", params=[("id", old["id"]), ("id", new["id"])]).text
    redline = page[page.index('id="redline"') :]
    hidden = r'<span class="visually-hidden">\[{} </span>'
    assert re.search(
        r"<del>" + hidden.format("deleted:") + r"five \(5\)<span", redline
    ) and re.search(r"<ins>" + hidden.format("inserted:") + r"fifty \(50\)<span", redline)
    assert re.search(r"<ins>" + hidden.format("inserted:") + r"Article 14 Disputes", redline)
    assert "courts of the Second Party" in redline
    headings = re.findall(r'<h3 id="redline-\d+">([^<]+)</h3>', redline)
    assert len(headings) == 2 and headings[0].startswith("Article 11")
    assert "unrelated-warning" not in page


def test_compare_page_unrelated_warns_without_redline(client) -> None:
    old = upload(client, MOU_TXT).json()
    other = upload(client, SAMPLES / "rca-vestland-andes.txt").json()
    page = client.get("/compare", params=[("id", old["id"]), ("id", other["id"])]).text
    assert 'id="unrelated-warning"' in page and 'id="redline"' not in page


def test_compare_page_without_stored_text_says_so(client) -> None:
    """Analyses stored before the text was kept (no document view) get a note, not a 500."""
    first = upload(client, MOU_TXT).json()
    report = client.get(f"/api/analyses/{first['id']}").json()
    report.pop("id")
    store = client.app.state.store
    bare = store.add(report, {}, name="old-row.txt", size=1)
    page = client.get("/compare", params=[("id", first["id"]), ("id", bare)])
    assert page.status_code == 200 and 'id="redline-unavailable"' in page.text


def test_report_page_leads_with_the_pending_changes_sentence(client, tmp_path) -> None:
    """A redlined DOCX: the report page says what the partner's tracked changes do, at the top,
    and its annotated draft keeps the partner's tracked changes beside the analyser's."""
    import zipfile

    from revision_fixtures import ONLY_ARTICLE_3, PARTNER, build_agreement, delete_article

    path = build_agreement(tmp_path / "redline.docx", delete_article(3), text=ONLY_ARTICLE_3)
    analysis_id = upload(client, path).json()["id"]
    page = client.get(f"/analyses/{analysis_id}").text
    sentence = re.search(r'<p class="notice revisions" id="revision-sentence">([^<]+)</p>', page)
    assert sentence and sentence.group(1).startswith(f"Pending changes by {PARTNER} (")
    assert "they remove Academic freedom (Article 3 deleted)" in sentence.group(1)
    assert page.index("revision-sentence") < page.index('id="clause-summary"')
    card = page[page.index('id="revision-academic_freedom"') :]
    assert "Pending changes: removed</strong> (before them: Present)" in card
    assert re.search(r"<li>deleted · Partner Legal · [0-9-]{10}[^:]*: <del", card)
    draft = client.get(f"/analyses/{analysis_id}/annotated").content
    (tmp_path / "annotated.docx").write_bytes(draft)
    body = zipfile.ZipFile(tmp_path / "annotated.docx").read("word/document.xml").decode()
    assert f'w:author="{PARTNER}"' in body and 'w:author="Agreement analyser"' in body


def test_compare_page_redline_within_a_work_budget(make_client) -> None:
    """Two uploads of one paragraph repeated 2,000 times, every other copy changed: aligning
    them is cubic work (four minutes). Within its work budget the redline still answers,
    the changed stretch as one replacement and a notice saying so, instead of the engine's
    deadline refusing it."""
    client = make_client(analysis_timeout=40)
    line = b"The Parties shall meet once a year to review the programme.\n\n"
    changed = b"The Parties shall meet once a month to review the programme.\n\n"
    draft = MOU_TXT.read_bytes() + line * 2000
    revised = MOU_TXT.read_bytes() + (line + changed) * 1000
    old = upload(client, MOU_TXT, name="v1.txt", data=draft).json()
    new = upload(client, MOU_TXT, name="v2.txt", data=revised).json()
    page = client.get("/compare", params=[("id", old["id"]), ("id", new["id"])])
    assert page.status_code == 200
    assert 'id="redline"' in page.text and 'id="redline-coarse"' in page.text
    assert "once a month" in page.text[page.text.index('id="redline"') :]


@pytest.mark.parametrize(
    "name", ["合作协议.pdf", "соглашение.pdf", "avtale-æøå.pdf"], ids=["chinese", "cyrillic", "nb"]
)
def test_downloads_of_a_non_latin_file_name(client, name: str) -> None:
    """Every download of an upload named in any script: 200, an ASCII filename= and the real
    name in filename* (a non-Latin-1 name in the header was a 500)."""
    from urllib.parse import quote

    analysis_id = upload(client, SAMPLES / "mou-fjordvik-kilimani.pdf", name=name).json()["id"]
    stem = name.rsplit(".", 1)[0]
    for path, suffix in [
        ("report.md", "-report.md"),
        ("report.json", "-report.json"),
        ("checklist.docx", "-checklist.docx"),
        ("annotated", "-annotated.pdf"),
    ]:
        response = client.get(f"/analyses/{analysis_id}/{path}")
        assert response.status_code == 200, (path, response.status_code)
        disposition = response.headers["content-disposition"]
        assert disposition.isascii()
        assert f"filename*=UTF-8''{quote(stem + suffix)}" in disposition
