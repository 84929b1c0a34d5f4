"""Browsing the seeded store: quotes by speaker alias / text / article, speakers, stats."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from bot.core import Bot
from bot.settings import Settings
from store.errors import InputError


def test_quotes_by_any_alias_of_a_speaker(seeded_bot: Any) -> None:
    by_surname = seeded_bot.quotes(speaker="Shea")
    assert by_surname and {h.speaker for h in by_surname} == {"Dorothy Camille Shea"}
    assert [h.id for h in seeded_bot.quotes(speaker="Ms Shea")] == [h.id for h in by_surname]
    assert [h.start for h in by_surname] == sorted(h.start for h in by_surname)
    assert seeded_bot.quotes(speaker="Angela Merkel") == []


def test_text_search_puts_verbatim_matches_first(seeded_bot: Any) -> None:
    hits = seeded_bot.quotes(q="closest comrade", limit=5)
    assert hits[0].speaker == "Kim Jong Un" and "closest comrade" in hits[0].quote
    assert hits[0].score == 1.0 and all(h.score <= 1.0 for h in hits)
    assert seeded_bot.quotes(q="bitcoin") == []


def test_quotes_of_one_article(seeded_bot: Any) -> None:
    doc_id = seeded_bot.quotes(q="closest comrade")[0].doc_id
    hits = seeded_bot.quotes(doc_id=doc_id, limit=100)
    assert hits and {h.doc_id for h in hits} == {doc_id}
    assert {h.source_path for h in hits} == {
        str(Path(hits[0].source_path).parent / "002_337fd35c83eca36f.txt")
    }
    assert len(seeded_bot.quotes(doc_id=doc_id, limit=2)) == 2
    with pytest.raises(InputError, match="limit must be between 1 and 1000, not 0"):
        seeded_bot.quotes(limit=0)


def test_speakers_are_canonical_with_aliases_and_counts(seeded_bot: Any) -> None:
    rows = seeded_bot.speakers()
    counts = [r["quotes"] for r in rows]
    assert counts == sorted(counts, reverse=True)
    shea = next(r for r in rows if r["speaker"] == "Dorothy Camille Shea")
    assert "Ms Shea" in shea["aliases"] and shea["articles"] == 1
    assert shea["quotes"] == len(seeded_bot.quotes(speaker="Shea"))
    assert not any(a.lower() in {"he", "she", "they"} for r in rows for a in r["aliases"])


def test_stats(seeded_bot: Any, tmp_path: Path) -> None:
    stats = seeded_bot.stats()
    assert stats["articles"] == 4 and stats["quotes"] > 20
    assert stats["speakers"] == len(seeded_bot.speakers())
    assert stats["store_bytes"] > 0 and stats["chroma_url"] is None
    empty = Bot.build(Settings(store=tmp_path / "empty")).stats()
    assert (empty["articles"], empty["quotes"], empty["speakers"]) == (0, 0, 0)
