"""Lexical search over quote records without holding them in memory.

Two backends behind one small protocol, chosen by where the store lives:

- ``FtsLexicon``: SQLite FTS5 beside an embedded store (``<store>/lexical_v2.sqlite3``): BM25
  over the quote, its sentence, its paragraph, the headline and the speaker's name and role,
  phrase queries for quoted fragments, incremental insert and delete with every write.
- ``ChromaLexicon``: for a Chroma server, the server's own full-text filter (``where_document``
  ``$contains``), ranked by the dense similarity of what contains the words. It keeps nothing
  outside Chroma, so every process on one server gives the same answers.
"""

from __future__ import annotations

import hashlib
import json
import re
import sqlite3
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from store.index.records import Record

_WORD = re.compile(r"\w+", re.UNICODE)
# Column weights for bm25(): quote, sentence, paragraph, headline, speaker name and role.
WEIGHTS = (4.0, 2.0, 1.0, 1.5, 1.0)
COMMON = 20_000  # a word in more records than this picks no lexical candidates (``_distinctive``)
# BM25 scores every record holding any of the words (~2 µs a record): the rarest words are kept
# while the records they match stay within ROWS, so a search costs the same at any store size
# (a 10-word question matched 31k of 236k records: 58 ms; the rarest six, 7.5k: ~15 ms).
ROWS = 10_000
TERM_COUNTS = 100_000  # words whose record counts a thread keeps (``_term_counts``)
_COLUMNS = (
    "rowid, quote, sentence, context, title, who, id, doc_id, speaker, publisher, ym, attributed"
)
_MARKS = ",".join("?" * len(_COLUMNS.split(",")))
_FILTERED = ("speaker", "publisher", "ym", "attributed")  # also in the ``ids`` table
# Copies of one answer (the same quote of the same speaker: another edition, a wire story run by
# every outlet) would fill a question's candidates with one answer many times over: its
# searches (``Filter.one_copy``) keep the first copy written that the filter admits, so "in the
# Guardian" still finds the Guardian's. Copies share the searched text and the span's length
# (two short quotes of one sentence share their searched text, the sentence, and stay apart),
# and their speakers' names end alike (each article names its speaker as fully as it can:
# "Dorothy Shea" here, "Shea" there).


def copy_key(text_hash: str, speaker: str | None, record_id: str) -> str:
    """What the copies of one quote share (``ids.copy_key``)."""
    return f"{text_hash}:{speaker_key(speaker)}:{_span_len(record_id)}"


def speaker_key(name: str | None) -> str:
    """What copies of a quote share of their speakers' names: the last word, folded."""
    found = _WORD.findall(name or "")
    return found[-1].casefold() if found else ""


def _span_len(record_id: str) -> int:
    """A record id is "<doc id>:<start>:<end>" (``records.quote_record``)."""
    _, start, end = record_id.rsplit(":", 2)
    return int(end) - int(start)


def _filling(
    column: str, select: str, value: Callable[..., str]
) -> Callable[[sqlite3.Connection], None]:
    """An ``_upgrade`` fill: add a text ``column`` to ``ids`` and set it from the rows of
    ``select`` (the ``ids`` row number first, then ``value``'s arguments), 10,000 at a time."""

    def fill(db: sqlite3.Connection) -> None:
        db.execute(f"ALTER TABLE ids ADD COLUMN {column} TEXT")
        rows = db.execute(select)
        while batch := rows.fetchmany(10_000):
            db.executemany(
                f"UPDATE ids SET {column} = ? WHERE n = ?", [(value(*r[1:]), r[0]) for r in batch]
            )

    return fill


def _mark_firsts(db: sqlite3.Connection, keys: Sequence[str]) -> None:
    """Mark ``first`` the first written record of each speaker's and month's copies of these
    copy keys (after an insert, or a delete that took such a first): an indexed lookup a key."""
    db.execute(
        "UPDATE ids SET first = 1 WHERE first = 0 AND n IN (SELECT min(n) FROM ids "
        "WHERE copy_key IN (SELECT value FROM json_each(?)) GROUP BY copy_key, speaker, ym)",
        [json.dumps(sorted(set(keys)))],
    )


