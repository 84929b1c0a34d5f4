"""Incremental ingest through the Bot facade: skip unchanged, replace changed, remove, stats."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.core import Bot
from bot.settings import Settings
from store.errors import NotFoundError

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
V1 = "Bridge vote\nMayor Ann Lee said on Monday that the bridge would reopen in May."
V2 = "Bridge vote\nMayor Ann Lee said on Tuesday that the bridge would stay closed until July."
A = "Port strike\nUnion leader Bo Chan said the strike would last a week."
B = "School budget\nPrincipal Eva Ortiz said the budget cuts would hurt pupils."
C = "Rail fares\nMinister Raj Patel said fares would rise by 3 percent in January."


def _bot(tmp_path: Path) -> Bot:
    return Bot.build(Settings(store=tmp_path / "store", batch_size=2))


def _jsonl(path: Path, *texts: str) -> Path:
    path.write_text("".join(json.dumps({"text": t}) + "\n" for t in texts), encoding="utf-8")
    return path


def _speaker_quotes(bot: Bot) -> set[tuple[str, str]]:
    return {(m["speaker"], m["quote"]) for _, m, _ in bot.index.iter_quotes()}


def test_seeds_twice_adds_nothing(tmp_path: Path) -> None:
    bot = _bot(tmp_path)
    seen: list[int] = []
    first = bot.ingest([EXAMPLES], progress=seen.append).to_dict()
    assert (first["documents"], first["skipped"], first["errors"]) == (4, 0, [])
    assert sum(seen) == 4
    counts = bot.index.counts()
    assert counts[1] == first["quotes"] > 40
    again = bot.ingest([EXAMPLES]).to_dict()
    assert (again["documents"], again["skipped"], again["quotes"], again["replaced"]) == (
        0,
        4,
        0,
        0,
    )
    assert bot.index.counts() == counts
    stats = bot.stats()
    assert (stats["articles"], stats["quotes"]) == counts
    assert stats["speakers"] >= 10 and stats["store_bytes"] > 100_000


def test_same_content_under_two_names_is_stored_once(tmp_path: Path) -> None:
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "a.txt").write_text(V1, encoding="utf-8")
    (docs / "copy.txt").write_text(V1, encoding="utf-8")
    report = _bot(tmp_path).ingest([docs]).to_dict()
    assert (report["documents"], report["skipped"]) == (1, 1)


def test_a_changed_file_replaces_its_old_records(tmp_path: Path) -> None:
    bot = _bot(tmp_path)
    path = tmp_path / "bridge.txt"
    path.write_text(V1, encoding="utf-8")
    bot.ingest([path])
    path.write_text(V2, encoding="utf-8")
    report = bot.ingest([path]).to_dict()
    assert (report["documents"], report["replaced"]) == (1, 1)
    assert bot.index.counts()[0] == 1
    quotes = [q for _, q in _speaker_quotes(bot)]
    assert len(quotes) == 1 and quotes[0].endswith("the bridge would stay closed until July")


def test_jsonl_lines_moving_loses_nothing(tmp_path: Path) -> None:
    bot = _bot(tmp_path)
    feed = _jsonl(tmp_path / "feed.jsonl", A, B)
    assert bot.ingest([feed]).documents == 2
    _jsonl(feed, C, A, B)  # a new first line shifts the others
    report = bot.ingest([feed]).to_dict()
    assert (report["documents"], report["skipped"], report["replaced"]) == (1, 2, 0)
    assert bot.index.counts()[0] == 3
    _jsonl(feed, B)  # lines dropped from the file go from the store
    report = bot.ingest([feed]).to_dict()
    assert (report["documents"], report["replaced"]) == (0, 2)
    ((speaker, quote),) = _speaker_quotes(bot)
    assert "Eva Ortiz" in speaker and quote.endswith("the budget cuts would hurt pupils")


def test_remove_by_id_path_jsonl_and_directory(tmp_path: Path) -> None:
    bot = _bot(tmp_path)
    docs = tmp_path / "docs"
    (docs / "sub").mkdir(parents=True)
    (docs / "bridge.txt").write_text(V1, encoding="utf-8")
    (docs / "sub" / "rail.txt").write_text(C, encoding="utf-8")
    _jsonl(docs / "feed.jsonl", A, B)
    assert bot.ingest([docs]).documents == 4
    rail = bot.index.doc_ids_for_path(str((docs / "sub" / "rail.txt").resolve()))
    assert bot.remove(rail[0]) == rail
    assert len(bot.remove(str(docs / "feed.jsonl"))) == 2
    assert bot.index.counts()[0] == 1
    assert len(bot.remove(str(docs))) == 1
    assert bot.index.counts() == (0, 0)
    with pytest.raises(NotFoundError, match="Nothing indexed has the id or path 'nope'"):
        bot.remove("nope")
