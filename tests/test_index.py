"""The Chroma index: records, all-or-nothing writes, repair of abandoned writes, the writer."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from store.embed import MiniLMEmbedding
from store.errors import StoreError
from store.index import IndexWriter, QuoteIndex, connect, quote_record, source_file
from store.types import Article, Quote, Span

TEXT = (
    "Bridge vote\n"
    "Mayor Ann Lee said the bridge would reopen in May after two years of repairs.\n"
    "“It is safe,” Lee said. “We checked every bolt and every cable twice,” she added."
)


def _article(text: str = TEXT, path: str = "/news/bridge.txt") -> Article:
    return Article(
        doc_id=f"d{abs(hash(text)) % 10**12:012d}", text=text, title="Bridge vote", source_path=path
    )


def _quote(text: str, part: str, speaker: str = "Ann Lee") -> Quote:
    start = text.index(part)
    return Quote(
        quote=part,
        start=start,
        end=start + len(part),
        kind="direct",
        cue=Span("said", 0, 4),
        speaker=speaker,
    )


QUOTES = [
    _quote(TEXT, "the bridge would reopen in May after two years of repairs"),
    _quote(TEXT, "It is safe"),
    _quote(TEXT, "We checked every bolt and every cable twice"),
]


@pytest.fixture(scope="module")
def embedder() -> MiniLMEmbedding:
    return MiniLMEmbedding()


@pytest.fixture
def index(tmp_path: Path, embedder: MiniLMEmbedding) -> QuoteIndex:
    return QuoteIndex(connect(str(tmp_path / "store")), embedder, "test")


def test_record_ids_and_searched_text() -> None:
    article = _article()
    long, short = quote_record(article, QUOTES[0]), quote_record(article, QUOTES[1])
    assert long.id == f"{article.doc_id}:{QUOTES[0].start}:{QUOTES[0].end}"
    assert long.document == QUOTES[0].quote
    assert short.document == "“It is safe,” Lee said."  # a short quote is found by its sentence
    assert short.metadata["speaker"] == "Ann Lee" and short.metadata["start"] == QUOTES[1].start
    assert TEXT[short.metadata["start"] : short.metadata["end"]] == "It is safe"


def test_source_file_strips_jsonl_line_numbers() -> None:
    assert source_file("/a/feed.jsonl:12") == "/a/feed.jsonl"
    assert source_file("/a/notes:12.txt") == "/a/notes:12.txt"
    assert source_file("upload:story.txt") == "upload:story.txt"


def test_add_search_get_remove(index: QuoteIndex) -> None:
    article = _article()
    assert index.add([(article, QUOTES)]) == 3
    assert index.add([(article, QUOTES)]) == 3  # same ids: upsert, not duplicates
    assert index.counts() == (1, 3)
    assert index.has_articles([article.doc_id, "other"]) == {article.doc_id}
    hits = index.search("Who checked every bolt?", k=1)
    assert hits[0].quote == "We checked every bolt and every cable twice" and hits[0].score > 0.4
    doc = index.get_article(article.doc_id)
    assert [h.quote for h in doc["quotes"]] == [q.quote for q in QUOTES]
    assert doc["source_file"] == "/news/bridge.txt" and doc["quotes"][0].title == "Bridge vote"
    before = index.generation()
    assert index.remove([article.doc_id]) == 1
    assert index.counts() == (0, 0) and index.generation() != before
    assert not [m["speaker"] for _, m, _ in index.iter_quotes(include_documents=False)]


def test_a_narrow_filter_is_searched_exactly_with_hnsw_s_results(
    index: QuoteIndex, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A speaker or article filter that keeps few records gives the records and similarities
    Chroma's filtered HNSW query gives, from an exact search over those records."""
    from store.index import Filter, reads

    other = TEXT.replace("Ann Lee", "Bo Park").replace("Lee", "Park") + "\nNothing else."
    quotes = [_quote(other, q.quote, "Bo Park") for q in QUOTES]
    index.add([(_article(), QUOTES), (_article(other, "/news/other.txt"), quotes)])
    vector = index.embedder.question("Who said the bridge is safe?")
    for flt in (Filter(speakers=["Ann Lee"]), Filter(doc_ids=[_article().doc_id])):
        exact = index.dense(vector, 2, flt)
        monkeypatch.setattr(reads, "EXACT_UP_TO", 0)  # more than 0 records: HNSW, as before
        hnsw = index.dense(vector, 2, flt)
        monkeypatch.undo()
        assert [s.id for s in exact] == [s.id for s in hnsw] and len(exact) == 2
        assert all(s.meta["speaker"] == "Ann Lee" for s in exact)
        assert [s.dense for s in exact] == pytest.approx([s.dense for s in hnsw], abs=1e-5)
        assert [s.document for s in exact] == [s.document for s in hnsw]
    assert index.dense(vector, 2, Filter(speakers=["Nobody"])) == []


