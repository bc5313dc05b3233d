"""Release and page -> how to cite it: a text line in the page's language and a BibTeX entry."""
from __future__ import annotations

import hashlib
import re
from urllib.parse import urlsplit

from .settings import Release

# BibTeX special characters, escaped so titles and publishers never break an entry.
_BIBTEX_ESCAPES = {"\\": r"\textbackslash{}", "{": r"\{", "}": r"\}", "&": r"\&", "%": r"\%",
                   "$": r"\$", "#": r"\#", "_": r"\_", "^": r"\^{}", "~": r"\~{}"}
_BIBTEX_SPECIAL = re.compile("|".join(re.escape(c) for c in _BIBTEX_ESCAPES))
# BibTeX's `language` field names the language in English (biblatex's vocabulary), whatever the entry's language.
_LANGUAGE = {"zh": "Chinese", "en": "English"}
_LANG_PREFIX = re.compile(r"^(en|zh)/")


def bibtex_escape(text: str) -> str:
    """Text -> the same text safe inside a BibTeX braced field (line breaks become spaces)."""
    text = " ".join(text.split())
    return _BIBTEX_SPECIAL.sub(lambda m: _BIBTEX_ESCAPES[m.group(0)], text)


def permanent_url(release: Release, page_url: str) -> str:
    """Page path relative to a version's root ('en/mini-plan/', '' for home) -> the page's URL inside
    that release (release.url + path). An absolute URL is returned unchanged."""
    if urlsplit(page_url).scheme:
        return page_url
    return release.url + page_url.lstrip("/")


def bibtex_key(release: Release, page_url: str, lang: str) -> str:
    """-> an ASCII key that is the same for the same site, release, page and language."""
    site = urlsplit(release.site_url)
    site_part = (site.netloc.split(".")[0] + site.path).strip("/")
    path = _LANG_PREFIX.sub("", page_url.strip("/") + "/").strip("/") or "home"
    slug = re.sub(r"[^a-z0-9]+", "-", f"{site_part}-{release.version.replace('.', '-')}-{path}".lower()).strip("-")
    if not path.isascii():  # non-ASCII characters were dropped: keep keys of distinct pages distinct
        slug += "-" + hashlib.sha256(path.encode("utf-8")).hexdigest()[:8]
    return f"{slug}-{lang}"


def citation(release: Release, page_title: str, page_url: str, lang: str, t: dict) -> dict:
    """Release, page title and path, language and its interface strings -> {"text": ..., "bibtex": ...}.

    The publisher is the site (`site_title`); the text line follows the language's citation form
    (`cite_text`: GB/T 7714 in Chinese). The URL is the page inside this release (`release.url` +
    page path), which never changes, unlike the latest site.
    """
    if lang not in _LANGUAGE:
        raise ValueError(f"unknown language {lang!r}")
    url = permanent_url(release, page_url)
    date = release.date.isoformat()
    publisher = t["site_title"]
    text = t["cite_text"].format(publisher=publisher, title=page_title, version=release.version, date=date,
                                 year=release.date.year, url=url)
    fields = [
        ("author", "{" + bibtex_escape(publisher) + "}"),  # double braces: an organisation, not a person
        ("title", bibtex_escape(page_title)),
        ("year", str(release.date.year)),
        ("date", date),
        ("version", bibtex_escape(release.version)),
        ("note", bibtex_escape(t["cite_bibtex_note"].format(version=release.version))),
        ("url", url.replace("{", "%7B").replace("}", "%7D")),
        ("language", _LANGUAGE[lang]),
    ]
    body = ",\n".join(f"  {name} = {{{value}}}" for name, value in fields)
    bibtex = f"@misc{{{bibtex_key(release, page_url, lang)},\n{body}\n}}\n"
    return {"text": text, "bibtex": bibtex}
