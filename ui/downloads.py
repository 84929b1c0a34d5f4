"""Exports as downloads: the REST file response, and the files behind the UI's download buttons.

The text comes from ``bot.export`` (or ``SpeakerPage.export``); this only names and serves it.
"""

from __future__ import annotations

import atexit
import shutil
import tempfile
import threading
from collections import deque
from hashlib import sha256
from pathlib import Path
from urllib.parse import quote as urlquote

from fastapi import Response

from bot.export import FORMATS, Format

KEPT_FILES = 64  # export files one server keeps for its download buttons (oldest removed)


def content_disposition(name: str) -> str:
    """``attachment`` with an ASCII ``filename`` and the exact UTF-8 one (RFC 6266/5987), since
    a speaker's name (and so the file's) may hold any letter."""
    ascii_name = "".join(c if c.isascii() and c not in '"\\' else "_" for c in name)
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{urlquote(name, safe='')}"


def attachment(text: str, fmt: Format, name: str) -> Response:
    """A file download: the export's media type and a Content-Disposition naming ``name``."""
    return Response(
        content=text.encode("utf-8"),
        media_type=FORMATS[fmt][1],
        headers={"Content-Disposition": content_disposition(name)},
    )


class ExportFiles:
    """Files for the UI's download buttons, under one temporary directory of this process.

    Gradio serves a button's file from its own cache (it copies it there), so only the last
    ``KEPT_FILES`` are kept here; each lives in a directory named by its content's hash, so the
    browser gets the file under its own name (``quotebot-dorothy-shea.csv``).
    """

    def __init__(self, root: Path | None = None, keep: int = KEPT_FILES) -> None:
        if root is None:  # our own directory: removed when the server exits
            root = Path(tempfile.mkdtemp(prefix="quotebot-exports-"))
            atexit.register(shutil.rmtree, root, True)
        self.root = root
        self.keep = keep
        self._written: deque[Path] = deque()
        self._lock = threading.Lock()

    def write(self, text: str, name: str) -> Path:
        data = text.encode("utf-8")
        folder = self.root / sha256(data + name.encode("utf-8")).hexdigest()[:16]
        path = folder / name
        with self._lock:
            folder.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
            if folder in self._written:
                self._written.remove(folder)
            self._written.append(folder)
            while len(self._written) > self.keep:
                shutil.rmtree(self._written.popleft(), ignore_errors=True)
        return path
