"""`quotebot ingest --workers N`: N extraction processes, one writer, the same store as one."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from store_records import PATEL, mixed_corpus, records

from bot.core import Bot
from bot.settings import Settings

ROOT = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.slow  # starts worker processes, each loading spaCy


SINGLE_VECTORS: dict[str, np.ndarray] = {}


def vectors(index: object) -> dict[str, np.ndarray]:
    got = index.quotes.get(include=["embeddings"])  # type: ignore[attr-defined]
    return dict(zip(got["ids"], np.asarray(got["embeddings"], np.float32), strict=True))


def assert_same_vectors(got: dict[str, np.ndarray]) -> None:
    """Workers embed their own batches (one torch thread each): the same texts, the same
    vectors up to the CPU's float rounding, never another text's vector."""
    assert got and got.keys() <= SINGLE_VECTORS.keys()
    cosines = [float(v @ SINGLE_VECTORS[i]) for i, v in got.items()]
    assert min(cosines) > 0.9999


@pytest.fixture(scope="module")
def single(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict, dict]:
    """The mixed corpus ingested by one process: (corpus, report, records)."""
    root = tmp_path_factory.mktemp("single")
    docs = mixed_corpus(root)
    bot = Bot.build(Settings(store=root / "store", batch_size=2))
    report = bot.ingest([docs]).to_dict()
    SINGLE_VECTORS.update(vectors(bot.index))
    return docs, report, records(bot.index)


def test_two_workers_store_the_same_records(single: tuple[Path, dict, dict], tmp_path: Path):
    docs, report, expected = single
    store = tmp_path / "store"
    env = {**os.environ, "QUOTEBOT_BATCH_SIZE": "2"}
    cmd = [sys.executable, "-m", "bot", "ingest", "--json", "--workers", "2"]
    proc = subprocess.run(
        [*cmd, "--store", str(store), str(docs)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout) == report
    assert (report["documents"], report["skipped"]) == (7, 1)
    assert [Path(e["path"]).name for e in report["errors"]] == [
        "binary.txt",
        "empty.txt",
        "feed.jsonl:2",
    ]
    index = Bot.build(Settings(store=store)).index
    got = records(index)
    assert got["quotes"].keys() == expected["quotes"].keys()
    assert got == expected
    assert_same_vectors(vectors(index))
    assert len(got["quotes"]) > 40 and len(got["articles"]) == 7


def test_a_crashing_worker_costs_only_its_article(
    single: tuple[Path, dict, dict], tmp_path: Path
) -> None:
    """A worker that dies on one article (as a segfault would): the pool is restarted, the
    batches in flight are sent again, and only that article is reported."""
    docs, report, expected = single
    settings = Settings(store=tmp_path / "store", batch_size=2, test_crash_on="Raj Patel")
    bot = Bot.build(settings)
    got = bot.ingest([docs], workers=2).to_dict()
    crashed = [e for e in got["errors"] if "crashed its worker process" in e["error"]]
    # Of two files with the same content the last one read is the one stored (and named).
    assert [Path(e["path"]).name for e in crashed] == ["patel.txt"]
    assert got["errors"][: len(report["errors"])] == report["errors"]
    assert got["documents"] == report["documents"] - 1
    stored = records(bot.index)
    patel = {d for d, (text, _) in expected["articles"].items() if PATEL in text}
    assert stored["articles"] == {d: a for d, a in expected["articles"].items() if d not in patel}
    kept = {i: q for i, q in expected["quotes"].items() if q[1]["doc_id"] not in patel}
    assert stored["quotes"] == kept
    assert_same_vectors(vectors(bot.index))  # the batch retried one article at a time too
