"""The SQLite FTS5 lexicon beside an embedded store: writes by id and doc id, search, old files."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from store.index.lexical import Filter, FtsLexicon
from store.index.records import Record


def _record(doc_id: str, n: int, quote: str, speaker: str = "Ann Lee") -> Record:
    meta = {
        "quote": quote,
        "speaker": speaker,
        "attributed": True,
        "doc_id": doc_id,
        "title": f"Article {doc_id}",
        "context": quote,
        "published_ym": 201609,
    }
    return Record(f"{doc_id}:{n}:{n + len(quote)}", quote, meta)


def test_add_replaces_by_id_and_remove_takes_whole_articles(tmp_path: Path) -> None:
    lex = FtsLexicon(tmp_path / "lexical.sqlite3")
    lex.add([_record("a1", 0, "the bridge will reopen in June"), _record("a1", 40, "every bolt")])
    lex.add([_record("b2", 0, "the tunnel will close in March", "Bo Chen")])
    lex.add([_record("a1", 0, "the bridge will reopen in July")])  # same id: replaced
    assert lex.count() == 3
    found = dict(lex.search(["bridge", "reopen"], 10, Filter()))
    assert list(found) == ["a1:0:30"]
    assert lex.search(["June"], 10, Filter()) == []
    assert [i for i, _ in lex.search(["July"], 10, Filter())] == ["a1:0:30"]
    assert lex.phrase("tunnel will close", 5, Filter(speakers=["Bo Chen"])) == ["b2:0:30"]
    lex.remove(["a1"])
    assert lex.count() == 1
    assert lex.search(["bridge", "bolt"], 10, Filter()) == []
    assert [i for i, _ in lex.search(["tunnel"], 10, Filter())] == ["b2:0:30"]


def test_deletes_look_rows_up_by_index_not_by_scanning(tmp_path: Path) -> None:
    """Ids and doc ids are found through the id table's indexes (an ingest into a big store
    must not scan every row of the lexicon once per quote)."""
    lex = FtsLexicon(tmp_path / "lexical.sqlite3")
    lex.add([_record("a1", 0, "the bridge will reopen in May")])
    db = sqlite3.connect(tmp_path / "lexical.sqlite3")
    for column in ("id", "doc_id"):
        plan = db.execute(f"EXPLAIN QUERY PLAN SELECT n FROM ids WHERE {column} IN (?)", ["x"])
        detail = " ".join(str(row[-1]) for row in plan)
        assert "USING" in detail and "INDEX" in detail and "SCAN" not in detail, detail


def test_a_file_from_before_the_id_table_counts_zero_so_it_is_rebuilt(tmp_path: Path) -> None:
    path = tmp_path / "lexical.sqlite3"
    db = sqlite3.connect(path)
    db.execute(
        "CREATE VIRTUAL TABLE quotes USING fts5(quote, sentence, context, title, who, "
        "id UNINDEXED, doc_id UNINDEXED, speaker UNINDEXED, publisher UNINDEXED, ym UNINDEXED, "
        "attributed UNINDEXED)"
    )
    db.execute("INSERT INTO quotes VALUES ('old quote','','','','','x:0:9','x','','',0,1)")
    db.commit()
    db.close()
    lex = FtsLexicon(path)
    assert lex.count() == 0  # QuoteIndex sees 0 != its quote count and refills the file
    lex.clear()
    lex.add([_record("a1", 0, "the bridge will reopen in May")])
    assert lex.count() == 1
    assert lex.search(["old"], 10, Filter()) == []
    assert [i for i, _ in lex.search(["bridge"], 10, Filter())] == ["a1:0:29"]


def test_filters_read_the_id_table_and_an_older_file_gets_its_columns(tmp_path: Path) -> None:
    """Speaker, publisher, month and attributed filters are answered from the ``ids`` table; a
    file whose ``ids`` lacks those columns gets them filled from its rows when opened."""
    path = tmp_path / "lexical.sqlite3"
    lex = FtsLexicon(path)
    unattributed = _record("c3", 0, "the bridge is closed", "")
    unattributed.metadata["attributed"] = False
    lex.add([_record("a1", 0, "the bridge will reopen"), _record("b2", 0, "the bridge", "Bo Chen")])
    lex.add([unattributed])
    searches = [
        ("bo", Filter(speakers=["Bo Chen"])),
        ("all", Filter()),
        ("any", Filter(attributed=False)),
        ("sept", Filter(months=(201609, 201609), exclude_speakers=["Bo Chen"])),
        ("oct", Filter(months=(201610, 201612))),
    ]
    want = {name: [i for i, _ in lex.search(["bridge"], 10, f)] for name, f in searches}
    assert want == {
        "bo": ["b2:0:10"],
        "all": ["b2:0:10", "a1:0:22"],
        "any": ["b2:0:10", "c3:0:20", "a1:0:22"],
        "sept": ["a1:0:22"],
        "oct": [],
    }
    assert {name: sorted(lex.matching(f)) for name, f in searches} == {
        "bo": ["b2:0:10"],
        "all": ["a1:0:22", "b2:0:10"],
        "any": ["a1:0:22", "b2:0:10", "c3:0:20"],
        "sept": ["a1:0:22"],
        "oct": [],
    }
    assert lex.matching(Filter(attributed=False), limit=2) == ["a1:0:22", "b2:0:10"]
    assert lex.matching(Filter(), among=["c3:0:20", "b2:0:10", "x:0:1"]) == ["b2:0:10"]
    db = sqlite3.connect(path)
    db.execute("DROP INDEX ids_speaker")
    db.execute("DROP INDEX ids_speaker_first")
    db.execute("DROP INDEX ids_ym")
    for column in ("speaker", "publisher", "ym", "attributed"):
        db.execute(f"ALTER TABLE ids DROP COLUMN {column}")  # the file as older code wrote it
    db.commit()
    db.close()
    old = FtsLexicon(path)
    assert {name: [i for i, _ in old.search(["bridge"], 10, f)] for name, f in searches} == want
    plan = sqlite3.connect(path).execute(
        "EXPLAIN QUERY PLAN SELECT id FROM ids WHERE speaker IN (?)", ["Bo Chen"]
    )
    assert "INDEX ids_speaker" in " ".join(str(row[-1]) for row in plan)  # made again on open


def test_words_in_too_many_records_pick_no_candidates(tmp_path: Path, monkeypatch) -> None:
    """A word in more than COMMON records is left out of the query (the cost of BM25 grows with
    every record holding any word); when every word is that common, the rarest one stays."""
    import store.index.lexical as lexical

    monkeypatch.setattr(lexical, "COMMON", 3)
    lex = FtsLexicon(tmp_path / "lexical.sqlite3")
    lex.add([_record(f"d{n}", 0, f"Trump spoke about topic number {n}") for n in range(6)])
    lex.add([_record("w", 0, "Trump said the wall would be built", "Bo Chen")])
    lex.add([_record("v", 0, "the wall and the vote", "Cy Dee")])
    found = [i for i, _ in lex.search(["Trump", "wall"], 10, Filter())]
    assert sorted(found) == ["v:0:21", "w:0:34"]  # "Trump" alone no longer brings d0…d5
    assert len(lex.search(["Trump", "spoke"], 10, Filter())) == 6  # both common: the rarer
    monkeypatch.setattr(lexical, "COMMON", 100)
    assert len(lex.search(["Trump", "wall"], 10, Filter())) == 8


def test_the_rarest_words_are_kept_while_they_match_few_enough_records(
    tmp_path: Path, monkeypatch
) -> None:
    """BM25 scores every record holding any word: words join the query rarest first while the
    records they match stay within ROWS, so a search costs the same however large the store."""
    import store.index.lexical as lexical

    lex = FtsLexicon(tmp_path / "lexical.sqlite3")
    lex.add([_record(f"d{n}", 0, f"the budget vote number {n}") for n in range(5)])
    lex.add([_record("b", 0, "the bridge vote"), _record("c", 0, "a bridge and a canal")])
    monkeypatch.setattr(lexical, "ROWS", 3)
    # canal (1) + bridge (2) fit in 3 records; vote (6) does not join them.
    assert sorted(i for i, _ in lex.search(["vote", "bridge", "canal"], 10, Filter())) == [
        "b:0:15",
        "c:0:20",
    ]
    assert len(lex.search(["vote", "budget"], 10, Filter())) == 5  # the rarer one alone
    monkeypatch.setattr(lexical, "ROWS", 100)
    assert len(lex.search(["vote", "bridge", "canal"], 10, Filter())) == 7


def test_copies_of_a_quote_are_searched_once_and_found_on_request(tmp_path: Path) -> None:
    """The same quote of the same speaker in two articles ("Shea" in one, "Dorothy Shea" in
    the other) is one candidate (``one_copy``), the first written; ``copies`` gives the other.
    Two short quotes of one sentence (one searched text) are two."""
    lex = FtsLexicon(tmp_path / "lexical.sqlite3")
    sentence = 'Lee called the plan "a disgrace" and "a betrayal of voters".'
    short = [
        Record("a1:10:21", sentence, _record("a1", 10, "a disgrace").metadata),
        Record("a1:28:49", sentence, _record("a1", 28, "a betrayal of voters").metadata),
    ]
    lex.add(short)
    lex.add([_record("b2", 5, "the bridge will reopen in June", "Shea")])
    lex.add([_record("c3", 9, "the bridge will reopen in June", "Dorothy Shea")])
    once = Filter(one_copy=True)
    assert {i for i, _ in lex.search(["disgrace", "betrayal", "plan"], 10, once)} == {
        "a1:10:21",
        "a1:28:49",
    }
    assert [i for i, _ in lex.search(["bridge", "reopen"], 10, once)] == ["b2:5:35"]
    assert len(lex.search(["bridge", "reopen"], 10, Filter())) == 2  # browsing lists both
    shea = Filter(speakers=["Dorothy Shea"], one_copy=True)
    assert [i for i, _ in lex.search(["bridge"], 10, shea)] == ["c3:9:39"]
    assert lex.copies(["b2:5:35"], 10) == ["c3:9:39"]
    assert lex.copies(["a1:10:21"], 10) == []
    with sqlite3.connect(tmp_path / "lexical.sqlite3") as db:  # a file from before copy keys
        db.execute("DROP INDEX ids_copy")
        db.execute("ALTER TABLE ids DROP COLUMN copy_key")
    older = FtsLexicon(tmp_path / "lexical.sqlite3")
    assert older.copies(["b2:5:35"], 10) == ["c3:9:39"]
    assert [i for i, _ in older.search(["bridge", "reopen"], 10, once)] == ["b2:5:35"]
    with sqlite3.connect(tmp_path / "lexical.sqlite3") as db:  # before first copies were marked
        db.execute("DROP INDEX ids_first")
        db.execute("DROP INDEX ids_speaker_first")
        db.execute("ALTER TABLE ids DROP COLUMN first")
    marked = FtsLexicon(tmp_path / "lexical.sqlite3")
    assert [i for i, _ in marked.search(["bridge", "reopen"], 10, once)] == ["b2:5:35"]
    marked.remove(["b2"])  # the first copy's article goes: the next copy is the one searched
    assert [i for i, _ in marked.search(["bridge", "reopen"], 10, once)] == ["c3:9:39"]
    marked.add([_record("b2", 5, "the bridge will reopen in June", "Shea")])  # back, now later
    assert len(marked.search(["bridge", "reopen"], 10, once)) == 1  # its best-scoring copy
    keys = sorted(marked.text_keys(["c3"]))
    assert [i for i, _ in marked.nearest_records(keys, once, 10)] == ["c3:9:39"]  # first written
    both = Filter(speakers=["Shea", "Dorothy Shea"], one_copy=True)  # two firsts, one quote
    assert [i for i, _ in marked.nearest_records(keys, both, 10)] == ["c3:9:39"]
    assert marked.first_copies(marked.matching(both)) == ["c3:9:39"]
    assert marked.matching(Filter(speakers=["Shea"], one_copy=True)) == ["b2:5:35"]
