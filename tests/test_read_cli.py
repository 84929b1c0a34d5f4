"""`quotebot read`: what ingest would store, one JSON line per article, problems as lines.

Run as `python -m bot` from this worktree; a real page server on 127.0.0.1 is allowed through
QUOTEBOT_FETCH_ALLOW_NETWORKS in the command's environment.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from pages_server import PageServer, Route, page

ROOT = Path(__file__).resolve().parent.parent
PAGES = ROOT / "tests" / "golden" / "html" / "pages"
KEYS = ["path", "doc_id", "title", "text", "publisher", "published", "url"]


def _read(*args: str, env: dict[str, str] | None = None) -> tuple[list[dict], str]:
    proc = subprocess.run(
        [sys.executable, "-m", "bot", "read", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, **(env or {})},
    )
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr
    return [json.loads(line) for line in proc.stdout.splitlines()], proc.stderr


def test_json_lines_for_files_urls_and_problems(tmp_path: Path) -> None:
    md = tmp_path / "note.md"
    md.write_text(
        "---\ntitle: Bridge\npublisher: Gazette\npublished: 2024-10-14\n---\n"
        "Mayor Ann Lee said the bridge would reopen in May.\n",
        encoding="utf-8",
    )
    routes = {"/storm": page("real_cnn"), "/slow": Route(b"<p>late</p>", delay=3.0)}
    with PageServer(routes) as server:
        lines, _ = _read(
            "--json",
            str(md),
            str(PAGES / "real_time.html"),
            server.url + "/storm",
            server.url + "/nope",
            str(tmp_path / "missing.txt"),
            env={"QUOTEBOT_FETCH_ALLOW_NETWORKS": "127.0.0.1/32", "QUOTEBOT_FETCH_TIMEOUT": "1"},
        )
    note, time_page, storm, *problems = lines
    assert list(note) == KEYS
    assert (note["title"], note["publisher"], note["published"], note["url"]) == (
        "Bridge",
        "Gazette",
        "2024-10-14",
        "",
    )
    assert note["text"] == "Mayor Ann Lee said the bridge would reopen in May."
    assert time_page["publisher"] == "TIME" and time_page["published"] == "2023-11-02"
    assert "Read more:" not in time_page["text"]
    assert storm["path"] == storm["url"] == server.url + "/storm"
    assert storm["title"] == "After storm, forecasters see smooth sailing for Thanksgiving"
    assert problems == [
        {"path": server.url + "/nope", "error": "the server answered 404 Not Found"},
        {"path": str(tmp_path / "missing.txt"), "error": "no such file or directory"},
    ]


def test_plain_output_shows_where_an_article_is_from(tmp_path: Path) -> None:
    path = tmp_path / "a.txt"
    path.write_text("Bridge\nMayor Ann Lee said the bridge would reopen.\n", encoding="utf-8")
    proc = subprocess.run(
        [sys.executable, "-m", "bot", "read", str(path), "http://127.0.0.1:9/x"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0
    assert "Bridge  publisher unknown · undated" in proc.stdout
    assert "Mayor Ann Lee said the bridge would reopen." in proc.stdout
    assert "Skipped: http://127.0.0.1:9/x: 127.0.0.1 resolves to 127.0.0.1, a loopback" in (
        " ".join(proc.stderr.split())
    )
