"""``analyser serve``: the web front end, as a click command registered on the main group.

Kept out of ``analyser/cli.py`` so that the CLI does not import FastAPI and uvicorn unless the
server is actually started.
"""

from __future__ import annotations

import errno
import socket
from pathlib import Path

import click

from analyser.cli_common import FiniteFloatRange, fail
from analyser.errors import ServerStartError
from analyser.web.security import TOKEN_ENV, generate_token, is_loopback


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(0, 65535))
@click.option(
    "--db",
    "db_path",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="SQLite file for the history. Default: "
    "$XDG_DATA_HOME/agreement-analyser/analyses.sqlite3 (~/.local/share if unset).",
)
@click.option(
    "--token",
    envvar=TOKEN_ENV,
    default=None,
    help=f"Access token required by every page and API call (or set {TOKEN_ENV}); at least "
    "16 characters. When --host is not a loopback address and no token is given, one is "
    "generated and printed once.",
)
@click.option(
    "--keep-files",
    is_flag=True,
    help="Also store each uploaded file as it was (default: its report and, for a DOCX or "
    "PDF, the annotated draft made from it).",
)
@click.option(
    "--max-upload-mb",
    default=25.0,
    show_default=True,
    type=FiniteFloatRange(0.1, 100),
    help="Largest accepted upload; bigger ones are refused with HTTP 413.",
)
@click.option(
    "--timeout",
    "analysis_timeout",
    default=60.0,
    show_default=True,
    type=FiniteFloatRange(1, 3600),
    help="Seconds one analysis may take before its worker is stopped (HTTP 504); an upload "
    "waiting that long for a free worker gets HTTP 503.",
)
@click.option(
    "--workers",
    default=1,
    show_default=True,
    type=click.IntRange(1, 32),
    help="Worker processes that analyse uploads in parallel.",
)
@click.option(
    "--queue",
    "queue_size",
    default=None,
    type=click.IntRange(0, 1000),
    help="Uploads that may wait for a busy worker; beyond them HTTP 503 with Retry-After.  "
    "[default: twice --workers]",
)
@click.option(
    "--max-connections",
    default=64,
    show_default=True,
    type=click.IntRange(1, 10000),
    help="Connections served at once; more get HTTP 503 (uvicorn's limit_concurrency).",
)
@click.option(
    "--stall-timeout",
    default=15.0,
    show_default=True,
    type=click.FloatRange(0.5, 600),
    help="Seconds a client may stall while sending its request headers or upload; the "
    "connection is then closed (headers) or answered HTTP 408 (upload).",
)
@click.option(
    "-p", "--profile", default=None, metavar="NAME|PATH", help="Policy profile (default eu-2024)."
)
def serve(
    host: str,
    port: int,
    db_path: Path | None,
    token: str | None,
    keep_files: bool,
    max_upload_mb: float,
    analysis_timeout: float,
    workers: int,
    queue_size: int | None,
    max_connections: int,
    stall_timeout: float,
    profile: str | None,
) -> None:
    """Start the web server for legal advisers: upload drafts, read and compare reports.

    Listens on 127.0.0.1:8000 by default; open http://127.0.0.1:8000/ in a browser. The JSON
    API is described at /openapi.json. Nothing is sent anywhere: analysis runs locally.
    """
    from analyser.web.app import ServeError, default_db_path
    from analyser.web.app import serve as run_server

    db = db_path or default_db_path()
    generated = not token and not is_loopback(host)
    if generated:
        token = generate_token()
    try:
        server = run_server(
            host,
            port,
            db,
            token=token,
            keep_files=keep_files,
            max_upload=int(max_upload_mb * 1024 * 1024),
            analysis_timeout=analysis_timeout,
            workers=workers,
            profile=profile,
            return_instance=True,
            queue_size=queue_size,
            max_connections=max_connections,
            stall_timeout=stall_timeout,
        )
    except ServeError as e:
        raise click.UsageError(str(e)) from e
    listening = _listen(host, port)
    port = listening.getsockname()[1]  # the one the system chose for --port 0
    shown = f"[{host}]" if ":" in host else host
    click.echo(f"Agreement analyser on http://{shown}:{port}/  (history: {db})", err=True)
    if generated:
        click.echo(
            f"Access token (generated; give it to the advisers who may sign in): {token}",
            err=True,
        )
    try:
        server.run(sockets=[listening])
    finally:
        listening.close()


def _listen(host: str, port: int) -> socket.socket:
    """Bind the listening socket before saying where the server is, so that a port in use is
    one line and exit 5 rather than an address printed and then an error from uvicorn."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    except OSError as e:
        raise fail(ServerStartError(f"cannot listen on {host}:{port}: unknown address")) from e
    family, kind, proto, _name, address = infos[0]
    sock = socket.socket(family, kind, proto)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(address)
    except OSError as e:
        sock.close()
        reason = "the port is already in use" if e.errno == errno.EADDRINUSE else e.strerror
        raise fail(ServerStartError(f"cannot listen on {host}:{port}: {reason}")) from e
    return sock
