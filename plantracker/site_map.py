"""Page paths -> URLs and relative links, for zh at the root and en under /en/."""
from __future__ import annotations

import posixpath

LANGUAGES = ("zh", "en")
DEFAULT_LANGUAGE = "zh"
# Language-independent files at the site root (written after MkDocs, never per language).
API = "api"
STATUS = "status"            # api/<plan>/status.json: one row per target
EMBED = "embed"
DOWNLOADS = "downloads"


def api_path(plan_id: str | None, name: str) -> str:
    """(plan id or None, file name without .json) -> the API file's path under the site root."""
    return f"{API}/{plan_id}/{name}.json" if plan_id else f"{API}/{name}.json"


def embed_path(plan_id: str, chart_id: str, lang: str) -> str:
    """A chart -> its standalone embed page's path under the site root."""
    return f"{EMBED}/{plan_id}/{chart_id}.{lang}.html"


def feed_path(lang: str) -> str:
    return f"feed.{lang}.xml"


def page_url(path: str, lang: str) -> str:
    """Doc path without language suffix ("plan/targets/t01", "index") -> site URL ("en/plan/targets/t01/")."""
    prefix = "" if lang == DEFAULT_LANGUAGE else f"{lang}/"
    if path == "index":
        return prefix
    if path.endswith("/index"):
        return prefix + path[: -len("index")]
    return f"{prefix}{path}/"


def relative(from_url: str, to_url: str) -> str:
    """Site URL of a page -> relative link to another site URL (directory URLs end with /)."""
    from_dir = from_url if from_url.endswith("/") or from_url == "" else posixpath.dirname(from_url) + "/"
    rel = posixpath.relpath("/" + to_url, "/" + from_dir.rstrip("/") if from_dir else "/")
    if rel == ".":
        rel = "./"
    elif (to_url == "" or to_url.endswith("/")) and not rel.endswith("/"):
        rel += "/"
    return rel


class Linker:
    """Links from one page in one language: to other pages (same language) and to the site root."""

    def __init__(self, path: str, lang: str):
        self.path, self.lang = path, lang
        self.url = page_url(path, lang)

    def page(self, path: str, anchor: str = "") -> str:
        link = relative(self.url, page_url(path, self.lang))
        return f"{link}#{anchor}" if anchor else link

    def file(self, site_path: str) -> str:
        """A language-independent file (chart, download) at site_path under the site root."""
        return relative(self.url, site_path)

    @property
    def root(self) -> str:
        return relative(self.url, "")