def _by_firsts(flt: Filter) -> bool:
    """One copy of each quote, within a filter of speakers, months and attribution only: such a
    filter keeps or drops a speaker's copies of a month together, so the first copy it admits
    is among the ``first`` ones (``_mark_firsts``) and no other copy need be read. Publisher
    and article filters take the first admitted copy from all of them."""
    return flt.one_copy and flt.doc_ids is None and flt.publishers is None


def _first_copy(a: str) -> str:
    return f"row_number() OVER (PARTITION BY coalesce({a}.copy_key, {a}.id) ORDER BY {a}.n)"


COPIES = 16  # a question's lexical search seeks one copy of k quotes among COPIES × k matches
KEY_CHUNKS = (100, 1000)  # ``nearest_records`` maps the nearest texts to records in these steps


def text_key(document: str) -> str:
    """The id of a searched text: records holding byte-identical texts share it (and one vector
    in the store's ``texts`` collection, store/index/chroma.py)."""
    return hashlib.sha256(document.encode("utf-8")).hexdigest()[:16]


@dataclass
class Filter:
    """What a question may cite: speakers (record names), articles, publishers, a month range."""

    speakers: list[str] | None = None
    exclude_speakers: list[str] = field(default_factory=list)
    doc_ids: list[str] | None = None
    publishers: list[str] | None = None
    months: tuple[int, int] | None = None  # inclusive yyyymm range
    attributed: bool = True
    # Of the copies of one quote (``copy_key``), only the first written the rest admits: the
    # candidates of a question, beside an embedded store (a Chroma server's give them all).
    one_copy: bool = False

    def where(self, attributed: bool = False) -> dict[str, Any] | None:
        """The same filter as a Chroma ``where`` clause.

        ``attributed`` is left out unless asked for: most records are attributed, and a
        filter that keeps most records makes Chroma's HNSW query scan its metadata (slow, and
        growing with the store); callers drop unattributed records from what comes back.
        """
        parts: list[dict[str, Any]] = []
        if self.attributed and attributed:
            parts.append({"attributed": True})
        if self.speakers is not None:
            parts.append({"speaker": {"$in": list(self.speakers) or [""]}})
        if self.exclude_speakers:
            parts.append({"speaker": {"$nin": list(self.exclude_speakers)}})
        if self.doc_ids is not None:
            parts.append({"doc_id": {"$in": list(self.doc_ids) or [""]}})
        if self.publishers is not None:
            parts.append({"publisher": {"$in": list(self.publishers) or [""]}})
        if self.months:
            parts += [{"published_ym": {"$gte": self.months[0]}}]
            parts += [{"published_ym": {"$lte": self.months[1]}}]
        if not parts:
            return None
        return parts[0] if len(parts) == 1 else {"$and": parts}

    def admits(self, meta: Any) -> bool:
        """Whether a record's metadata passes the filter (``where`` without ``attributed``)."""
        if self.speakers is not None and meta.get("speaker") not in self.speakers:
            return False
        if self.exclude_speakers and meta.get("speaker") in self.exclude_speakers:
            return False
        if self.doc_ids is not None and meta.get("doc_id") not in self.doc_ids:
            return False
        if self.publishers is not None and meta.get("publisher") not in self.publishers:
            return False
        if self.months:
            month = int(meta.get("published_ym", 0) or 0)
            return self.months[0] <= month <= self.months[1]
        return True


class Lexicon(Protocol):
    def add(self, records: Sequence[Record]) -> None: ...
    def remove(self, doc_ids: Sequence[str]) -> None: ...
    def clear(self) -> None: ...
    def search(self, words: list[str], k: int, flt: Filter) -> list[tuple[str, float]]: ...
    def phrase(self, text: str, k: int, flt: Filter) -> list[str]: ...
    def count(self) -> int: ...


def _terms(words: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(w.lower() for w in words if _WORD.fullmatch(w)))


