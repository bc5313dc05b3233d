"""Build benchmark: stage times, peak memory, pages, and the ratio to a bare `mkdocs build`, for the
shipped data and synthetic 10x/100x data; then a no-change rebuild, a one-observation rebuild, a CI
publish with its content store restored, a cold build whose charts come from the store, and the
preview's latency. Prints each goal with PASS or MISS. Not a test (timings depend on the machine and
its load).

    python bench/run.py                      # shipped, 10x, 100x (generates bench/out/<k>x if absent)
    python bench/run.py --scales shipped,10  # a subset
    python bench/run.py --scales 10x --only preview   # the preview's latency alone (a few minutes)

Scenarios, each timed from process start to exit and compared with the floor measured in the same run:
- cold: an empty work folder; no change: the same again; one observation: one figure changed;
- CI publish, store restored: another figure changed (a data commit), then a fresh work and output
  folder holding only `<work>/cache/` from the build before (what actions/cache restores);
- charts from the store: a fresh work folder holding only the chart entries of the content store
  (cold in every other stage: what a cold build costs once chart renders are free);
- preview: `build.py serve` running; a figure changed in observations.csv, timed from the file's
  write to the first response of the served target page with new bytes (the server holds requests
  while it rebuilds), median and worst of PREVIEW_EDITS edits.

Every build runs in its own process (`--one-build`, used internally), so each has its own peak
memory: `resource.getrusage` ru_maxrss of the build process (RUSAGE_SELF) and of its largest
finished child (RUSAGE_CHILDREN: the chart workers; Linux reports the largest child, not a sum).
The floor is `python -m mkdocs build --strict` of the `<work>/mkdocs.yml` the cold build wrote,
into a scratch folder, timed the same way (process start to exit) as the build it is compared with;
it runs three times through each scale's measurements (after the cold build, after the CI build,
after the preview) and the median is the floor.
Scratch folders live in bench/out/runs/ (git-ignored). The cache rightly rebuilds when code,
templates, theme or site_src change between the builds of one run: run from a snapshot
(`git archive HEAD | tar -x -C /tmp/snap`) when others are editing the working tree.
"""
from __future__ import annotations

import argparse
import csv
import hashlib
import json
import os
import platform
import re
import resource
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
RUNS = BENCH / "out" / "runs"
STAGES = ("validate", "load", "query", "pages", "charts", "assets", "render", "mkdocs")
PREVIEW_EDITS = 5
FLOOR_CPU: list[float] = []  # CPU seconds of each floor run, in order (bare_mkdocs appends)


def _cpu_seconds() -> float:
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def one_build(data: Path, work: Path, out: Path) -> dict:
    """Inside the child process: one build, timed per stage (wall and CPU of this process + children)."""
    from contextlib import contextmanager

    sys.path.insert(0, str(REPO))
    from plantracker.cache import read_record
    from plantracker.pipeline import BuildOptions, build

    times, cpu = {}, {}

    @contextmanager
    def step(name):
        start, start_cpu = time.perf_counter(), _cpu_seconds()
        yield
        times[name], cpu[name] = time.perf_counter() - start, _cpu_seconds() - start_cpu

    start = time.perf_counter()
    result = build(BuildOptions(data_dir=data, out_dir=out, work_dir=work), step)
    total = time.perf_counter() - start
    # Stage CPU counts this process and the helpers it has reaped: not the chart workers, which
    # their fork server reaps, nor that server, which outlives the build. run_build counts all.
    return {"stages": times, "cpu": cpu, "in_process_total": total,
            "pages": result.pages, "charts": result.charts,
            "peak_self_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
            "peak_child_mb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024,
            "cache": read_record(work)["last_build"]}


def _children_cpu() -> float:
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return children.ru_utime + children.ru_stime


def _timed(command: list[str]) -> tuple[float, str]:
    start = time.perf_counter()
    done = subprocess.run(command, cwd=REPO, capture_output=True, text=True)
    wall = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"failed ({done.returncode}): {' '.join(command)}\n{done.stderr[-3000:]}")
    return wall, done.stdout


