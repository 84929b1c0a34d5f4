"""Serving while ingesting: questions keep their answers while another thread ingests."""

from __future__ import annotations

import shutil
import threading
import time
from pathlib import Path

import pytest

from bot.core import Bot, IngestReport
from bot.settings import Settings

ROOT = Path(__file__).resolve().parent.parent
POLNEAR = Path("/work/shared/data/polnear/train/text")
QUESTION = "Who said North Korean troops would be fair game?"

pytestmark = pytest.mark.skipif(not POLNEAR.is_dir(), reason="the PolNeAR sample is missing")


def test_questions_are_answered_while_ingesting(tmp_path: Path) -> None:
    bot = Bot.build(Settings(store=tmp_path / "store", batch_size=2))
    bot.ingest([ROOT / "examples"])
    expected = bot.ask(QUESTION).to_dict()["quotes"][0]
    assert "fair game" in expected["quote"]

    more = tmp_path / "more"
    more.mkdir()
    for path in sorted(POLNEAR.glob("*.txt"))[:8]:
        shutil.copy(path, more / path.name)
    result: list[IngestReport | BaseException] = []

    def ingest() -> None:
        try:
            result.append(bot.ingest([more]))
        except BaseException as e:  # noqa: BLE001 - checked below, in the test's thread
            result.append(e)

    worker = threading.Thread(target=ingest)
    worker.start()
    answers, generations = 0, set()
    deadline = time.monotonic() + 500
    while worker.is_alive():
        assert time.monotonic() < deadline, "ingest did not finish in time"
        answer = bot.ask(QUESTION).to_dict()
        assert not answer["abstained"]
        top = answer["quotes"][0]
        assert (top["quote"], top["doc_id"]) == (expected["quote"], expected["doc_id"])
        answers += 1
        generations.add(bot.index.generation())
    worker.join()
    (report,) = result
    assert isinstance(report, IngestReport), report
    assert (report.documents, report.errors) == (8, [])
    assert answers >= 3 and len(generations) >= 2  # asked while batches were landing
    assert bot.index.counts()[0] == 12