class FtsLexicon:
    """SQLite FTS5 (standard library) beside an embedded Chroma store."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._local = threading.local()
        with self._db() as db:
            db.execute(
                "CREATE VIRTUAL TABLE IF NOT EXISTS quotes USING fts5("
                "quote, sentence, context, title, who, id UNINDEXED, doc_id UNINDEXED, "
                "speaker UNINDEXED, publisher UNINDEXED, ym UNINDEXED, attributed UNINDEXED, "
                "tokenize = 'porter unicode61 remove_diacritics 2')"
            )
            # FTS5 cannot index its UNINDEXED columns, so deleting by id or doc_id there is a
            # scan of every row; this table maps ids and doc ids to FTS rowids, indexed. It also
            # holds the filtered columns: a search filters each match here, by rowid, instead
            # of reading the match's whole FTS row (2.3x faster at 236k records, same results).
            db.execute(
                "CREATE TABLE IF NOT EXISTS ids (n INTEGER PRIMARY KEY, "
                "id TEXT NOT NULL UNIQUE, doc_id TEXT NOT NULL, "
                "speaker TEXT, publisher TEXT, ym INTEGER, attributed INTEGER, text_key TEXT, "
                "copy_key TEXT, first INTEGER NOT NULL DEFAULT 0, record TEXT)"
            )
            db.execute("CREATE INDEX IF NOT EXISTS ids_doc ON ids (doc_id)")
        self._add_filter_columns()
        self._add_text_keys()
        self._add_copy_keys()
        self._add_firsts()
        self._upgrade("record", lambda db: db.execute("ALTER TABLE ids ADD COLUMN record TEXT"))
        with self._db() as db:  # ``matching``: a speaker's or a month's ids without a scan
            db.execute("CREATE INDEX IF NOT EXISTS ids_speaker ON ids (speaker)")
            db.execute("CREATE INDEX IF NOT EXISTS ids_ym ON ids (ym)")
            db.execute("CREATE INDEX IF NOT EXISTS ids_text ON ids (text_key)")
            db.execute("CREATE INDEX IF NOT EXISTS ids_copy ON ids (copy_key)")
            # A question's candidates: the first copy of each quote holding a searched text.
            db.execute("CREATE INDEX IF NOT EXISTS ids_first ON ids (text_key) WHERE first = 1")
            db.execute(
                "CREATE INDEX IF NOT EXISTS ids_speaker_first ON ids (speaker) WHERE first = 1"
            )
            # Rows written before ``ids`` held whole records (``QuoteIndex`` fills them once).
            db.execute("CREATE INDEX IF NOT EXISTS ids_unread ON ids (n) WHERE record IS NULL")

    def _add_filter_columns(self) -> None:
        """A file written before ``ids`` held the filtered columns gets them, once (~1 s at
        236k records)."""

        def fill(db: sqlite3.Connection) -> None:
            for column in _FILTERED:
                kind = "INTEGER" if column in ("ym", "attributed") else "TEXT"
                db.execute(f"ALTER TABLE ids ADD COLUMN {column} {kind}")
            db.execute(
                "UPDATE ids SET speaker = q.speaker, publisher = q.publisher, ym = q.ym, "
                "attributed = q.attributed FROM (SELECT rowid AS r, speaker, publisher, ym, "
                "attributed FROM quotes) AS q WHERE q.r = ids.n"
            )

        self._upgrade("attributed", fill)

    def _add_text_keys(self) -> None:
        """A file written before ``ids`` held each record's ``text_key`` gets it, once (the
        searched text is the sentence column, or the quote when that is empty)."""
        select = "SELECT rowid, quote, sentence FROM quotes"
        self._upgrade(
            "text_key",
            _filling("text_key", select, lambda quote, sentence: text_key(sentence or quote)),
        )

    def _add_copy_keys(self) -> None:
        """A file written before ``ids`` held each record's ``copy_key`` gets it, once."""
        select = "SELECT n, text_key, speaker, id FROM ids"
        self._upgrade("copy_key", _filling("copy_key", select, copy_key))

    def _add_firsts(self) -> None:
        """A file written before ``ids`` marked the first copies (``_mark_firsts``) gets the
        marks, once."""

        def fill(db: sqlite3.Connection) -> None:
            db.execute("ALTER TABLE ids ADD COLUMN first INTEGER NOT NULL DEFAULT 0")
            db.execute(
                "UPDATE ids SET first = 1 WHERE n IN "
                "(SELECT min(n) FROM ids GROUP BY coalesce(copy_key, id), speaker, ym)"
            )

        self._upgrade("first", fill)

    def _upgrade(self, column: str, fill: Callable[[sqlite3.Connection], None]) -> None:
        """Run ``fill`` if ``ids`` lacks ``column``; two processes opening the file at once do
        it once (an immediate transaction, the column checked again inside it)."""
        db = self._db()

        def missing() -> bool:
            return column not in {r[1] for r in db.execute("PRAGMA table_info(ids)")}

        if not missing():
            return
        db.execute("BEGIN IMMEDIATE")
        try:
            if missing():
                fill(db)
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise

    def _db(self) -> sqlite3.Connection:
        """One connection per thread (the server answers on a thread pool)."""
        db = getattr(self._local, "db", None)
        if db is None:
            db = sqlite3.connect(self.path, timeout=30, isolation_level=None)
            db.execute("PRAGMA journal_mode=WAL")
            self._local.db = db
        return db

    def add(self, records: Sequence[Record]) -> None:
        """Insert records, replacing any with the same id (indexed lookups, no scan)."""
        rows = list({r.id: _row(r) for r in records}.values())
        with self._transaction() as db:
            self._delete(db, "id", [r[5] for r in rows])
            numbered = []
            for r in rows:
                n = db.execute(
                    "INSERT INTO ids (id, doc_id, speaker, publisher, ym, attributed, text_key, "
                    "copy_key, record) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    r[5:14],
                ).lastrowid
                numbered.append((n, *r))
            db.executemany(
                f"INSERT INTO quotes ({_COLUMNS}) VALUES ({_MARKS})", [r[:-3] for r in numbered]
            )
            _mark_firsts(db, [r[12] for r in rows])

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        """One transaction on this thread's connection: committed, or rolled back on any error."""
        db = self._db()
        db.execute("BEGIN")
        try:
            yield db
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise

    def _delete(self, db: sqlite3.Connection, column: str, values: Sequence[str]) -> None:
        """Delete the rows whose ``id`` or ``doc_id`` is one of the values, by FTS rowid."""
        for i in range(0, len(values), 500):
            chunk = list(values[i : i + 500])
            marks = ",".join("?" * len(chunk))
            found = db.execute(
                f"SELECT n, copy_key FROM ids WHERE {column} IN ({marks})", chunk
            ).fetchall()
            db.executemany("DELETE FROM quotes WHERE rowid = ?", [(n,) for n, _ in found])
            db.executemany("DELETE FROM ids WHERE n = ?", [(n,) for n, _ in found])
            _mark_firsts(db, [key for _, key in found if key])

    def remove(self, doc_ids: Sequence[str]) -> None:
        with self._transaction() as db:
            self._delete(db, "doc_id", doc_ids)

    def clear(self) -> None:
        self._db().execute("DELETE FROM quotes")
        self._db().execute("DELETE FROM ids")

    def count(self) -> int:
        """Rows in the id table (a file older than it counts 0, so QuoteIndex rebuilds it)."""
        return int(self._db().execute("SELECT count(*) FROM ids").fetchone()[0])

    def matching(
        self, flt: Filter, limit: int = -1, among: Sequence[str] | None = None
    ) -> list[str]:
        """Ids of records the filter keeps, in the order written, from the indexed ``ids``
        table (a speaker's 5,000 at 236k records: ~3 ms; Chroma's ``get(where=…)``: 100 ms):
        at most ``limit``, or only those of ``among`` (looked up by id, so a broad filter
        never reads its whole match)."""
        sql, args = _sql_filter(flt)
        if among is not None:
            sql = f" AND i.id IN (SELECT value FROM json_each(?)){sql}"
            args = [json.dumps(list(among)), *args]
        query = f"SELECT i.id FROM ids i WHERE 1{sql} ORDER BY i.n LIMIT ?"
        return [str(r[0]) for r in self._db().execute(query, [*args, limit]).fetchall()]

    def stored(self, ids: Sequence[str]) -> dict[str, tuple[dict[str, Any], str, str]]:
        """These records as written (metadata, searched text, text key), by id: what a
        question reads of its candidates, from this file rather than from Chroma, whose first
        read of a collection loads its whole HNSW index (7.6 s and 4.8 GB at 2.4M records).
        Rows written before the file held records are left out (``unread``)."""
        query = (
            "SELECT i.id, i.record, i.text_key, q.quote, q.sentence, q.context, q.title "
            "FROM json_each(?) j JOIN ids i ON i.id = j.value JOIN quotes q ON q.rowid = i.n "
            "WHERE i.record IS NOT NULL"
        )
        out = {}
        rows = self._db().execute(query, [json.dumps(list(ids))])
        for i, record, key, quote, sentence, context, title in rows:
            meta, held = json.loads(record)
            fts = {"quote": quote, "context": context, "title": title}
            meta.update((k, fts[k]) for k in held)
            out[str(i)] = (meta, sentence or quote, str(key or ""))
        return out

    def unread(self, limit: int) -> list[str]:
        """Ids of up to ``limit`` rows written before the file held whole records."""
        query = "SELECT id FROM ids INDEXED BY ids_unread WHERE record IS NULL LIMIT ?"
        return [str(r[0]) for r in self._db().execute(query, [limit])]

    def fill_records(self, records: Sequence[Record]) -> None:
        """Store these records in rows written before the file held them."""
        with self._transaction() as db:
            db.executemany(
                "UPDATE ids SET record = ? WHERE id = ?", [(_record_json(r), r.id) for r in records]
            )

    def first_copies(self, ids: Sequence[str]) -> list[str]:
        """Of these records the first one written of each set of copies (``copy_key``)."""
        query = (
            f"SELECT id FROM (SELECT i.id, i.n, {_first_copy('i')} AS copy FROM json_each(?) j "
            "JOIN ids i ON i.id = j.value) WHERE copy = 1 ORDER BY n"
        )
        return [str(r[0]) for r in self._db().execute(query, [json.dumps(list(ids))])]

    def copies(self, ids: Sequence[str], limit: int) -> list[str]:
        """Copies of these records in other articles (``copy_key``), in the order written."""
        query = (
            "SELECT DISTINCT c.id, c.n FROM json_each(?) j JOIN ids i ON i.id = j.value "
            "JOIN ids c ON c.copy_key = i.copy_key AND c.doc_id != i.doc_id "
            "ORDER BY c.n LIMIT ?"
        )
        rows = self._db().execute(query, [json.dumps(list(ids)), limit])
        return [str(i) for i, _ in rows]

    def keys_of(self, ids: Sequence[str]) -> dict[str, str]:
        """The text key of each of these records, by id."""
        query = "SELECT i.id, i.text_key FROM json_each(?) j JOIN ids i ON i.id = j.value"
        return {str(i): str(k) for i, k in self._db().execute(query, [json.dumps(list(ids))]) if k}

    def text_keys(self, doc_ids: Sequence[str]) -> set[str]:
        """The text keys of these articles' records."""
        args = json.dumps(list(doc_ids))
        query = "SELECT DISTINCT text_key FROM ids WHERE doc_id IN (SELECT value FROM json_each(?))"
        return {str(r[0]) for r in self._db().execute(query, [args]) if r[0]}

    def unused(self, keys: Iterable[str]) -> list[str]:
        """Those of the text keys that no record holds any more."""
        keys = sorted(set(keys))
        query = (
            "SELECT DISTINCT text_key FROM ids WHERE text_key IN (SELECT value FROM json_each(?))"
        )
        held = {str(r[0]) for r in self._db().execute(query, [json.dumps(keys)])}
        return [k for k in keys if k not in held]

    def nearest_records(
        self, keys: Sequence[str], flt: Filter, limit: int
    ) -> list[tuple[str, int]]:
        """Up to ``limit`` records the filter keeps whose text is one of ``keys`` (nearest text
        first), as (id, index of its key): the copies of one text in the order written, or
        only the first of each quote (``Filter.one_copy``). The keys are taken in growing
        steps, so the copies of texts beyond the limit are not read."""
        sql, args = _sql_filter(flt)
        firsts = _by_firsts(flt)
        if firsts:  # a few rows a quote (its speaker's name forms, its months): deduped here
            query = (
                "SELECT i.id, k.key, i.copy_key FROM json_each(?) k JOIN ids i INDEXED BY "
                f"ids_first ON i.text_key = k.value WHERE 1{sql} ORDER BY k.key, i.n LIMIT ?"
            )
        else:
            copy = _first_copy("i") if flt.one_copy else "1"
            query = (
                f"SELECT id, key, NULL FROM (SELECT i.id, k.key, i.n, {copy} AS copy "
                "FROM json_each(?) k JOIN ids i ON i.text_key = k.value "
                f"WHERE 1{sql}) WHERE copy = 1 ORDER BY key, n LIMIT ?"
            )
        out: list[tuple[str, int]] = []
        seen: set[str] = set()
        start = 0
        for size in (*KEY_CHUNKS, len(keys)):
            if start >= len(keys) or len(out) >= limit:
                break
            chunk = list(keys[start : start + size])
            wanted = COPIES * (limit - len(out)) if firsts else limit - len(out)
            for i, k, copy in self._db().execute(query, [json.dumps(chunk), *args, wanted]):
                if copy is None or copy not in seen:  # a key's copies come in the order written
                    seen.add(copy)
                    out.append((str(i), start + int(k)))
            start += len(chunk)
        return out[:limit]

    def _run(self, match: str, k: int, flt: Filter) -> list[tuple[str, float]]:
        sql, args = _sql_filter(flt)
        weights = ", ".join(str(w) for w in WEIGHTS)
        query = (
            f"SELECT i.id, i.copy_key, bm25(quotes, {weights}) AS s FROM quotes JOIN ids i "
            f"ON i.n = quotes.rowid WHERE quotes MATCH ?{sql} ORDER BY s, i.n LIMIT ?"
        )
        # One copy of each quote, its best-scoring (the first written among equals), read from
        # the COPIES × k best matches, or from all when those hold fewer than k quotes.
        try:
            among = COPIES * k if flt.one_copy else k
            rows = self._db().execute(query, [match, *args, among]).fetchall()
            if flt.one_copy and len(rows) == among and len({c for _, c, _ in rows}) < k:
                rows = self._db().execute(query, [match, *args, -1]).fetchall()
        except sqlite3.OperationalError:  # a query FTS5 cannot parse: nothing matches
            return []
        seen: set[str] = set()
        out = []
        for i, copy, score in rows:
            if flt.one_copy and (copy or i) in seen:
                continue
            seen.add(copy or i)
            out.append((str(i), -float(score)))
        return out[:k]

    def search(self, words: list[str], k: int, flt: Filter) -> list[tuple[str, float]]:
        """BM25 over every searched column; any of the distinctive words may match."""
        terms = self._distinctive(_terms(words))
        if not terms:
            return []
        return self._run(" OR ".join(f'"{t}"' for t in terms), k, flt)

    def _distinctive(self, terms: list[str]) -> list[str]:
        """The rarest words, while they are in at most COMMON records each (or 2% of them, in a
        larger store) and ROWS together; at least the rarest one. BM25 scores every record that
        holds any word, so "Trump" in 94k of 236k records made a query cost 100 ms for a word
        that hardly changes the ranking (and dense search finds by meaning anyway); counting a
        word's records is ~0.4 ms."""
        if len(terms) < 2:
            return terms
        db = self._db()
        size = int(db.execute("SELECT coalesce(max(n), 0) FROM ids").fetchone()[0])
        limit = max(COMMON, size // 50)
        known = self._term_counts(db)
        counts = {}
        for t in terms:
            if t not in known:
                try:
                    known[t] = int(
                        db.execute(
                            "SELECT count(*) FROM quotes WHERE quotes MATCH ?", [f'"{t}"']
                        ).fetchone()[0]
                    )
                except sqlite3.OperationalError:
                    known[t] = 0
            counts[t] = known[t]
        kept, rows = [], 0
        for t in sorted(terms, key=lambda t: (counts[t], t)):  # the rarest first
            if counts[t] > limit or (kept and rows + counts[t] > ROWS):
                break
            kept.append(t)
            rows += counts[t]
        return [t for t in terms if t in kept] or [min(terms, key=lambda t: counts[t])]

    def _term_counts(self, db: sqlite3.Connection) -> dict[str, int]:
        """This thread's counts of records per word, kept until the file changes (a write by
        this connection or, ``data_version``, any other): a common word costs its count once,
        not per question (40 ms for three of them at 2.4M records)."""
        version = (db.execute("PRAGMA data_version").fetchone()[0], db.total_changes)
        cached = getattr(self._local, "counts", None)
        if cached is None or cached[0] != version or len(cached[1]) > TERM_COUNTS:
            cached = (version, {})
            self._local.counts = cached
        return cached[1]

    def phrase(self, text: str, k: int, flt: Filter) -> list[str]:
        """Records holding the words as a phrase (in the quote or its sentence)."""
        terms = [w.lower() for w in _WORD.findall(text)]
        if len(terms) < 2:
            return []
        phrase = '"' + " ".join(terms) + '"'
        return [i for i, _ in self._run(f"{{quote sentence}} : {phrase}", k, flt)]


def _row(r: Record) -> tuple[Any, ...]:
    m = r.metadata
    text = text_key(r.document)
    who = " ".join(str(m.get(f, "")) for f in ("speaker", "speaker_mention", "speaker_role"))
    return (
        m.get("quote", ""),
        r.document if r.document != m.get("quote") else "",
        m.get("context", ""),
        m.get("title", ""),
        who,
        r.id,
        m.get("doc_id", ""),
        m.get("speaker", ""),
        m.get("publisher", ""),
        int(m.get("published_ym", 0) or 0),
        1 if m.get("attributed") else 0,
        text,
        copy_key(text, str(m.get("speaker", "")), r.id),
        _record_json(r),
    )


# Fields of a record the FTS row holds already: the id table's copy leaves them out.
_IN_FTS = ("quote", "context", "title")


def _record_json(r: Record) -> str:
    """A record's metadata but what its FTS row holds (``_IN_FTS``, and the searched text:
    the sentence column, else the quote), with the names of the fields left out."""
    rest = {k: v for k, v in r.metadata.items() if k not in _IN_FTS}
    held = [k for k in _IN_FTS if k in r.metadata]
    return json.dumps([rest, held], ensure_ascii=False, separators=(",", ":"))


def _sql_filter(flt: Filter) -> tuple[str, list[Any]]:
    """The filter as SQL over the ``ids`` table (aliased ``i``)."""
    sql, args = [], []
    if flt.attributed:
        sql.append("i.attributed = 1")
    if _by_firsts(flt):  # one copy of each quote: the rest are read only to pick among these
        sql.append("i.first = 1")
    for column, values in (
        ("speaker", flt.speakers),
        ("doc_id", flt.doc_ids),
        ("publisher", flt.publishers),
    ):
        if values is not None:
            sql.append(f"i.{column} IN ({','.join('?' * len(values)) or 'NULL'})")
            args += list(values)
    if flt.exclude_speakers:
        sql.append(f"i.speaker NOT IN ({','.join('?' * len(flt.exclude_speakers))})")
        args += list(flt.exclude_speakers)
    if flt.months:
        sql.append("i.ym BETWEEN ? AND ?")
        args += list(flt.months)
    return ("".join(f" AND {s}" for s in sql), args)


class ChromaLexicon:
    """Lexical candidates from a Chroma server: records containing the words, nearest first.

    ``query_vector`` is set per question by the caller (the dense query), so what contains the
    words is ordered by meaning; Chroma's ``$contains`` is case-sensitive, so each word is asked
    as typed, lower-case and capitalised.
    """

    def __init__(self, collection: Any) -> None:
        self.quotes = collection
        self.query_vector: Any = None

    def add(self, records: Sequence[Record]) -> None:  # Chroma indexes documents itself
        return None

    def remove(self, doc_ids: Sequence[str]) -> None:
        return None

    def clear(self) -> None:
        return None

    def count(self) -> int:
        return int(self.quotes.count())

    def _contains(self, needles: list[str], k: int, flt: Filter) -> list[tuple[str, float]]:
        if not needles or self.query_vector is None:
            return []
        clauses = [{"$contains": n} for n in dict.fromkeys(needles)]
        doc = clauses[0] if len(clauses) == 1 else {"$or": clauses}
        found = self.quotes.query(
            query_embeddings=[self.query_vector],
            n_results=k,
            where=flt.where(),
            where_document=doc,
            include=["distances"],
        )
        return [
            (i, 1.0 - float(d)) for i, d in zip(found["ids"][0], found["distances"][0], strict=True)
        ]

    def search(self, words: list[str], k: int, flt: Filter) -> list[tuple[str, float]]:
        terms = [w for w in _terms(words) if len(w) > 3][:8]  # the distinctive words
        variants = [v for t in terms for v in (t, t.capitalize())]
        return self._contains(variants, k, flt)

    def phrase(self, text: str, k: int, flt: Filter) -> list[str]:
        text = " ".join(text.split())
        if len(text.split()) < 2:
            return []
        return [i for i, _ in self._contains([text, text.lower()], k, flt)]
