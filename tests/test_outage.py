"""A Chroma server that goes away: the API says so (503, naming the store), then answers again by
itself when the server is back — a real `chroma run` on 127.0.0.1, stopped and restarted."""

from __future__ import annotations

import json
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from live_server import free_port, start
from test_server_mode import _stop

from bot.core import Bot
from bot.settings import Settings

ROOT = Path(__file__).resolve().parent.parent
CHROMA = Path(sys.executable).parent / "chroma"
QUESTION = "Who said North Korean troops would be fair game?"

pytestmark = pytest.mark.slow


def _chroma(path: Path, port: int) -> subprocess.Popen[bytes]:
    proc = subprocess.Popen(
        [str(CHROMA), "run", "--path", str(path), "--host", "127.0.0.1", "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        assert proc.poll() is None, "chroma run exited"
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v2/heartbeat", timeout=2):
                return proc
        except OSError:
            time.sleep(0.3)
    proc.kill()
    raise AssertionError("chroma run did not start in 60 s")


def _call(url: str, body: dict | None = None) -> tuple[int, dict]:
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=60) as r:
            return r.status, json.loads(r.read())
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read())


def test_store_outage_is_a_503_naming_the_store_and_answers_resume(tmp_path: Path) -> None:
    port = free_port()
    chroma_url = f"http://127.0.0.1:{port}"
    chroma = _chroma(tmp_path / "chroma", port)
    try:
        settings = Settings(chroma_url=chroma_url, store=tmp_path / "unused", admin_token=None)
        bot = Bot.build(settings)
        assert bot.ingest([ROOT / "examples"]).documents == 4
        url, server = start(settings, bot)
        status, body = _call(f"{url}/api/ask", {"question": QUESTION})
        assert status == 200 and "fair game" in body["quotes"][0]["quote"]

        _stop(chroma)
        status, body = _call(f"{url}/api/ask", {"question": QUESTION})
        assert status == 503, body
        assert f"The Chroma server at {chroma_url} is not answering" in body["detail"]
        status, body = _call(f"{url}/healthz")
        assert status == 503 and chroma_url in body["detail"]

        chroma = _chroma(tmp_path / "chroma", port)  # back, same data: answers resume
        status, body = _call(f"{url}/api/ask", {"question": QUESTION})
        assert status == 200 and "fair game" in body["quotes"][0]["quote"]
        assert _call(f"{url}/healthz") == (200, {"status": "ok", **_counts(bot)})
        server.should_exit = True
    finally:
        _stop(chroma)


def _counts(bot: Bot) -> dict[str, int]:
    articles, quotes = bot.index.counts()
    return {"articles": articles, "quotes": quotes}
