"""Upload → report latency of the web server, against the library on the same file.

Starts the real server (uvicorn, worker process) on a free loopback port, uploads a sample
PDF through the JSON API several times and prints the median and worst latency, next to the
median of ``Analyser.analyse_path`` on the same file in this process (the baseline), so the
ratio shows what the web layer (HTTP, multipart, worker hand-off, SQLite) adds. The issue's
target is a report within 2 s of the upload.

    python bench/bench_web.py [--runs 10] [FILE]
"""

from __future__ import annotations

import argparse
import socket
import statistics
import tempfile
import threading
import time
from pathlib import Path

import httpx

SAMPLE = Path(__file__).resolve().parents[1] / "samples" / "mou-fjordvik-kilimani.pdf"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("file", nargs="?", type=Path, default=SAMPLE)
    parser.add_argument("--runs", type=int, default=10)
    args = parser.parse_args()

    from analyser.pipeline import Analyser
    from analyser.web.app import serve

    analyser = Analyser.for_profile(None)
    analyser.analyse_path(args.file)  # warm
    baseline = []
    for _ in range(args.runs):
        started = time.perf_counter()
        analyser.analyse_path(args.file)
        baseline.append(time.perf_counter() - started)

    port = _free_port()
    with tempfile.TemporaryDirectory() as tmp:
        server = serve(
            "127.0.0.1",
            port,
            Path(tmp) / "bench.sqlite3",
            log_level="warning",
            return_instance=True,
        )
        thread = threading.Thread(target=server.run, daemon=True)
        thread.start()
        while not server.started:
            time.sleep(0.05)
        data = args.file.read_bytes()
        url = f"http://127.0.0.1:{port}/api/analyses"
        latencies = []
        with httpx.Client(timeout=120) as client:
            first_started = time.perf_counter()
            client.post(url, files={"file": (args.file.name, data)}).raise_for_status()
            first = time.perf_counter() - first_started
            for _ in range(args.runs):
                started = time.perf_counter()
                client.post(url, files={"file": (args.file.name, data)}).raise_for_status()
                latencies.append(time.perf_counter() - started)
        server.should_exit = True
        thread.join(timeout=15)

    base, web = statistics.median(baseline), statistics.median(latencies)
    print(f"file: {args.file.name} ({len(data) / 1024:.0f} KB), {args.runs} runs")
    print(f"library analyse_path (baseline) median {base * 1000:7.1f} ms")
    print(f"web first upload (workers warming)     {first * 1000:7.1f} ms")
    print(
        f"web upload → report          median {web * 1000:7.1f} ms, "
        f"max {max(latencies) * 1000:.1f} ms"
    )
    print(f"ratio web / library: {web / base:.2f}")


if __name__ == "__main__":
    main()