def test_a_broad_filter_looks_among_the_nearest_of_all_first(
    index: QuoteIndex, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A month or publisher filter is applied to the nearest records of the whole store (one
    unfiltered HNSW query) and gives what Chroma's filtered query gives; when too few of them
    pass, the filtered query answers."""
    from dataclasses import replace

    from store.index import Filter, reads

    other = TEXT.replace("Ann Lee", "Bo Park").replace("Lee", "Park") + "\nNothing else."
    quotes = [_quote(other, q.quote, "Bo Park") for q in QUOTES]
    dated = replace(_article(other, "/news/other.txt"), published="2016-09-14", publisher="AP")
    index.add([(_article(), QUOTES), (dated, quotes)])
    vector = index.embedder.question("Who said the bridge is safe?")
    calls: list[object] = []
    original = reads.QuoteReads._nearest_then_filter
    monkeypatch.setattr(
        reads.QuoteReads,
        "_nearest_then_filter",
        lambda self, *a: calls.append(a) or original(self, *a),
    )
    for flt in (Filter(months=(201609, 201609)), Filter(publishers=["AP"])):
        first = index.dense(vector, 2, flt)
        monkeypatch.setattr(reads, "OVERFETCH", 1)  # too few pass among the 3 nearest
        filtered = index.dense(vector, 2, flt)
        monkeypatch.setattr(reads, "OVERFETCH", 10)
        assert [s.id for s in first] == [s.id for s in filtered] and len(first) == 2
        assert all(s.meta["speaker"] == "Bo Park" for s in first)
        assert [s.dense for s in first] == pytest.approx([s.dense for s in filtered], abs=1e-5)
    assert len(calls) == 4


def test_beside_an_embedded_store_the_id_table_picks_what_a_filter_keeps(
    tmp_path: Path, embedder: MiniLMEmbedding, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With the FTS5 file, which records a filter keeps comes from its id table: few are
    searched exactly, more among the WIDE nearest of all (ids and distances only), and either
    way the records and similarities are Chroma's filtered HNSW query's. ``filtered`` reads
    the same ids."""
    from dataclasses import replace

    from store.index import Filter, reads

    index = QuoteIndex(
        connect(str(tmp_path / "store")), embedder, "test", tmp_path / "lexical.sqlite3"
    )
    other = TEXT.replace("Ann Lee", "Bo Park").replace("Lee", "Park") + "\nNothing else."
    quotes = [_quote(other, q.quote, "Bo Park") for q in QUOTES]
    dated = replace(_article(other, "/news/other.txt"), published="2016-09-14", publisher="AP")
    index.add([(_article(), QUOTES), (dated, quotes)])
    vector = index.embedder.question("Who said the bridge is safe?")
    filters = [
        Filter(speakers=["Ann Lee"]),
        Filter(doc_ids=[dated.doc_id]),
        Filter(months=(201609, 201609)),
        Filter(publishers=["AP"], exclude_speakers=["Ann Lee"]),
    ]
    for flt in filters:
        hnsw = index._nearest(vector, 2, flt.where())
        for exact_ids in (600, 0):  # exact over the kept records; among the WIDE nearest
            monkeypatch.setattr(reads, "EXACT_IDS", exact_ids)
            got = index.dense(vector, 2, flt)
            assert [s.id for s in got] == [s.id for s in hnsw] and len(got) == 2
            assert [s.dense for s in got] == pytest.approx([s.dense for s in hnsw], abs=1e-5)
            assert [s.document for s in got] == [s.document for s in hnsw]
        kept = {s.id for s in index.filtered(flt, 10)}
        assert kept == set(index.quotes.get(where=flt.where(), include=[])["ids"])
    assert index.dense(vector, 2, Filter(speakers=["Nobody"])) == []


def test_exactly_searched_vectors_are_kept_and_removed_records_are_not_found(
    tmp_path: Path, embedder: MiniLMEmbedding
) -> None:
    """Vectors read for an exact search are kept: the next search over the same records gives
    the same records and similarities without reading them again, a fresh process's index
    agrees, and a removed article's records are not found, though their vectors are kept."""
    from store.index import Filter

    def open_index() -> QuoteIndex:
        return QuoteIndex(
            connect(str(tmp_path / "store")), embedder, "test", tmp_path / "lexical.sqlite3"
        )

    index = open_index()
    other = TEXT + "\nNothing else."  # another article: the same quotes, other ids
    index.add([(_article(), QUOTES), (_article(other, "/news/other.txt"), QUOTES)])
    vector = index.embedder.question("Who said the bridge is safe?")
    flt = Filter(speakers=["Ann Lee"])
    first = index.dense(vector, 6, flt)
    assert len(first) == 6 and len(index.kept_vectors) == 6
    reads: list[object] = []
    get = index.quotes.get
    index.quotes.get = lambda **kw: reads.append(kw.get("include")) or get(**kw)  # type: ignore[method-assign]
    again = index.dense(vector, 6, flt)
    assert ["embeddings"] not in reads  # the kept vectors, not a second read
    assert [(s.id, s.dense) for s in again] == [(s.id, s.dense) for s in first]
    fresh = open_index().dense(vector, 6, flt)
    assert [s.id for s in fresh] == [s.id for s in first]
    assert [s.dense for s in fresh] == pytest.approx([s.dense for s in first], abs=1e-6)
    assert index.remove([_article(other, "/news/other.txt").doc_id]) == 1
    left = index.dense(vector, 6, flt)
    assert {s.meta["doc_id"] for s in left} == {_article().doc_id} and len(left) == 3


def test_copies_of_a_text_share_one_vector_beside_an_embedded_store(
    tmp_path: Path, embedder: MiniLMEmbedding, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Records holding a byte-identical text (a reprinted quote) get one vector in the texts
    collection, which dense search asks: the nearest text's records come back in the order
    written, with their exact similarity; a text leaves when its last record does; a store
    written before the collection existed gets it filled when opened, and answers the same."""
    import sqlite3

    import numpy as np

    from store.index import Filter, reads

    monkeypatch.setattr(reads, "EXACT_IDS", 0)  # no exact search: the texts collection answers

    def open_index() -> QuoteIndex:
        return QuoteIndex(
            connect(str(tmp_path / "store")), embedder, "test", tmp_path / "lexical.sqlite3"
        )

    index = open_index()
    editions = [_article(TEXT + f"\n(edition {n})", f"/news/{n}.txt") for n in range(12)]
    for article in editions:  # a batch each, as separate ingests write them
        index.add([(article, QUOTES)])
    assert index.quotes.count() == 36 and index.texts.count() == 3
    vector = index.embedder.question("Who said the bridge would reopen in May?")
    got = index.dense(vector, 5, Filter())
    assert [s.meta["doc_id"] for s in got] == [a.doc_id for a in editions[:5]]
    assert {s.meta["quote"] for s in got} == {QUOTES[0].quote}
    exact = float(np.asarray(index.embedder.encode([QUOTES[0].quote]))[0] @ vector)
    assert [s.dense for s in got] == pytest.approx([exact] * 5, abs=1e-4)
    # A question's candidates: one copy of each quote, the first written the filter keeps.
    once = index.dense(vector, 5, Filter(one_copy=True))
    assert [s.meta["doc_id"] for s in once] == [editions[0].doc_id] * 3
    assert once[0].id == got[0].id and once[0].dense == pytest.approx(exact, abs=1e-4)
    seventh = index.dense(vector, 5, Filter(doc_ids=[editions[7].doc_id], one_copy=True))
    assert [s.meta["doc_id"] for s in seventh] == [editions[7].doc_id] * 3
    found = index.lexicon.search(["bridge", "reopen", "bolt"], 40, Filter(one_copy=True))
    assert found and {i.split(":")[0] for i, _ in found} == {editions[0].doc_id}
    copies = index.copies([got[0].id], 50)
    assert [s.meta["doc_id"] for s in copies] == [a.doc_id for a in editions[1:]]
    listed = index.filtered(Filter(one_copy=True), 100)  # "what did Lee say?": each quote once
    assert [s.meta["doc_id"] for s in listed] == [editions[0].doc_id] * 3
    assert len(index.filtered(Filter(), 100)) == 36
    text = "Park said the ferry would stop running in June because of the storm damage."
    ferry = _article(text, "/news/ferry.txt")
    index.add([(ferry, [_quote(text, "the ferry would stop running in June", "Bo Park")])])
    asked = index.embedder.question("Who said the ferry would stop running?")
    assert index.dense(asked, 1, Filter())[0].meta["doc_id"] == ferry.doc_id
    assert index.dense(vector, 3, Filter(speakers=["Bo Park"]))[0].meta["doc_id"] == ferry.doc_id
    before = [(s.id, round(s.dense or 0, 5)) for s in index.dense(vector, 8, Filter())]

    del index  # an older store: no texts collection, no text keys in the id table
    client = connect(str(tmp_path / "store"))
    client.delete_collection("test_texts_v2")
    with sqlite3.connect(tmp_path / "lexical.sqlite3") as db:
        db.execute("DROP INDEX ids_text")
        db.execute("DROP INDEX ids_first")
        db.execute("ALTER TABLE ids DROP COLUMN text_key")
    index = open_index()
    assert index.texts.count() == 4
    assert [(s.id, round(s.dense or 0, 5)) for s in index.dense(vector, 8, Filter())] == before

    assert index.remove([a.doc_id for a in editions[1:]]) == 11
    assert index.texts.count() == 4  # the first edition still holds the bridge texts
    assert index.remove([editions[0].doc_id]) == 1
    assert index.texts.count() == 1
    assert index.dense(vector, 3, Filter())[0].meta["doc_id"] == ferry.doc_id


@pytest.mark.parametrize("lexical", [True, False], ids=["embedded", "server-like"])
def test_records_holding_a_span(tmp_path: Path, embedder: MiniLMEmbedding, lexical: bool) -> None:
    """``holding``: the records of an article whose span holds a given span (beside an embedded
    store picked by their ids, else by their metadata), within the filter."""
    from store.index import Filter

    path = tmp_path / "lexical.sqlite3" if lexical else None
    index = QuoteIndex(connect(str(tmp_path / "store")), embedder, "test", path)
    article = _article()
    inner = "It is safe"
    outer = _quote(TEXT, "“It is safe,” Lee said. “We checked every bolt", "Ann Lee")
    index.add([(article, [*QUOTES, outer])])
    at = TEXT.index(inner)
    span = (article.doc_id, at, at + len(inner))
    holders = index.holding([span], Filter())
    assert sorted(s.meta["quote"] for s in holders) == sorted([inner, outer.quote])
    assert index.holding([span], Filter(speakers=["Bo Park"])) == []
    assert index.holding([("nothing", 0, 5)], Filter()) == []


def test_repeated_searched_text_is_embedded_once(index: QuoteIndex, embedder) -> None:
    calls: list[int] = []
    real = embedder.encode

    def counting(texts: list[str]):
        calls.append(len(texts))
        return real(texts)

    index.embedder = MiniLMEmbedding()
    index.embedder.encode = counting  # type: ignore[method-assign]
    text = "Lee said “yes” and “no” to the plan."
    article = _article(text)
    index.add([(article, [_quote(text, "yes"), _quote(text, "no")])])
    assert calls == [1]  # both short quotes search their shared sentence
    got = index.quotes.get(include=["embeddings"])
    assert (got["embeddings"][0] == got["embeddings"][1]).all()


def _dead_pid() -> int:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def test_repair_undoes_an_abandoned_write_only(index: QuoteIndex) -> None:
    done, dead, live = _article(), _article(TEXT + " A."), _article(TEXT + " B.")
    index.add([(done, QUOTES)])
    for article, pid in ((dead, _dead_pid()), (live, os.getpid())):
        token = index._begin("add", [article.doc_id])  # quotes written, article record not
        index.meta.update(ids=[token], metadatas=[{"pid": pid, "started": time.time()}])
        rec = quote_record(article, QUOTES[0])
        index.quotes.upsert(ids=[rec.id], documents=[rec.document], metadatas=[rec.metadata])
    assert index.repair() == 1  # the dead writer's quote goes; the live writer is left alone
    left = {m["doc_id"] for _, m, _ in index.iter_quotes()}
    assert left == {done.doc_id, live.doc_id}
    assert index.repair(full=True) == 1  # a full scan also catches the live one's orphan
    assert {m["doc_id"] for _, m, _ in index.iter_quotes()} == {done.doc_id}


def test_writer_thread_reports_store_errors(index: QuoteIndex) -> None:
    class Report:
        documents = quotes = 0

    report = Report()
    with IndexWriter(index, report) as writer:
        writer.put([_article()], [QUOTES])
    assert (report.documents, report.quotes) == (1, 3)
    index.quotes = None  # type: ignore[assignment]  # any failure on the thread
    with pytest.raises(StoreError, match="Writing to the Chroma store failed"):
        with IndexWriter(index, Report()) as writer:
            writer.put([_article(TEXT + " C.")], [QUOTES])


def test_unreachable_server_is_a_sentence() -> None:
    with pytest.raises(StoreError, match="Cannot open the Chroma store at http://127.0.0.1:9"):
        client = connect("", "http://127.0.0.1:9")
        client.heartbeat()


def test_a_name_is_shown_in_full_but_never_as_a_group(index: QuoteIndex) -> None:
    """ "Sanders" is shown as the article's "Bernie Sanders", never as a group of speakers
    whose name ends the same way ("Hillary and Bernie Sanders", a pronoun resolved to two
    people); the group is shown as itself."""
    text = (
        "Tax plan\nBernie Sanders said the loopholes must close. Sanders said it again.\n"
        "Hillary and Bernie Sanders said they agree on most of it."
    )
    article = _article(text, "/news/tax.txt")
    quotes = [
        _quote(text, "the loopholes must close", "Bernie Sanders"),
        _quote(text, "it again", "Sanders"),
        _quote(text, "they agree on most of it", "Hillary and Bernie Sanders"),
    ]
    index.add([(article, quotes)])
    shown = index.names.display(["Sanders", "Bernie Sanders", "Hillary and Bernie Sanders"])
    assert shown == {
        "Sanders": "Bernie Sanders",
        "Bernie Sanders": "Bernie Sanders",
        "Hillary and Bernie Sanders": "Hillary and Bernie Sanders",
    }


def test_a_tie_between_fuller_names_is_broken_the_same_way_in_every_process(
    index: QuoteIndex,
) -> None:
    """ "Lee" said once each by four people with names of one length: the name shown for a bare
    "Lee" must not depend on set order (hash seeds differ between processes on one server)."""
    people = ["Dan Lee", "Ann Lee", "Cal Lee", "Bob Lee"]
    text = "Roads\n" + " ".join(f"{p} said road {n} will close." for n, p in enumerate(people))
    article = _article(text, "/news/roads.txt")
    quotes = [_quote(text, f"road {n} will close", p) for n, p in enumerate(people)]
    index.add([(article, quotes + [_quote(text, "Roads", "Lee")])])
    assert index.names.display(["Lee"]) == {"Lee": "Ann Lee"}  # then the first alphabetically


def test_speaker_lookups_read_each_row_once_and_only_shorter_forms(index: QuoteIndex) -> None:
    """ "Ann Lee" also finds another article's "Ms. Lee" and the group "Ann Lee and Bob Smith",
    but Bob Smith is never shown as that group, so no "… Smith" row is read for it; asked again,
    the same generation reads nothing."""
    from bot.chain.people import People

    first = "Budget\nAnn Lee said taxes would rise. Ann Lee and Bob Smith said they would meet."
    second = "Vote\nMs. Lee said the vote was close. Smith said the count was wrong."
    third = "Count\nBob Smith said the count was right."
    index.add(
        [
            (
                _article(first, "/news/budget.txt"),
                [
                    _quote(first, "taxes would rise", "Ann Lee"),
                    _quote(first, "they would meet", "Ann Lee and Bob Smith"),
                ],
            ),
            (
                _article(second, "/news/vote.txt"),
                [
                    _quote(second, "the vote was close", "Lee"),
                    _quote(second, "the count was wrong", "Smith"),
                ],
            ),
            (
                _article(third, "/news/count.txt"),
                [_quote(third, "the count was right", "Bob Smith")],
            ),
        ]
    )
    people = People(index)
    people.refresh()
    read: list[str] = []
    get = people.names.names.get

    def counted(*args: object, **kwargs: object) -> object:
        read.extend(kwargs.get("ids") or [])  # type: ignore[arg-type]
        return get(*args, **kwargs)

    people.names.names.get = counted  # type: ignore[method-assign]
    assert people.speakers_for("Ann Lee") == ["Ann Lee", "Ann Lee and Bob Smith", "Lee"]
    assert "n:smith" not in read and "n:bob smith" not in read
    assert len(read) == len(set(read))  # every row and word record read once
    read.clear()
    assert people.canon_many(["Lee", "Ann Lee and Bob Smith"]) == {
        "Lee": "Ann Lee",
        "Ann Lee and Bob Smith": "Ann Lee and Bob Smith",
    }
    assert read == []
    assert people.speakers_for("Smith") == ["Ann Lee and Bob Smith", "Bob Smith", "Smith"]


def test_a_nickname_finds_the_person_even_when_a_group_holds_the_typed_words(
    index: QuoteIndex,
) -> None:
    """ "Bill Ackman": the group "Bill Ackman and Melinda Gates" holds both words, but the
    person is William A. Ackman, found as a nickname would find him without the group."""
    first = "Shares\nWilliam A. Ackman said the stock would take time to recover."
    second = "Pledge\nBill Ackman and Melinda Gates said they would give."
    index.add(
        [
            (
                _article(first, "/news/shares.txt"),
                [_quote(first, "the stock", "William A. Ackman")],
            ),
            (
                _article(second, "/news/pledge.txt"),
                [_quote(second, "they would give", "Bill Ackman and Melinda Gates")],
            ),
        ]
    )
    found = [str(r["name"]) for r in index.names.lookup("Bill Ackman")]
    assert sorted(found) == ["Bill Ackman and Melinda Gates", "William A. Ackman"]


def test_a_full_name_is_not_shown_with_a_descriptor_or_in_capitals(index: QuoteIndex) -> None:
    """What a sentence start or a headline puts before or onto a name is not the name: "Rival
    Hillary Clinton" is shown as the more quoted Hillary Clinton, and she is never shown as
    "Rival Hillary Clinton"; a headline's "HILLARY CLINTON" is shown in its usual case; a
    middle initial quoted as often is kept ("Donald J. Trump"); a group keeps its own words
    ("Republican leaders" is not "Senate Republican leaders"); "Top Clinton" (an aide's
    truncated title, no given name) stays as it is; "Sanders" is never the description "Sanders
    camp", however often it is quoted."""
    said = [
        ("Hillary Clinton", 3),
        ("HILLARY CLINTON", 1),
        ("Rival Hillary Clinton", 2),
        ("Donald J. Trump", 2),
        ("Donald Trump", 1),
        ("Republican leaders", 2),
        ("Senate Republican leaders", 3),
        ("Top Clinton", 1),
        ("Sanders camp", 4),
        ("Bernie Sanders", 1),
    ]
    batch = []
    for n, (name, times) in enumerate(said):  # an article each: one would use its fullest name
        text = f"Race {n}\n" + " ".join(f"{name} said point {k} stands." for k in range(times))
        quotes = [_quote(text, f"point {k} stands", name) for k in range(times)]
        batch.append((_article(text, f"/news/race{n}.txt"), quotes))
    index.add(batch)
    names = [name for name, _ in said] + ["Clinton", "Trump", "Sanders"]
    assert index.names.display(names) == {
        "Hillary Clinton": "Hillary Clinton",
        "HILLARY CLINTON": "Hillary Clinton",
        "Rival Hillary Clinton": "Hillary Clinton",
        "Donald J. Trump": "Donald J. Trump",
        "Donald Trump": "Donald J. Trump",
        "Republican leaders": "Republican leaders",
        "Senate Republican leaders": "Senate Republican leaders",
        "Top Clinton": "Top Clinton",
        "Clinton": "Hillary Clinton",
        "Trump": "Donald J. Trump",
        "Sanders camp": "Sanders camp",
        "Bernie Sanders": "Bernie Sanders",
        "Sanders": "Bernie Sanders",  # not the more quoted "Sanders camp": a description
    }


def test_a_half_written_batch_is_repaired_on_open_not_rebuilt_from_every_record(
    tmp_path: Path, embedder: MiniLMEmbedding, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Killed between Chroma's quote records and the FTS file, a writer leaves the two counts
    apart; opening the store undoes its batch by its marker (no refill of the FTS file from
    every record, which is O(store)). A live writer's batch is left alone to finish."""
    from store.index import Filter

    def open_index() -> QuoteIndex:
        return QuoteIndex(
            connect(str(tmp_path / "store")), embedder, "test", tmp_path / "lexical.sqlite3"
        )

    index = open_index()
    index.add([(_article(), QUOTES)])
    other = _article(TEXT + "\nA second story.", "/news/second.txt")

    def killed(records: object) -> None:
        raise KeyboardInterrupt  # the process dies before the FTS file is written

    monkeypatch.setattr(index.lexicon, "add", killed)
    with pytest.raises(KeyboardInterrupt):
        index.add([(other, QUOTES)])
    assert index.quotes.count() == 2 * len(QUOTES) != index.lexicon.count()

    def no_rebuild(self: QuoteIndex) -> None:
        raise AssertionError("the FTS file was refilled from every record")

    monkeypatch.setattr(QuoteIndex, "_rebuild_lexicon", no_rebuild)
    live = open_index()  # the writer (this process) is alive: its batch is left to finish
    assert live.writing() and live.quotes.count() == 2 * len(QUOTES)

    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True)  # fmt: skip
    got = index.meta.get(where={"kind": "pending"}, include=["metadatas", "documents"])
    index.meta.upsert(
        ids=got["ids"],
        documents=got["documents"],
        metadatas=[{**m, "pid": int(dead.stdout)} for m in got["metadatas"]],
        embeddings=[[0.0] * 383 + [1.0]] * len(got["ids"]),
    )
    reopened = open_index()  # its writer is gone: the half batch is undone
    assert reopened.quotes.count() == reopened.lexicon.count() == len(QUOTES)
    assert not reopened.writing()
    vector = embedder.question("Who said the bridge is safe?")
    assert {s.meta["doc_id"] for s in reopened.dense(vector, 5, Filter())} == {_article().doc_id}


def test_answers_read_records_from_the_lexicon_file_and_older_files_get_them_once(
    tmp_path: Path, embedder: MiniLMEmbedding, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Beside an embedded store a record is read from the FTS file's id table and its vector
    from the texts collection: opening the store and answering never read the quote
    collection (Chroma loads its whole HNSW index on the first read). A file written before
    it held whole records gets them from Chroma once, when opened; an empty (lost) file is
    refilled from Chroma."""
    import sqlite3

    from store.index import Filter

    def open_index() -> QuoteIndex:
        return QuoteIndex(
            connect(str(tmp_path / "store")), embedder, "test", tmp_path / "lexical.sqlite3"
        )

    index = open_index()
    index.add([(_article(), QUOTES)])
    ids = [s.id for s in index.filtered(Filter(attributed=False), 10)]
    chroma = index.quotes.get(ids=ids, include=["metadatas", "documents", "embeddings"])
    want = {
        i: (dict(m), d, list(e))
        for i, m, d, e in zip(
            chroma["ids"], chroma["metadatas"], chroma["documents"], chroma["embeddings"],
            strict=True,
        )
    }  # fmt: skip
    del index

    from chromadb.api.models.Collection import Collection

    def guarded(name: str) -> object:
        real = getattr(Collection, name)

        def call(self: Collection, *args: object, **kw: object) -> object:
            assert self.name != "test_quotes_v2", f"the quote collection was read: {name}"
            return real(self, *args, **kw)

        return call

    for name in ("count", "get", "query", "peek"):
        monkeypatch.setattr(Collection, name, guarded(name))
    reopened = open_index()
    got = {s.id: s for s in reopened.fetch(ids, vectors=True)}
    assert set(got) == set(want)
    for i, (meta, document, vector) in want.items():
        assert got[i].meta == meta and got[i].document == document
        assert got[i].vector is not None and np.allclose(got[i].vector, vector, atol=1e-6)
    asked = embedder.question("Who said the bridge is safe?")
    assert reopened.dense(asked, 2, Filter(one_copy=True))[0].id in want
    assert reopened.dense(asked, 2, Filter(speakers=["Ann Lee"]))[0].id in want
    assert reopened.counts()[1] == len(want)
    monkeypatch.undo()

    with sqlite3.connect(tmp_path / "lexical.sqlite3") as db:  # a file from before records
        db.execute("DROP INDEX ids_unread")
        db.execute("ALTER TABLE ids DROP COLUMN record")
    older = open_index()
    assert older.lexicon.unread(10) == []
    assert {i: (s.meta, s.document) for i, s in ((s.id, s) for s in older.fetch(ids))} == {
        i: (m, d) for i, (m, d, _) in want.items()
    }
    del older
    (tmp_path / "lexical.sqlite3").unlink()  # lost, or a store written without it: refilled
    for extra in tmp_path.glob("lexical.sqlite3-*"):
        extra.unlink()
    refilled = open_index()
    assert refilled.lexicon.count() == len(want) and refilled.counts()[1] == len(want)