def _reap_orphans() -> None:
    """Adopt this process's descendants that outlive their parent (Linux: a child subreaper), and
    wait for those that ended: the chart workers' fork server ends just after the build process
    (charts.workers), so its CPU and its workers' count in RUSAGE_CHILDREN only once reaped here."""
    try:
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(36, 1)  # 36 = PR_SET_CHILD_SUBREAPER
    except (OSError, AttributeError):
        return
    deadline = time.monotonic() + 30  # a helper that never ends is not waited for longer
    while time.monotonic() < deadline:
        try:
            if os.waitpid(-1, os.WNOHANG)[0] == 0:
                time.sleep(0.01)
        except ChildProcessError:
            return


def run_build(data: Path, work: Path, out: Path) -> dict:
    """A build in a fresh process -> its figures; `wall` counts interpreter start and imports too,
    `cpu_total` the CPU of that process and of every process below it (one_build)."""
    _reap_orphans()  # this process adopts orphans from now on; none are left from before
    cpu = _children_cpu()
    wall, stdout = _timed([sys.executable, str(Path(__file__).resolve()), "--one-build", str(data), str(work), str(out)])
    _reap_orphans()
    figures = json.loads(stdout.strip().splitlines()[-1])
    figures["wall"], figures["cpu_total"] = wall, _children_cpu() - cpu
    print(f"  build {data.parent.name}: {wall:.1f} s " + json.dumps({k: figures[k] for k in ("stages", "cache")}),
          file=sys.stderr, flush=True)
    return figures


def bare_mkdocs(work: Path, scratch: Path) -> float:
    """The floor: a bare `mkdocs build --strict` of the generated docs and config, into scratch."""
    shutil.rmtree(scratch, ignore_errors=True)
    cpu = _children_cpu()
    wall, _ = _timed([sys.executable, "-m", "mkdocs", "build", "--strict", "-q", "-f", str(work / "mkdocs.yml"),
                      "-d", str(scratch)])
    FLOOR_CPU.append(_children_cpu() - cpu)
    shutil.rmtree(scratch, ignore_errors=True)
    return wall


def snapshot(root: Path) -> dict[str, str]:
    return {p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file()}


def data_rows(data: Path) -> int:
    return sum(max(0, len(p.read_text(encoding="utf-8").splitlines()) - 1) for p in data.glob("*/data/*.csv"))


def _read_csv(path: Path) -> list[dict]:
    with path.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def change_one_observation(data: Path, write: bool = True) -> tuple[dict, set[str]]:
    """Data copy -> (the changed observation, chart-id prefixes that depend on it). Changes the first
    reported observation that a target's own chart shows (same plan, indicator, region), else the
    first such baseline (and the targets.csv rows that give it); with write=False only says which it
    would change."""
    packages = sorted(data.glob("*/data"))
    for kind, package in ((kind, package) for kind in ("reported", "baseline") for package in packages):
        targets = _read_csv(package / "targets.csv")
        regions = {r["region_id"]: r for r in _read_csv(package / "regions.csv")}
        path = package / "observations.csv"
        rows = _read_csv(path)
        for row in rows:
            charted = any(t["indicator_id"] == row["indicator_id"] and t["region_id"] == row["region_id"] for t in targets)
            if row["kind"] == kind and charted:
                row["value"] = repr(round(float(row["value"]) * 1.1 + 1, 3))
                # A baseline is one figure in two places: its observation and the targets that use it.
                same = ("indicator_id", "region_id")
                uses = [t for t in targets if row["kind"] == "baseline" and all(t[k] == row[k] for k in same)
                        and t["baseline_year"] == row["year"] and t["baseline_source_id"] == row["source_id"]]
                for target in uses:
                    target.update(baseline_value=row["value"], baseline_unit_id=row["unit_id"])
                if write:
                    for table, table_rows in ((path, rows), (package / "targets.csv", targets if uses else None)):
                        if table_rows is None:
                            continue
                        with table.open("w", encoding="utf-8", newline="") as f:
                            writer = csv.DictWriter(f, list(table_rows[0]), lineterminator="\n")
                            writer.writeheader()
                            writer.writerows(table_rows)
                # Charts of targets on the same indicator, in its region or the region it belongs to.
                parent = regions.get(row["region_id"], {}).get("member_of")
                dependent = {f"{package.parent.name}/target-{t['target_id']}" for t in targets
                             if t["indicator_id"] == row["indicator_id"] and t["region_id"] in (row["region_id"], parent)}
                return {"plan": package.parent.name, **{k: row[k] for k in ("observation_id", "indicator_id", "region_id")}}, dependent
    raise SystemExit(f"no charted observation in {data}")


