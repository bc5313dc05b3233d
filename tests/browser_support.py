"""Browser test fixtures (registered by conftest.py): the built site served on 127.0.0.1 and one
Debian Chromium per session, shared by every browser test (playwright's sync API allows one at a time)."""
from __future__ import annotations

import functools
import http.server
import json
import threading
from pathlib import Path

import pytest

from conftest import BuiltSite

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run"]


@pytest.fixture(scope="session")
def served_site(real_site) -> BuiltSite:
    """The real data packages, built once per session by conftest's real_site."""
    return real_site


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):  # keep the test output readable
        pass


# A second, older release beside the built one (the same folder again), for the version selector.
OLDER_VERSION = "2000.1"


@pytest.fixture(scope="session")
def site_url(served_site, tmp_path_factory) -> str:
    """The built folder served as mike publishes it (<version>/ beside versions.json, which the
    theme's version selector requests; plus OLDER_VERSION) by a threaded http.server on 127.0.0.1
    -> the version's URL."""
    version = served_site.result.release.version
    root = tmp_path_factory.mktemp("serve")
    (root / version).symlink_to(served_site.root.resolve(), target_is_directory=True)
    (root / OLDER_VERSION).symlink_to(served_site.root.resolve(), target_is_directory=True)
    (root / "versions.json").write_text(json.dumps([{"version": version, "title": version, "aliases": ["latest"]},
                                                    {"version": OLDER_VERSION, "title": OLDER_VERSION, "aliases": []}]))
    handler = functools.partial(_QuietHandler, directory=str(root))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/{version}/"
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="session")
def chromium():
    """One Debian Chromium for the whole session (playwright cannot download browsers here)."""
    if not Path(CHROMIUM).exists():
        pytest.skip(f"{CHROMIUM} is not installed")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


def page_types(site: BuiltSite) -> dict[str, str]:
    """Page type -> a zh site URL path of one page of that type in the built site (only those
    that exist; the caller reports the missing ones)."""
    # The last plan in name order (the newest, for dated ids): the one with most pages to check.
    plan = sorted(p.name for p in (site.root / "assets" / "charts").iterdir() if p.is_dir())[-1]
    return {
        "home": "", "plan": f"{plan}/", "target": _first(site, f"{plan}/targets"),
        "region": _first(site, f"{plan}/regions"), "sites": f"{plan}/sites/", "sources": f"{plan}/sources/",
        "map": f"{plan}/map/", "methodology": "methodology/", "about": "about/",
        "data": "data/", "changes": "changes/", "api": "api/",
    }


def _first(site: BuiltSite, folder: str) -> str:
    pages = sorted(p.parent.name for p in (site.root / folder).glob("*/index.html"))
    return f"{folder}/{pages[0]}/" if pages else f"{folder}/"


def exists(site: BuiltSite, path: str) -> bool:
    return (site.root / path / "index.html").is_file()


class PageWatch:
    """A page's console errors, uncaught exceptions and every URL it requested."""

    def __init__(self, page):
        self.errors: list[str] = []
        self.requests: list[str] = []
        page.on("console", lambda m: self.errors.append(f"console: {m.text} {m.location.get('url', '')}")
                if m.type == "error" else None)
        page.on("pageerror", lambda e: self.errors.append(f"exception: {e}"))
        page.on("request", lambda r: self.requests.append(r.url))

    def foreign(self, base: str) -> list[str]:
        """Requests that left the serving host (data: URLs are not requests on the network)."""
        origin = "/".join(base.split("/")[:3]) + "/"
        return [u for u in self.requests if not (u.startswith(origin) or u.startswith("data:"))]


def interact(page) -> None:
    """The reader's first interaction, as the chart loader waits for it: a key press and a scroll."""
    page.keyboard.press("ArrowDown")
    page.mouse.wheel(0, 200)
