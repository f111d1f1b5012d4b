"""Which library lays out `analyser check --format pdf`: WeasyPrint or headless Chromium.

Both get the same input: the HTML report (with its A4 print stylesheet) of a 3-page sample
agreement. For each renderer it prints the time per report (median of ``--repeat`` runs; the
first run, with its import or browser start, separately), the PDF's size, page count and page
size, the fonts embedded (``pdffonts``, poppler-utils), whether the print stylesheet was
honoured (the skip link and the document view, both screen-only, absent from the PDF's text;
the verdict present), whether the PDF is tagged for screen readers, the install weight, and
whether a report carrying a remote image and a ``file:`` stylesheet made the renderer reach
out (a loopback HTTP server counts the requests).

Chromium runs as the CLI would run it: ``chromium --headless --print-to-pdf`` per report (no
Playwright at run time). Prints figures; asserts nothing.

Run: ``python bench/bench_pdf_report.py [--repeat 5] [--sample samples/…pdf]``
"""

from __future__ import annotations

import argparse
import http.server
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from importlib import metadata
from pathlib import Path

import pypdfium2 as pdfium

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "samples" / "exchange-nordhavn-hanbit.pdf"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-pdf-header-footer",
    "--disable-background-networking",
    "--no-first-run",
]
SCREEN_ONLY = ("Skip to main content", "The document with its findings")


def report_html(sample: Path) -> tuple[str, str]:
    """The HTML report of ``sample`` (with the document view, as `check -f html` writes it)."""
    from analyser.docview import document_view
    from analyser.pipeline import Analyser
    from analyser.render import render

    report, document = Analyser.for_profile(None).analyse_file(sample)
    view = document_view(document, report.to_dict())
    summary = report.summary()
    return render(report, "html", view=view), summary["verdict"]


def pdf_facts(pdf: Path, verdict: str) -> dict[str, object]:
    doc = pdfium.PdfDocument(str(pdf))
    try:
        width, height = doc[0].get_size()
        text = "".join(doc[i].get_textpage().get_text_range() for i in range(len(doc)))
        pages = len(doc)
    finally:
        doc.close()
    flat = " ".join(text.split())
    try:
        fonts_out = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True).stdout
        fonts = sorted({ln.split()[0].split("+")[-1] for ln in fonts_out.splitlines()[2:] if ln})
    except FileNotFoundError:
        fonts = ["(pdffonts not installed)"]
    from pypdf import PdfReader

    catalogue = PdfReader(str(pdf)).trailer["/Root"]
    marked = bool(catalogue.get("/MarkInfo", {}).get("/Marked"))
    return {
        "tagged (screen readers)": marked and "/StructTreeRoot" in catalogue,
        "bytes": pdf.stat().st_size,
        "pages": pages,
        "page size (pt)": f"{width:.0f} x {height:.0f}",
        "fonts embedded": ", ".join(fonts),
        "print CSS honoured": not any(s in flat for s in SCREEN_ONLY),
        "verdict in text": verdict.split(":")[0].lower() in flat.lower(),
    }


def dist_bytes(name: str, seen: set[str] | None = None) -> int:
    """Installed size of a distribution and the requirements it pulls in (each counted once)."""
    seen = set() if seen is None else seen
    key = name.lower().replace("_", "-")
    if key in seen:
        return 0
    seen.add(key)
    try:
        dist = metadata.distribution(name)
    except metadata.PackageNotFoundError:
        return 0
    total = sum((f.size or 0) for f in dist.files or [])
    for req in dist.requires or []:
        if "extra ==" in req:
            continue
        dep = req.split(";")[0].split("[")[0]
        for sep in "<>=!~ (":
            dep = dep.split(sep)[0]
        total += dist_bytes(dep.strip(), seen)
    return total


def du(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file() and not p.is_symlink())