def _kind(path: str) -> str:
    if path.startswith("assets/charts/"):
        return "chart files"
    if path.endswith(".html"):
        return "HTML pages"
    if path.startswith("search/") or "/search/" in path:
        return "search index"
    return "other files"


def diff_summary(before: dict, after: dict) -> dict[str, int]:
    counts: dict[str, int] = {}
    for path in before.keys() | after.keys():
        if before.get(path) != after.get(path):
            counts[_kind(path)] = counts.get(_kind(path), 0) + 1
    return counts


def restored_work(work: Path, fresh: Path, parts: tuple[str, ...] = ("cache",)) -> Path:
    """A fresh work folder holding only `parts` of work (paths inside it) -> the fresh folder."""
    shutil.rmtree(fresh, ignore_errors=True)
    for part in parts:
        if (work / part).exists():
            shutil.copytree(work / part, fresh / part)
    fresh.mkdir(parents=True, exist_ok=True)
    return fresh


def _get(url: str) -> bytes | None:
    try:
        with urllib.request.urlopen(url, timeout=600) as response:
            return response.read()
    except (urllib.error.URLError, ConnectionError):
        return None


_RELOAD_SCRIPT = re.compile(rb"<script>\s*var livereload = .*?</script>", re.S)


def _page(url: str) -> bytes | None:
    """A served page without the reload script the server injects (it differs on every request)."""
    body = _get(url)
    return None if body is None else _RELOAD_SCRIPT.sub(b"", body)


