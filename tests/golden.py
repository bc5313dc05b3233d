"""Golden outputs of the fixture plan: what the build must keep producing, byte for byte.

The fixture plan (tests/fixtures/mini-plan) is built with a fixed release file
(tests/golden/release.toml) and no published history, so the output depends only on the code,
templates and data. Three kinds of golden file live in tests/golden/mini-plan/:

- `charts/<chart>.vegalite.<lang>.json`: every chart spec, pretty-printed;
- `pages/<page>.<lang>.html`: the article of the home, a target and a region page, both languages
  (a line break after each closing block tag, so a diff shows the changed row);
- `site-listing.txt`: every file of the built site with its size and SHA-256.

A deliberate change of output is made visible by refreshing them and committing the difference:

    python tests/golden.py          # rebuild the fixture plan and rewrite tests/golden/mini-plan/

tests/test_golden.py fails on any difference and prints a unified diff.
"""
from __future__ import annotations

import hashlib
import json
import re
import shutil
import sys
import tempfile
from pathlib import Path

TESTS = Path(__file__).resolve().parent
REPO = TESTS.parent
GOLDEN = TESTS / "golden"
GOLDEN_RELEASE = GOLDEN / "release.toml"
GOLDEN_DIR = GOLDEN / "mini-plan"
FIXTURE_PLAN = TESTS / "fixtures" / "mini-plan"

# Site URL path -> golden name: the home, a target with a baseline and a path, a province.
PAGES = {
    "": "home.zh", "en/": "home.en",
    "mini-plan/targets/xa-recycled/": "target-xa-recycled.zh", "en/mini-plan/targets/xa-recycled/": "target-xa-recycled.en",
    "mini-plan/regions/XA/": "region-XA.zh", "en/mini-plan/regions/XA/": "region-XA.en",
}
_ARTICLE = re.compile(r"<article\b[^>]*>(.*?)</article>", re.S)
_BLOCK_END = re.compile(r"(</(?:p|li|tr|h[1-6]|dd|dt|figure|table|thead|tbody|div|blockquote|section|ul|ol|dl|pre|details)>)")


def build_golden_site(work: Path) -> Path:
    """Build the fixture plan under `work` with the golden release and no published history -> site dir."""
    if str(REPO) not in sys.path:
        sys.path.insert(0, str(REPO))
    from plantracker.pipeline import BuildOptions, build

    data = work / "data"
    shutil.copytree(FIXTURE_PLAN, data / "mini-plan")
    no_history = work / "no-history"  # not a git repository: no previous release, no feed history
    no_history.mkdir()
    options = BuildOptions(data_dir=data, out_dir=work / "site", work_dir=work / "work",
                           release_file=GOLDEN_RELEASE, citation_file=None, repo_dir=no_history)
    build(options)
    return options.out_dir


def article(html: str) -> str:
    """A built page -> its <article> content, one closing block tag per line end."""
    match = _ARTICLE.search(html)
    body = match.group(1) if match else html
    return _BLOCK_END.sub(r"\1\n", body).strip() + "\n"


def listing(site: Path) -> str:
    """Built site -> one line per file: `sha256  size  path`, sorted by path."""
    lines = []
    for path in sorted(p for p in site.rglob("*") if p.is_file() or p.is_symlink()):
        data = path.read_bytes()
        lines.append(f"{hashlib.sha256(data).hexdigest()}  {len(data):>9}  {path.relative_to(site).as_posix()}")
    return "\n".join(lines) + "\n"


def golden_outputs(site: Path) -> dict[str, str]:
    """Built fixture site -> {golden file path relative to GOLDEN_DIR: text}."""
    outputs = {}
    for spec in sorted((site / "assets" / "charts" / "mini-plan").glob("*.vegalite.*.json")):
        parsed = json.loads(spec.read_text(encoding="utf-8"))
        outputs[f"charts/{spec.name}"] = json.dumps(parsed, ensure_ascii=False, indent=1, sort_keys=True) + "\n"
    for url, name in PAGES.items():
        outputs[f"pages/{name}.html"] = article((site / url / "index.html").read_text(encoding="utf-8"))
    outputs["site-listing.txt"] = listing(site)
    return outputs


def read_golden() -> dict[str, str]:
    """The committed golden files -> {path relative to GOLDEN_DIR: text}."""
    return {p.relative_to(GOLDEN_DIR).as_posix(): p.read_text(encoding="utf-8")
            for p in sorted(GOLDEN_DIR.rglob("*")) if p.is_file()}


def refresh() -> list[str]:
    """Rebuild the fixture plan and rewrite every golden file -> the paths that changed."""
    with tempfile.TemporaryDirectory(prefix="golden-") as tmp:
        outputs = golden_outputs(build_golden_site(Path(tmp)))
    before = read_golden() if GOLDEN_DIR.exists() else {}
    if GOLDEN_DIR.exists():
        shutil.rmtree(GOLDEN_DIR)
    for name, text in outputs.items():
        path = GOLDEN_DIR / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8", newline="\n")
    return sorted(n for n in set(before) | set(outputs) if before.get(n) != outputs.get(n))


if __name__ == "__main__":
    changed = refresh()
    print("\n".join(f"changed: {name}" for name in changed) or "golden files unchanged")