class _Counter(http.server.BaseHTTPRequestHandler):
    hits = 0

    def do_GET(self) -> None:  # noqa: N802 - the stdlib's name
        type(self).hits += 1
        self.send_response(200)
        self.send_header("Content-Type", "text/css")
        self.end_headers()
        self.wfile.write(b"body { color: red }")

    def log_message(self, *args: object) -> None:
        pass


def hostile(html: str, port: int) -> str:
    """The report with a remote image, a remote stylesheet and a ``file:`` stylesheet."""
    extra = (
        f'<link rel="stylesheet" href="http://127.0.0.1:{port}/x.css">'
        '<link rel="stylesheet" href="file:///etc/hostname">'
        f'<img src="http://127.0.0.1:{port}/pixel.png" alt="">'
    )
    return html.replace("</head>", extra + "</head>", 1)


def weasy(html: str, out: Path) -> None:
    from analyser.render_pdf import html_to_pdf

    out.write_bytes(html_to_pdf(html))


def chromium(html: str, out: Path, tmp: Path) -> None:
    page = tmp / "report.html"
    page.write_text(html, encoding="utf-8")
    subprocess.run(
        [str(CHROMIUM), *CHROMIUM_ARGS, f"--print-to-pdf={out}", page.as_uri()],
        check=True,
        capture_output=True,
    )


def measure(name, run, html, verdict, repeat, tmp: Path) -> dict[str, object]:
    out = tmp / f"{name}.pdf"
    times = []
    for _ in range(repeat + 1):
        started = time.perf_counter()
        run(html, out)
        times.append(time.perf_counter() - started)
    facts = {"first run (s)": f"{times[0]:.2f}", "per report (s)": statistics.median(times[1:])}
    facts["per report (s)"] = f"{facts['per report (s)']:.2f}"
    facts.update(pdf_facts(out, verdict))
    return facts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--sample", type=Path, default=SAMPLE)
    args = parser.parse_args()
    sample_pages = len(pdfium.PdfDocument(str(args.sample)))
    html, verdict = report_html(args.sample)
    print(f"sample: {args.sample.name} ({sample_pages} pages); HTML report {len(html):,} bytes")

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Counter)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    port = server.server_address[1]
    results: dict[str, dict[str, object]] = {}
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        started = time.perf_counter()
        subprocess.run([sys.executable, "-c", "import weasyprint"], check=True)
        import_s = time.perf_counter() - started
        results["WeasyPrint"] = measure("weasy", weasy, html, verdict, args.repeat, tmp)
        results["WeasyPrint"]["start (s)"] = f"{import_s:.2f} (python -c 'import weasyprint')"
        _Counter.hits = 0
        weasy(hostile(html, port), tmp / "hostile-w.pdf")
        results["WeasyPrint"]["requests from a hostile report"] = _Counter.hits
        results["WeasyPrint"]["install (MB)"] = f"{dist_bytes('weasyprint') / 1e6:.0f} (pip)"
        if CHROMIUM.exists():

            def chrome(h: str, o: Path) -> None:
                chromium(h, o, tmp)

            results["Chromium"] = measure("chromium", chrome, html, verdict, args.repeat, tmp)
            results["Chromium"]["start (s)"] = "in every run (a browser per report)"
            _Counter.hits = 0
            chrome(hostile(html, port), tmp / "hostile-c.pdf")
            results["Chromium"]["requests from a hostile report"] = _Counter.hits
            size = du(CHROMIUM.parent.parent / "lib" / "chromium")
            results["Chromium"]["install (MB)"] = f"{size / 1e6:.0f} (/usr/lib/chromium)"
    server.shutdown()
    rows = list(next(iter(results.values())))
    names = list(results)
    print(f"\n| measure | {' | '.join(names)} |")
    print(f"|---|{'---|' * len(names)}")
    for row in rows:
        print(f"| {row} | {' | '.join(str(results[n].get(row, '')) for n in names)} |")


if __name__ == "__main__":
    main()
