"""Built site + watched folders -> a local preview on 127.0.0.1 that rebuilds on change."""
from __future__ import annotations

import functools
import http.server
import threading
import time
from pathlib import Path
from typing import Callable

from .pipeline import REPO_ROOT, BuildOptions


def _snapshot(folders: list[Path]) -> dict[str, float]:
    """Folders -> {file: modification time}: a change to any file changes the snapshot."""
    return {str(p): p.stat().st_mtime for folder in folders if folder.exists()
            for p in folder.rglob("*") if p.is_file()}


def serve_and_rebuild(options: BuildOptions, port: int, rebuild: Callable[[], None], poll_seconds: float = 1.0) -> None:
    """Serve options.out_dir on 127.0.0.1:port; poll data, templates and site_src and rebuild on change.

    The handler resolves the folder on every request, so the atomic swap of a rebuild is picked up.
    Stops on Ctrl-C.
    """
    watched = [options.data_dir, options.templates_dir, options.site_src, REPO_ROOT / "plantracker"]
    out_dir = options.out_dir.resolve()

    class Handler(http.server.SimpleHTTPRequestHandler):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, directory=str(out_dir), **kwargs)

        def log_message(self, *args):  # keep the console for build messages
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", port), functools.partial(Handler))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    print(f"serving {out_dir} at http://127.0.0.1:{port}/ (Ctrl-C to stop)", flush=True)
    before = _snapshot(watched)
    try:
        while True:
            time.sleep(poll_seconds)
            now = _snapshot(watched)
            if now != before:
                before = now
                print("change detected: rebuilding", flush=True)
                rebuild()
    except KeyboardInterrupt:
        pass
    finally:
        server.shutdown()
