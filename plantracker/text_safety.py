"""Text from the data -> text that is inert in every output: no control characters, no link but a web address.

The contract refuses control characters and script URLs in every text of a package (contract.py,
validate/); these are the defences behind it where text is written: every value a template prints
(pages, embeds) and every URL made a link. Escaping for each context (HTML, attribute, Markdown,
YAML) is done there too: Jinja autoescape and the `md` filter (render.py), yaml.safe_dump
(mkdocs_build.py), json.dumps, ElementTree.
"""
from __future__ import annotations

import re
from typing import Any

from markupsafe import Markup

# C0 controls but tab, line feed and carriage return; DEL; C1 controls. HTML forbids them, XML 1.0
# forbids most of them, terminals act on ESC, and Markdown uses two of them as internal markers.
# Also the bidirectional embeddings, overrides and isolates (U+202A-U+202E, U+2066-U+2069): in a
# name they reverse the site's own words around it. As a regex character class (contract.py adds to it).
CONTROL_CLASS = r"\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069"
CONTROL_CHARACTERS = re.compile(f"[{CONTROL_CLASS}]")
WEB_SCHEMES = ("https://", "http://")


def without_control_characters(text: str) -> str:
    """Text -> the same text without C0/C1 control characters (tab, LF and CR kept)."""
    return CONTROL_CHARACTERS.sub("", text)


def printed_value(value: Any) -> Any:
    """Jinja `finalize` of every template environment: each value a template prints -> the same
    without control characters. Markup stays Markup: every character that makes HTML (`<`, `&`,
    quotes) was escaped before, so dropping characters cannot make markup."""
    if isinstance(value, Markup):
        return Markup(without_control_characters(str(value)))
    if isinstance(value, str):
        return without_control_characters(value)
    return value


def web_address(url: str | None) -> str | None:
    """A URL from the data -> itself when it is an http(s) address, else None (never `javascript:`,
    `data:` and the like become a link)."""
    return url if isinstance(url, str) and url.lower().startswith(WEB_SCHEMES) else None
