"""Built site folder + page paths -> Lighthouse mobile scores (performance, accessibility,
best practices, SEO) per page, measured on a local gzip-capable server. Not a test.

    python bench/lighthouse.py SITE_DIR [PAGE ...]      e.g. site / en/ plan/targets/t1/
    python bench/lighthouse.py --plain SITE_DIR [PAGE ...]

Served as mike publishes it (<version>/ beside versions.json), or with --plain as a plain build on
any static host: the folder at the server's root, nothing beside it.

Lighthouse 12.2.3 (the last to run on Node 20) is taken from .cache/tools (install once with
`npm install --prefix .cache/tools lighthouse@12.2.3`), else run through
`npx --yes lighthouse@12.2.3`. Chromium: CHROME_PATH (default /usr/bin/chromium). About 15 s a run.
Each page runs 5 times (--runs) and the median run is printed last: one run's performance score
moves by several points on a shared machine (Lighthouse's docs advise the median of 5).
"""

from __future__ import annotations

import argparse
import functools
import gzip
import json
import os
import subprocess
import sys
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

LIGHTHOUSE = "lighthouse@12.2.3"
TOOLS = Path(__file__).resolve().parent.parent / ".cache" / "tools"
CATEGORIES = ("performance", "accessibility", "best-practices", "seo")
COMPRESSIBLE = (".html", ".css", ".js", ".json", ".svg", ".xml", ".txt", ".csv", ".map")
CHROME_FLAGS = "--headless --no-sandbox --disable-gpu"
# The performance score's inputs (Lighthouse 12 weights: TBT 30 %, LCP 25 %, CLS 25 %, FCP 10 %, SI 10 %).
METRICS = {"first-contentful-paint": "FCP ms", "largest-contentful-paint": "LCP ms", "total-blocking-time": "TBT ms",
           "cumulative-layout-shift": "CLS", "speed-index": "SI ms"}


class GzipHandler(SimpleHTTPRequestHandler):
    """Static files, gzip-compressed for text types when the client accepts it (as a CDN would)."""

    def end_headers(self):
        self.send_header("Cache-Control", "no-cache")
        super().end_headers()

    def do_GET(self):
        path = Path(self.translate_path(self.path))
        if path.is_dir():
            if not self.path.split("?")[0].endswith("/"):
                return super().do_GET()  # the stock handler redirects to the slash form
            path = path / "index.html"
        accepts = "gzip" in self.headers.get("Accept-Encoding", "")
        if not (accepts and path.is_file() and path.suffix in COMPRESSIBLE):
            return super().do_GET()
        body = gzip.compress(path.read_bytes(), compresslevel=6, mtime=0)
        self.send_response(200)
        self.send_header("Content-Type", self.guess_type(str(path)))
        self.send_header("Content-Encoding", "gzip")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Vary", "Accept-Encoding")
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def serve(site: Path) -> ThreadingHTTPServer:
    """Folder -> running server on 127.0.0.1 (a free port), in a daemon thread."""
    handler = functools.partial(GzipHandler, directory=str(site))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def lighthouse_command() -> list[str]:
    local = TOOLS / "node_modules" / ".bin" / "lighthouse"
    return [str(local)] if local.exists() else ["npx", "--yes", LIGHTHOUSE]


def scores(url: str) -> dict[str, float]:
    """Page URL -> {category: score 0-100, metric label: value} from one mobile Lighthouse run."""
    env = {**os.environ, "CHROME_PATH": os.environ.get("CHROME_PATH", "/usr/bin/chromium")}
    run = subprocess.run(
        [*lighthouse_command(), url, "--quiet", "--output=json", "--output-path=stdout",
         f"--only-categories={','.join(CATEGORIES)}", f"--chrome-flags={CHROME_FLAGS}"],
        capture_output=True, text=True, env=env, check=True,
    )
    report = json.loads(run.stdout)
    result: dict[str, float] = {c: round((report["categories"][c]["score"] or 0) * 100) for c in CATEGORIES}
    for audit, label in METRICS.items():
        value = report["audits"][audit].get("numericValue") or 0
        result[label] = round(value, 3) if label == "CLS" else round(value)
    return result


def as_published(site: Path, version: str, scratch: Path) -> Path:
    """Built site -> a folder laid out as mike publishes it (<version>/ beside versions.json), so the
    theme's version selector finds versions.json as it does on the real host."""
    (scratch / version).symlink_to(site.resolve(), target_is_directory=True)
    (scratch / "versions.json").write_text(json.dumps([{"version": version, "title": version, "aliases": ["latest"]}]))
    return scratch


def main() -> int:
    import tempfile

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("site", type=Path, help="built site folder")
    parser.add_argument("pages", nargs="*", default=["/"], help="page paths, e.g. / en/")
    parser.add_argument("--version", default="latest", help="version folder to serve the site under")
    parser.add_argument("--plain", action="store_true",
                        help="serve the folder itself at the root, no versions.json (a plain build on any host)")
    parser.add_argument("--runs", type=int, default=5, help="runs per page; the median run is printed after them")
    args = parser.parse_args()
    if args.plain:
        server = serve(args.site)
        base = f"http://127.0.0.1:{server.server_address[1]}/"
    else:
        server = serve(as_published(args.site, args.version, Path(tempfile.mkdtemp(prefix="lighthouse-"))))
        base = f"http://127.0.0.1:{server.server_address[1]}/{args.version}/"
    columns = [*CATEGORIES, *METRICS.values()]
    print(f"{'page':40} " + " ".join(f"{c[:13]:>13}" for c in columns))
    for page in args.pages:
        runs = []
        for _ in range(args.runs):
            runs.append(scores(base + page.lstrip("/")))
            print(f"{page:40} " + " ".join(f"{runs[-1][c]:>13}" for c in columns), flush=True)
        if len(runs) > 1:
            # Lighthouse's own advice for its run-to-run variance: judge the median run (by performance score).
            median = sorted(runs, key=lambda r: r["performance"])[len(runs) // 2]
            print(f"{'  median of ' + str(len(runs)):40} " + " ".join(f"{median[c]:>13}" for c in columns), flush=True)
    server.shutdown()
    return 0


if __name__ == "__main__":
    sys.exit(main())
