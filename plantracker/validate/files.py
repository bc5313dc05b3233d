"""A package's files as bytes -> text: size limits, byte-order marks, encodings (naming the line at
fault and what it looks like), and resource paths that stay inside the package."""
from __future__ import annotations

import re
from pathlib import Path, PurePosixPath

from ..problems import Problem, did_you_mean, problem


def _size(limit: int) -> str:
    return f"{limit / 2**20:g} MB" if limit >= 2**20 else f"{limit / 2**10:g} KB"


def read_text(path: Path, file: str, limit: int) -> tuple[str | None, list[Problem]]:
    """File -> (its text, []) or (None, [problem]) when it is too large, has a BOM or is not UTF-8."""
    try:
        size = path.stat().st_size
        if size > limit:
            return None, [problem("file-too-large", file, size=f"{size:,}", limit=_size(limit))]
        data = path.read_bytes()
    except OSError as error:  # a folder where the file should be, no permission to read it
        return None, [problem("unreadable-file", file, why=error.strerror or type(error).__name__)]
    if data.startswith(b"\xef\xbb\xbf"):
        return None, [problem("utf8-bom", file)]
    try:
        return data.decode("utf-8"), []
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        return None, [problem("not-utf8", file, line, byte=f"0x{data[error.start]:02x}",
                              looks_like=guess_encoding(data, error.start))]


def guess_encoding(data: bytes, at: int = 0) -> str:
    """Bytes that are not UTF-8 (the first bad byte at `at`) -> the encoding they most likely are in.

    A file saved by Chinese Windows is GBK throughout; a UTF-8 file with one line pasted from such
    a file is GBK on that line only: the line is judged by itself first."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")) or data.count(b"\x00") > len(data) // 4:
        return "UTF-16"
    start = data.rfind(b"\n", 0, at) + 1
    end = data.find(b"\n", at)
    line = data[start: end if end >= 0 else len(data)]
    for sample in (line, data):
        # GB2312 is the common core of GBK; Big5 text mostly decodes as GBK too, but rarely as GB2312.
        for codec, name in (("gb2312", "GBK"), ("big5", "Big5"), ("gbk", "GBK"), ("gb18030", "GB18030")):
            try:
                sample.decode(codec)
                return name
            except UnicodeDecodeError:
                continue
    try:
        data.decode("cp1252")
        return "Windows-1252"
    except UnicodeDecodeError:
        return "Latin-1"


def resource_path(resource: dict, package_dir: Path, folder_shown: str, file: str) -> tuple[Path | None, str, list[Problem]]:
    """Resource descriptor -> (local file path or None, the file as problems name it, problems with the path)."""
    name = resource["name"]
    path = resource.get("path")
    field = f"{name}.path"
    if not isinstance(path, str) or not path:
        return None, file, [problem("missing-path", file, None, field, resource=name)]
    if re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*://", path):
        return None, file, [problem("remote-path", file, None, field, path=path)]
    if "\\" in path:
        return None, file, [problem("backslash-path", file, None, field, path=path, fixed=path.replace("\\", "/"))]
    pure = PurePosixPath(path)
    if pure.is_absolute() or ".." in pure.parts or re.match(r"^[A-Za-z]:", path) or path.startswith("~"):
        return None, file, [problem("path-outside-package", file, None, field, path=path, resource=name)]
    local = package_dir / pure
    shown = f"{folder_shown}/{pure.as_posix()}"
    try:
        inside = local.resolve().is_relative_to(package_dir.resolve())
    except OSError:
        inside = False
    if not inside:
        return None, file, [problem("path-through-link", file, None, field, path=path)]
    if not local.is_file():
        nearby = sorted(p.relative_to(package_dir).as_posix() for p in local.parent.glob("*.csv")) \
            if local.parent.is_dir() else []
        return None, shown, [problem("missing-file", shown, resource=name, descriptor=file,
                                     suggestion=did_you_mean(pure.as_posix(), nearby))]
    return local, shown, []