def preview_latency(data: Path, work: Path, log: Path, edits: int = PREVIEW_EDITS) -> dict:
    """`build.py serve` on data with work -> seconds from each one-figure edit to the served target
    page's new bytes, and the preview's own "rebuilt in" seconds."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    process = subprocess.Popen([sys.executable, "build.py", "serve", "--data", str(data), "--work", str(work),
                                "--port", str(port)], cwd=REPO, stdin=subprocess.PIPE,
                               stdout=subprocess.DEVNULL, stderr=log.open("wb"))
    try:
        start = time.perf_counter()
        while _get(f"http://127.0.0.1:{port}/") is None:
            if process.poll() is not None:
                raise SystemExit(f"the preview exited: {log.read_text(errors='replace')[-3000:]}")
            time.sleep(0.5)
        first = time.perf_counter() - start
        time.sleep(2)  # the first build's warm-up and the watcher settle
        latencies = []
        for _ in range(edits):
            changed, dependent = change_one_observation(data, write=False)
            plan, target = sorted(dependent)[0].split("/target-")
            url = f"http://127.0.0.1:{port}/{plan}/targets/{target}/"
            before = _page(url)
            change_one_observation(data)
            edited = time.perf_counter()
            while _page(url) == before:
                time.sleep(0.02)
            latencies.append(time.perf_counter() - edited)
            time.sleep(1)
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            process.kill()
    found = re.findall(r"^rebuilt in ([\d.]+) s \(([\d.]+) s of CPU\)", log.read_text(errors="replace"), re.M)
    return {"first": first, "latencies": latencies, "rebuilt": [float(wall) for wall, _ in found],
            "rebuilt_cpu": [float(cpu) for _, cpu in found]}


def bench_scale(label: str, source: Path) -> dict:
    """One scale: cold build, floor, no-change rebuild, one-observation rebuild, CI publish with the
    store restored, cold with the charts from the store, preview latency -> figures."""
    root = RUNS / label
    shutil.rmtree(root, ignore_errors=True)
    data, work, out = root / "data", root / "work", root / "site"
    shutil.copytree(source, data)
    load_before = os.getloadavg()[0]
    cold = run_build(data, work, out)
    FLOOR_CPU.clear()
    floors = [bare_mkdocs(work, root / "floor")]
    warm = run_build(data, work, out)
    site_before, docs_before = snapshot(out), snapshot(work / "site_src")
    changed, dependent = change_one_observation(data)
    one = run_build(data, work, out)
    rendered = one["cache"].get("rendered_ids", [])
    site_after, docs_after = snapshot(out), snapshot(work / "site_src")
    # A data commit published by CI: a fresh checkout, only build/cache restored by actions/cache.
    change_one_observation(data)
    ci_work = restored_work(work, root / "ci-work")
    ci = run_build(data, ci_work, root / "ci-site")
    floors.append(bare_mkdocs(ci_work, root / "floor"))
    # Renders made free: nothing but the chart entries (and the chart font's subset) restored.
    free = run_build(data, restored_work(ci_work, root / "free-work", ("cache/store/charts", "cache/fonts")),
                     root / "free-site")
    preview = preview_latency(data, ci_work, root / "preview.log")
    floors.append(bare_mkdocs(ci_work, root / "floor"))
    # The floor runs three times through the scale's measurements: the median, as the machine's load varies.
    return {"label": label, "rows": data_rows(data), "cold": cold, "floor": statistics.median(floors), "floors": floors,
            "floor_cpu": statistics.median(FLOOR_CPU),
            "warm": warm, "one": one,
            "ci": ci, "free": free, "preview": preview,
            "changed": changed, "dependent": sorted(dependent), "rendered": rendered,
            "site_changes": diff_summary(site_before, site_after),
            "docs_changed": sum(diff_summary(docs_before, docs_after).values()),
            "site_files": len(site_before), "load": (load_before, os.getloadavg()[0])}


def bench_preview_only(label: str, source: Path, edits: int) -> str:
    """One scale's preview latency alone (`--only preview`) -> a Markdown table. The data is copied
    afresh; the work folder (bench/out/runs/<label>-preview/work) is kept between runs, so after the
    first run the serve command's first build takes its charts from the content store."""
    root = RUNS / f"{label}-preview"
    data, work = root / "data", root / "work"
    shutil.rmtree(data, ignore_errors=True)
    shutil.copytree(source, data)
    load_before = os.getloadavg()[0]
    result = preview_latency(data, work, root / "preview.log", edits)
    latencies, rebuilt, cpu = result["latencies"], result["rebuilt"] or [0], result["rebuilt_cpu"] or [0]
    return "\n".join([
        f"| preview, {label} | |", "|---|---:|",
        _row("first build, serve start to first page (s)", [f"{result['first']:.1f}"]),
        _row(f"one figure changed -> served page updated (s), median / worst of {edits}",
             [f"{statistics.median(latencies):.2f} / {max(latencies):.2f}"]),
        _row("each edit (s)", [", ".join(f"{x:.2f}" for x in latencies)]),
        _row("its own rebuild time (s), median; its CPU s, median",
             [f"{statistics.median(rebuilt):.2f}; {statistics.median(cpu):.2f}"]),
        _row("load average (1 min) before / after", [f"{load_before:.1f} / {os.getloadavg()[0]:.1f}"]),
    ])


def _row(name: str, values: list[str]) -> str:
    return f"| {name} | " + " | ".join(values) + " |"


def _render_usage(result: dict) -> float:
    """CPU the chart workers spent rendering / wall time from their start to the last render."""
    cache = result["cold"]["cache"]
    return cache.get("render_cpu_seconds", 0) / max(cache.get("render_seconds", 0), 1e-9)


def _preview_ratio(result: dict) -> float:
    return statistics.median(result["preview"]["latencies"]) / result["floor"]


