"""Crash safety: SIGKILL a real `quotebot ingest` midway, re-run it, find every article whole."""

from __future__ import annotations

import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

POLNEAR = Path("/work/shared/data/polnear/train/text")
N = 6  # articles; batches of 3
QUOTEBOT = Path(sys.executable).parent / "quotebot"

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not POLNEAR.is_dir(), reason="the PolNeAR sample is not on this machine"),
]


def _corpus(tmp_path: Path, n: int) -> Path:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for path in sorted(POLNEAR.glob("*.txt"))[:n]:
        shutil.copy(path, corpus / path.name)
    return corpus


def _start(store: Path, corpus: Path) -> subprocess.Popen[str]:
    env = {**os.environ, "QUOTEBOT_BATCH_SIZE": "3", "HF_HUB_OFFLINE": "1"}
    cmd = [str(QUOTEBOT), "ingest", "--json", "--store", str(store), str(corpus)]
    return subprocess.Popen(
        cmd, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )


def _logged_writes(store: Path) -> int:
    """Records Chroma has logged so far (read-only peek, only to time the kill)."""
    db = store / "chroma.sqlite3"
    if not db.exists():
        return 0
    try:
        with sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=1) as con:
            return int(con.execute("SELECT count(*) FROM embeddings_queue").fetchone()[0])
    except sqlite3.Error:
        return 0


def _kill_after(store: Path, corpus: Path, writes: int, timeout: float = 240) -> None:
    proc = _start(store, corpus)
    deadline = time.monotonic() + timeout
    try:
        while _logged_writes(store) < writes:
            assert proc.poll() is None, f"ingest ended before the kill: {proc.stderr.read()}"
            assert time.monotonic() < deadline, "ingest wrote nothing in time"
            time.sleep(0.05)
        proc.send_signal(signal.SIGKILL)
    finally:
        proc.kill()
        proc.communicate()
    assert proc.returncode == -signal.SIGKILL


def _assert_whole(store: Path) -> tuple[int, int]:
    """Every stored article has exactly the quote records it announced; no orphan quotes."""
    from bot.core import Bot
    from bot.settings import Settings

    bot = Bot.build(Settings(store=store))
    repaired = bot.index.repair()
    articles = {a["doc_id"]: int(a["quotes"]) for a in bot.index.list_articles()}
    per_doc: dict[str, int] = {}
    ids = []
    for id_, meta, _ in bot.index.iter_quotes(include_documents=False):
        per_doc[meta["doc_id"]] = per_doc.get(meta["doc_id"], 0) + 1
        ids.append(id_)
    assert len(ids) == len(set(ids))
    assert set(per_doc) <= set(articles), "quote records without their article"
    for doc_id, n in articles.items():
        assert per_doc.get(doc_id, 0) == n, f"article {doc_id} is half written"
    paths = [a["source_path"] for a in bot.index.list_articles()]
    assert len(paths) == len(set(paths)), "an article is stored twice"
    return len(articles), len(ids), repaired


def test_sigkill_midway_then_rerun(tmp_path: Path) -> None:
    corpus = _corpus(tmp_path, N)
    store = tmp_path / "store"
    _kill_after(store, corpus, writes=20)  # some quote pages of an early batch are logged
    done_after_kill, _, repaired = _assert_whole(store)
    assert done_after_kill < N
    print(f"first kill: {done_after_kill} articles whole, {repaired} half-written undone")

    _kill_after(store, corpus, writes=_logged_writes(store) + 40)  # a second kill, later on
    print(
        "second kill: {} articles whole, {} half-written undone".format(*_assert_whole(store)[::2])
    )

    proc = _start(store, corpus)
    out, err = proc.communicate(timeout=600)
    assert proc.returncode == 0, err
    report = json.loads(out)
    assert report["errors"] == []
    assert report["documents"] + report["skipped"] == N
    articles, quotes, _ = _assert_whole(store)
    assert articles == N and quotes > N * 5

    proc = _start(store, corpus)  # and once more: nothing new, nothing duplicated
    out, _ = proc.communicate(timeout=600)
    assert json.loads(out)["documents"] == 0
    assert _assert_whole(store) == (articles, quotes, 0)
