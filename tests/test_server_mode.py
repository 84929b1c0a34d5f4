"""Server mode: a real `chroma run` on a free 127.0.0.1 port; CLI processes and `serve` share it."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.core import Bot
from bot.settings import Settings

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
QUESTION = "Who said North Korean troops would be fair game?"

TOKEN = "server-mode-test-token"
PIER_V1 = "Harbour news\nHarbour master Ines Alvarez said the new pier would open in March."
PIER_V2 = "Harbour news\nHarbour master Ines Alvarez said the new pier would open in October."

# No skip: chromadb (a dependency) installs the `chroma` CLI, so a missing one is a broken setup.
pytestmark = pytest.mark.slow


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait_http(url: str, proc: subprocess.Popen[bytes], timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert proc.poll() is None, f"{proc.args[:2]} exited with {proc.returncode}"
        try:
            with urllib.request.urlopen(url, timeout=2) as r:
                if r.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise AssertionError(f"nothing answered at {url} within {timeout}s")


def _stop(proc: subprocess.Popen[bytes]) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


@pytest.fixture(scope="module")
def chroma_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """`chroma run` with its own data directory, on a free port of 127.0.0.1."""
    assert (BIN / "chroma").exists(), f"the chroma CLI is missing from {BIN}; reinstall chromadb"
    port = _free_port()
    path = tmp_path_factory.mktemp("chroma-server")
    proc = subprocess.Popen(
        [
            str(BIN / "chroma"),
            "run",
            "--path",
            str(path),
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_http(f"{url}/api/v2/heartbeat", proc, timeout=60)
        yield url
    finally:
        _stop(proc)


def _cli(*args: str, timeout: float = 300) -> dict:
    env = {**os.environ, "HF_HUB_OFFLINE": "1"}
    proc = subprocess.run(
        [str(BIN / "quotebot"), *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


def _post(url: str, body: dict, token: str | None = None) -> dict:
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    request = urllib.request.Request(url, data=json.dumps(body).encode(), headers=headers)
    with urllib.request.urlopen(request, timeout=120) as r:
        return json.loads(r.read())


def test_cli_and_serve_against_a_chroma_server(chroma_url: str, tmp_path: Path) -> None:
    examples = tmp_path / "examples"
    shutil.copytree(ROOT / "examples", examples)
    report = _cli("ingest", "--json", "--chroma-url", chroma_url, str(examples))
    assert (report["documents"], report["errors"]) == (4, [])
    assert _cli("ingest", "--json", "--chroma-url", chroma_url, str(examples))["skipped"] == 4

    # A second process (this one) on the same server sees the same data and the same answer.
    answer = _cli("ask", "--json", "--chroma-url", chroma_url, QUESTION)
    bot = Bot.build(Settings(chroma_url=chroma_url, store=tmp_path / "unused"))
    mine = bot.ask(QUESTION).to_dict()
    assert answer == mine
    fair_game = examples / "000_16c737f362081588.txt"
    assert answer["quotes"][0]["source_path"] == str(fair_game)
    assert "fair game" in answer["quotes"][0]["quote"]
    assert not (tmp_path / "unused").exists()  # nothing was written locally

    stats = _cli("stats", "--json", "--chroma-url", chroma_url)
    assert (stats["articles"], stats["store_bytes"]) == (4, None)
    assert stats["quotes"] == bot.index.counts()[1] > 20

    # `serve` on the same server answers the same.
    port = _free_port()
    serve = subprocess.Popen(
        [str(BIN / "quotebot"), "serve", "--chroma-url", chroma_url, "--port", str(port)],
        cwd=ROOT,
        env={**os.environ, "QUOTEBOT_ADMIN_TOKEN": TOKEN},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        _wait_http(f"http://127.0.0.1:{port}/healthz", serve, timeout=180)
        base = f"http://127.0.0.1:{port}"
        assert _post(f"{base}/api/ask", {"question": QUESTION})["quotes"] == answer["quotes"]

        # Removing in one process is seen by the others: the generation moved.
        removed = _cli("remove", "--json", "--chroma-url", chroma_url, str(fair_game))
        assert len(removed["removed"]) == 1
        after = bot.ask(QUESTION).to_dict()
        assert all(q["source_path"] != str(fair_game) for q in after["quotes"])
        assert _post(f"{base}/api/ask", {"question": QUESTION})["quotes"] == after["quotes"]
        with urllib.request.urlopen(f"{base}/api/stats", timeout=60) as r:
            assert json.loads(r.read())["articles"] == 3

        # Ingest over HTTP lands in the server's store; a CLI process answers from it.
        sent = {"articles": [{"text": PIER_V1, "title": "Harbour news"}]}
        assert _post(f"{base}/api/ingest", sent, TOKEN)["documents"] == 1
        pier = _cli("ask", "--json", "--chroma-url", chroma_url, "When will the new pier open?")
        assert pier["quotes"][0]["speaker"] == "Ines Alvarez"
        assert pier["quotes"][0]["quote"].endswith("the new pier would open in March")
        assert pier["quotes"][0]["source_path"] == "upload:Harbour news"
        # The same name with new text replaces the old article, for every process.
        sent = {"articles": [{"text": PIER_V2, "title": "Harbour news"}]}
        report = _post(f"{base}/api/ingest", sent, TOKEN)
        assert (report["documents"], report["replaced"]) == (1, 1)
        stats = _cli("stats", "--json", "--chroma-url", chroma_url)
        assert stats["articles"] == 4
        pier = _cli("ask", "--json", "--chroma-url", chroma_url, "When will the new pier open?")
        assert pier["quotes"][0]["quote"].endswith("the new pier would open in October")
    finally:
        _stop(serve)