def _build_usage(result: dict) -> float:
    """CPU of every process of the cold build / its wall time, both from process start to exit
    (2 = both cores busy throughout)."""
    return result["cold"]["cpu_total"] / max(result["cold"]["wall"], 1e-9)


def report(results: list[dict]) -> str:
    """Figures -> a Markdown section (tables, then goals with PASS/MISS)."""
    lines = ["| | " + " | ".join(r["label"] for r in results) + " |", "|---|" + "---:|" * len(results)]
    lines.append(_row("data rows (all CSVs)", [f"{r['rows']:,}" for r in results]))
    lines.append(_row("pages (Markdown files, zh+en)", [f"{r['cold']['pages']:,}" for r in results]))
    lines.append(_row("charts (zh+en)", [f"{r['cold']['charts']:,}" for r in results]))
    lines.append(_row("files in the built site", [f"{r['site_files']:,}" for r in results]))
    for stage in STAGES:
        lines.append(_row(f"cold: {stage} (s)", [f"{r['cold']['stages'].get(stage, 0):.1f}" for r in results]))
    lines.append(_row("cold: whole build, process start to exit (s)", [f"{r['cold']['wall']:.1f}" for r in results]))
    lines.append(_row("floor: bare `mkdocs build` (s), median of 3 (the 3 runs)",
                      [f"{r['floor']:.1f} ({', '.join(f'{f:.1f}' for f in r['floors'])})" for r in results]))
    lines.append(_row("floor: CPU s (median of the 3 runs)", [f"{r['floor_cpu']:.1f}" for r in results]))
    lines.append(_row("cold / floor", [f"{r['cold']['wall'] / r['floor']:.2f}" for r in results]))
    lines.append(_row("cold: CPU s of the whole build (all processes)",
                      [f"{r['cold']['cpu_total']:.1f}" for r in results]))
    lines.append(_row("cold: CPU s / wall s (both cores: ~2)", [f"{_build_usage(r):.2f}" for r in results]))
    lines.append(_row("cold: its CPU s spread over 2 cores / floor (the least cold / floor that CPU allows)",
                      [f"{r['cold']['cpu_total'] / 2 / r['floor']:.2f}" for r in results]))
    lines.append(_row("chart renders: wall s (background, from the chart stage into the mkdocs stage)",
                      [f"{r['cold']['cache'].get('render_seconds', 0):.1f}" for r in results]))
    lines.append(_row("chart renders: CPU s in the workers", [f"{r['cold']['cache'].get('render_cpu_seconds', 0):.1f}"
                                                             for r in results]))
    lines.append(_row("chart renders: CPU s / wall s (both cores: ~2)", [f"{_render_usage(r):.2f}" for r in results]))
    lines.append(_row("chart render processes", [str(r["cold"]["cache"].get("render_processes", 0)) for r in results]))
    lines.append(_row("peak RSS build process (MB)", [f"{r['cold']['peak_self_mb']:.0f}" for r in results]))
    lines.append(_row("peak RSS largest worker (MB)", [f"{r['cold']['peak_child_mb']:.0f}" for r in results]))
    lines.append(_row("no change: whole build (s)", [f"{r['warm']['wall']:.1f}" for r in results]))
    lines.append(_row("no change / cold", [f"{r['warm']['wall'] / r['cold']['wall']:.2f}" for r in results]))
    lines.append(_row("no change: mkdocs", [r["warm"]["cache"].get("mkdocs", "?") for r in results]))
    lines.append(_row("one observation: whole build (s)", [f"{r['one']['wall']:.1f}" for r in results]))
    lines.append(_row("one observation: charts rendered / total",
                      [f"{r['one']['cache'].get('charts_rendered')} / {r['one']['charts']}" for r in results]))
    lines.append(_row("one observation: Markdown pages changed", [str(r["docs_changed"]) for r in results]))
    lines.append(_row("one observation: site files changed",
                      [", ".join(f"{v} {k}" for k, v in sorted(r["site_changes"].items())) for r in results]))
    lines.append(_row("CI publish, store restored: whole build (s)", [f"{r['ci']['wall']:.1f}" for r in results]))
    lines.append(_row("CI publish, store restored / floor", [f"{r['ci']['wall'] / r['floor']:.2f}" for r in results]))
    lines.append(_row("CI publish, store restored: charts rendered, download packages written",
                      [f"{r['ci']['cache'].get('charts_rendered')}, {r['ci']['cache'].get('download_packages_written')}"
                       for r in results]))
    for stage in STAGES:
        lines.append(_row(f"charts from the store: {stage} (s)", [f"{r['free']['stages'].get(stage, 0):.1f}"
                                                                  for r in results]))
    lines.append(_row("charts from the store: whole build (s)", [f"{r['free']['wall']:.1f}" for r in results]))
    lines.append(_row("charts from the store / floor", [f"{r['free']['wall'] / r['floor']:.2f}" for r in results]))
    lines.append(_row("preview: first build, serve start to first page (s)",
                      [f"{r['preview']['first']:.1f}" for r in results]))
    lines.append(_row(f"preview: one figure changed -> served page updated (s), median / worst of {PREVIEW_EDITS}",
                      [f"{statistics.median(r['preview']['latencies']):.2f} / {max(r['preview']['latencies']):.2f}"
                       for r in results]))
    lines.append(_row("preview: median latency / floor", [f"{_preview_ratio(r):.3f}" for r in results]))
    lines.append(_row("preview: its own rebuild time (s), median; its CPU s, median",
                      [f"{statistics.median(r['preview']['rebuilt'] or [0]):.2f}; "
                       f"{statistics.median(r['preview']['rebuilt_cpu'] or [0]):.2f}" for r in results]))
    lines.append(_row("preview: rebuild CPU s / floor CPU s",
                      [f"{statistics.median(r['preview']['rebuilt_cpu'] or [0]) / r['floor_cpu']:.3f}" for r in results]))
    lines.append(_row("load average (1 min) before / after",
                      [f"{r['load'][0]:.1f} / {r['load'][1]:.1f}" for r in results]))
    lines += ["", "Goals:", ""]
    for r in results:
        ratio = r["cold"]["wall"] / r["floor"]
        lines.append(f"- {'PASS' if ratio <= 2.0 else 'MISS'} {r['label']}: cold build within 2.0x of bare mkdocs ({ratio:.2f}x; "
                     f"with the charts from the store {r['free']['wall'] / r['floor']:.2f}x)")
    for r in results:
        ratio = r["ci"]["wall"] / r["floor"]
        lines.append(f"- {'PASS' if ratio <= 1.5 else 'MISS'} {r['label']}: CI publish with its store restored within "
                     f"1.5x of bare mkdocs ({ratio:.2f}x)")
    for r in results:
        latency = statistics.median(r["preview"]["latencies"])
        # The goal (issue 19) is for the shipped data and 10x; larger scales are reported as measured.
        verdict = ("PASS" if max(r["preview"]["latencies"]) < 2 else "MISS") if r["label"] in ("shipped", "10x") else "INFO"
        lines.append(f"- {verdict} {r['label']}: preview shows a "
                     f"changed figure in under 2 s (median {latency:.2f} s, worst {max(r['preview']['latencies']):.2f} s; "
                     f"{_preview_ratio(r):.3f}x the floor)")
    for r in results:
        ratio = r["warm"]["wall"] / r["cold"]["wall"]
        lines.append(f"- {'PASS' if ratio <= 0.2 else 'MISS'} {r['label']}: no-change rebuild within 0.2x of cold ({ratio:.2f}x)")
    for r in results:
        extra = [c for c in r["rendered"] if not any(c.startswith(d + ".") or c.startswith(d + "-") for d in r["dependent"])]
        ok = bool(r["rendered"]) and not extra
        lines.append(f"- {'PASS' if ok else 'MISS'} {r['label']}: one observation ({r['changed']['plan']}/"
                     f"{r['changed']['observation_id']}) re-rendered only its dependent charts: "
                     f"{', '.join(r['rendered']) or 'none'}" + (f"; not dependent: {', '.join(extra)}" if extra else "")
                     + f"; mkdocs {r['one']['cache'].get('mkdocs')} (MkDocs has no incremental build: every page is "
                     f"re-rendered, {r['site_changes'].get('HTML pages', 0)} HTML files changed bytes)")
    by_label = {r["label"]: r for r in results}
    if "10x" in by_label and "100x" in by_label:
        small, big = by_label["10x"], by_label["100x"]
        time_ratio, size_ratio = big["cold"]["wall"] / small["cold"]["wall"], big["rows"] / small["rows"]
        lines.append(f"- {'PASS' if time_ratio <= size_ratio else 'MISS'} 10x -> 100x: cold time x{time_ratio:.1f} "
                     f"for data x{size_ratio:.1f} (no faster than linear)")
    for r in results:
        # The renders share the two cores with MkDocs, which runs meanwhile: the whole build's
        # CPU/wall (about 2 when both cores stay busy) says whether both are used.
        processes = r["cold"]["cache"].get("render_processes", 0)
        usage = _build_usage(r)
        verdict = "PASS" if processes >= 2 and usage >= 1.8 else "MISS"
        lines.append(f"- {verdict} {r['label']}: chart rendering on both cores ({processes} render processes beside "
                     f"MkDocs; whole cold build CPU/wall {usage:.2f}, render workers alone {_render_usage(r):.2f})")
    return "\n".join(lines)


def machine() -> str:
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor())
    memory = subprocess.run(["free", "-h"], capture_output=True, text=True).stdout.strip()
    uptime = subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()
    return (f"Machine: {os.cpu_count()} cores (`nproc`: {len(os.sched_getaffinity(0))}), CPU {cpu}, "
            f"Python {platform.python_version()}, {platform.platform()}\n\n```\n$ free -h\n{memory}\n"
            f"$ uptime\n{uptime}\n```")


def source_for(label: str) -> Path:
    if label == "shipped":
        return REPO / "datapackages"
    scale = int(label.rstrip("x"))
    folder = BENCH / "out" / f"{scale}x"
    # Made again when the generator has changed since (the stamp holds its digest): stale packages
    # would measure other data, or fail a validation rule added since.
    stamp = BENCH / "out" / f".{scale}x.generator"
    generator = hashlib.sha256((BENCH / "make_synthetic.py").read_bytes()).hexdigest()
    if not folder.exists() or not stamp.is_file() or stamp.read_text() != generator:
        shutil.rmtree(folder, ignore_errors=True)
        sys.path.insert(0, str(BENCH))
        from make_synthetic import make_scale

        make_scale(scale)
        stamp.write_text(generator)
    return folder


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scales", default="shipped,10x,100x", help="comma list: shipped, 10x, 100x, ...")
    parser.add_argument("--only", choices=["preview"], help="measure only this scenario (no floor, no builds)")
    parser.add_argument("--edits", type=int, default=PREVIEW_EDITS, help="edits timed by --only preview")
    parser.add_argument("--one-build", nargs=3, metavar=("DATA", "WORK", "OUT"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one_build:
        print(json.dumps(one_build(*map(Path, args.one_build))))
        return
    print(machine(), flush=True)
    labels = [s if s == "shipped" or s.endswith("x") else f"{s}x" for s in args.scales.split(",")]
    if args.only == "preview":
        for label in labels:
            print("\n" + bench_preview_only(label, source_for(label), args.edits), flush=True)
        return
    results = []
    for label in labels:
        print(f"… {label}", file=sys.stderr, flush=True)
        results.append(bench_scale(label, source_for(label)))
        print(json.dumps({k: results[-1][k] for k in ("label", "cold", "floor", "warm", "ci", "free", "preview")}),
              file=sys.stderr, flush=True)
    print("\n" + report(results))
    print("\n```\n$ uptime (at the end)\n" + subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip() + "\n```")


if __name__ == "__main__":
    main()
