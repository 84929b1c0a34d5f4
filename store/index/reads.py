"""Reading quote records: dense search in Chroma (HNSW) with ``where`` filters, records by id
or by filter, articles. Nothing here reads the whole store on a question's path."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from store.errors import NotFoundError
from store.index.lexical import Filter
from store.index.records import hit_from, id_span
from store.types import Hit

PAGE = 1000
EXACT_UP_TO = 2000  # records a narrow filter may keep and still be searched exactly
OVERFETCH = 10  # a broad filter first looks among this many times the records it needs
# With the lexicon's id table (an embedded store): a filter keeping at most EXACT_IDS records is
# searched exactly over their vectors (read from Chroma, ~55 µs a record, then kept in memory:
# ~1 µs); a broader one among the WIDE nearest of all records, asked for ids and distances only
# (23-30 ms for 3,000; with metadata the same query takes 480 ms at 236k records), and Chroma's
# filtered HNSW only when that finds none. (Exact over a much-quoted speaker's 2,000 records
# takes 17 ms once their vectors are kept, but 160 ms the first time: more than WIDE's 60 ms.)
EXACT_IDS = 600
WIDE = 3000
NEAR = 4  # …first among the NEAR × n nearest texts (``_within``)
VECTORS_KEPT = 50_000  # vectors of exactly searched records kept in memory (~77 MB at most)
ARTICLE_QUOTES = 10_000  # an article's quote records, at most
HOLDERS = 500  # records of one article looked at for those holding a span
HOLD_SLACK = 2  # a holder may end this many characters before the span (its closing marks)


def _span(meta: dict[str, Any]) -> tuple[str, int, int]:
    return str(meta.get("doc_id", "")), int(meta.get("start", 0)), int(meta.get("end", 0))


def pages(
    collection: Any, include: list[str], where: dict[str, Any] | None = None, size: int = PAGE
) -> Iterator[Any]:
    """A collection's records, ``size`` at a time (Chroma caps what one ``get`` returns)."""
    offset = 0
    while True:
        page = collection.get(where=where, limit=size, offset=offset, include=include)
        yield page
        if len(page["ids"]) < size:
            return
        offset += size


@dataclass
class Stored:
    """A quote record as read back: id, metadata, searched text, vector (when asked for)."""

    id: str
    meta: dict[str, Any]
    document: str
    vector: np.ndarray | None = None
    dense: float | None = None  # cosine similarity to the question, when known


class QuoteReads:
    """The reading half of ``QuoteIndex`` (its collections are set by ``QuoteIndex``)."""

    quotes: Any
    articles: Any
    embedder: Any
    lexicon: Any
    texts: Any = None  # one vector per distinct searched text (an embedded store only)
    kept_vectors: dict[str, np.ndarray]  # by record id (``_vectors``)

    def search(self, text: str, k: int, where: dict[str, Any] | None = None) -> list[Hit]:
        """Dense search: the k quote records nearest the text, score = cosine similarity."""
        if self.quote_count() == 0:
            return []
        vector = self.embedder.encode([text])
        found = self.quotes.query(
            query_embeddings=vector, n_results=k, where=where, include=["metadatas", "distances"]
        )
        ids, metas, dists = found["ids"][0], found["metadatas"][0], found["distances"][0]
        return [
            hit_from(i, dict(m), 1.0 - float(d)) for i, m, d in zip(ids, metas, dists, strict=True)
        ]

    def iter_quotes(
        self, where: dict[str, Any] | None = None, include_documents: bool = True
    ) -> Iterator[tuple[str, dict[str, Any], str]]:
        """Every quote record as (id, metadata, searched text), page by page."""
        include = ["metadatas", "documents"] if include_documents else ["metadatas"]
        for page in pages(self.quotes, include, where):
            docs = page.get("documents") or [""] * len(page["ids"])
            for id_, meta, doc in zip(page["ids"], page["metadatas"], docs, strict=True):
                yield id_, dict(meta), doc or ""

    def get_article(self, doc_id: str) -> dict[str, Any]:
        """An article's text and metadata, and its quotes sorted by position."""
        got = self.articles.get(ids=[doc_id], include=["documents", "metadatas"])
        if not got["ids"]:
            raise NotFoundError(f"No article with id {doc_id!r} is indexed.")
        if hasattr(self.lexicon, "matching"):  # the id table: not the quote collection
            everything = Filter(doc_ids=[doc_id], attributed=False)
            found = ((s.id, s.meta) for s in self.filtered(everything, ARTICLE_QUOTES))
        else:
            found = ((i, m) for i, m, _ in self.iter_quotes({"doc_id": doc_id}, False))
        quotes = sorted((hit_from(i, m) for i, m in found), key=lambda h: h.start)
        return {
            "doc_id": doc_id,
            "text": got["documents"][0],
            **dict(got["metadatas"][0]),
            "quotes": quotes,
        }

    def list_articles(self) -> list[dict[str, Any]]:
        return [
            {"doc_id": i, **dict(m)}
            for page in pages(self.articles, ["metadatas"])
            for i, m in zip(page["ids"], page["metadatas"], strict=True)
        ]

    def counts(self) -> tuple[int, int]:
        return self.articles.count(), self.quote_count()

    def quote_count(self) -> int:
        """Quote records stored: beside an embedded store the lexicon's rows (which match
        Chroma's once the store is open), so the quote collection is not read (``fetch``)."""
        if self.texts is not None:
            return int(self.lexicon.count())
        return int(self.quotes.count())

    def dense(self, vector: np.ndarray, k: int, flt: Filter) -> list[Stored]:
        """The k records nearest a query vector (Chroma's HNSW), within the filter. Beside an
        embedded store the lexicon's id table says which records a filter keeps and which
        records hold the nearest texts (``_within``);
        on a server, a filter on speakers or articles that keeps few records is searched
        exactly (``_exact``) and a broad one among the nearest of all."""
        spare = k // 4 + 4 if flt.attributed else 0  # room for unattributed ones, dropped below
        where = flt.where()
        out = None
        if self.texts is not None:
            out = self._within(vector, k, flt)
            if out is None:  # none of the kept records is near: Chroma's filtered HNSW
                out = self._nearest(vector, k + spare, where)
        if (
            out is None
            and where is not None
            and (flt.speakers is not None or flt.doc_ids is not None)
        ):
            out = self._exact(vector, k + spare, where)
        if out is None and where is not None:
            out = self._nearest_then_filter(vector, k + spare, flt)
        if out is None:
            out = self._nearest(vector, k + spare, where)
        return [s for s in out if s.meta.get("attributed") or not flt.attributed][:k]

    def _nearest(
        self, vector: np.ndarray, n: int, where: dict[str, Any] | None = None
    ) -> list[Stored]:
        """Chroma's HNSW query: the n records nearest the vector (within ``where``)."""
        found = self.quotes.query(
            query_embeddings=[np.asarray(vector, dtype=np.float32).tolist()],
            n_results=n,
            where=where,
            include=["metadatas", "documents", "distances"],
        )
        rows = zip(
            found["ids"][0],
            found["metadatas"][0],
            found["documents"][0],
            found["distances"][0],
            strict=True,
        )
        return [Stored(i, dict(m), d or "", None, 1.0 - float(x)) for i, m, d, x in rows]

    def _exact(self, vector: np.ndarray, n: int, where: dict[str, Any]) -> list[Stored] | None:
        """The n records nearest the vector among those the filter keeps, by exact cosine, when
        it keeps at most EXACT_UP_TO (else None). HNSW with a narrow filter walks most of its
        graph to find n records that pass: 0.3–0.5 s for one speaker's 99 records at 236k
        records, against a read of their ids and vectors here."""
        ids = self.quotes.get(where=where, include=[], limit=EXACT_UP_TO + 1)["ids"]
        if len(ids) > EXACT_UP_TO:
            return None
        return self._exact_ids(vector, n, ids)

    def _exact_ids(self, vector: np.ndarray, n: int, ids: list[str]) -> list[Stored]:
        """The n records of ``ids`` nearest the vector, by exact cosine."""
        if not ids:
            return []
        ids, matrix = self._vectors(list(dict.fromkeys(ids)))
        sims = matrix @ np.asarray(vector, np.float32)
        # Nearest first; equal similarities (copies of one text) in id order, deterministic.
        order = np.lexsort((np.array(ids), -sims))[:n]
        best = self.fetch([ids[j] for j in order])
        score = {ids[j]: float(sims[j]) for j in order}
        for s in best:
            s.dense = score[s.id]
        return best

    def _vectors(self, ids: list[str]) -> tuple[list[str], np.ndarray]:
        """The stored vectors of these ids (unknown ones left out). A record's id names its
        article's text and span, so its vector never changes: the vectors of records searched
        exactly are kept (up to VECTORS_KEPT), and a much-quoted speaker's ~600 are not read
        again for every question about them (~35 ms from Chroma)."""
        kept = self.kept_vectors
        todo = [i for i in ids if i not in kept]
        if todo:
            if self.texts is not None and hasattr(self.lexicon, "keys_of"):  # see ``fetch``
                keys = self.lexicon.keys_of(todo)
                near = self._text_vectors(sorted(set(keys.values())))
                found = [i for i in todo if keys.get(i) in near]
                got = {"ids": found, "embeddings": [near[keys[i]] for i in found]}
            else:
                got = self.quotes.get(ids=todo, include=["embeddings"])
            if len(kept) + len(got["ids"]) > VECTORS_KEPT:
                kept.clear()
            for i, e in zip(got["ids"], got["embeddings"], strict=True):
                kept[i] = np.asarray(e, dtype=np.float32)
        found = [i for i in ids if i in kept]
        return found, np.array([kept[i] for i in found], dtype=np.float32).reshape(len(found), -1)

    def _within(self, vector: np.ndarray, n: int, flt: Filter) -> list[Stored] | None:
        """The n records nearest the vector among those the filter keeps (attributed ones only
        when it asks), as the lexicon's id table says: exact over at most EXACT_IDS, else the
        kept records holding the WIDE nearest distinct texts (the ``texts`` collection: one
        vector per text, however many records hold it); of the copies of one quote only the
        first written with ``Filter.one_copy``. Those are the exact nearest of the
        kept records as far as HNSW finds them, so fewer than n is a full answer; None (Chroma's
        filtered query decides) when there are none. Neither reads a broad filter's match."""
        ids = self.lexicon.matching(flt, limit=EXACT_IDS + 1)
        if len(ids) <= EXACT_IDS:
            kept = self.lexicon.first_copies(ids) if flt.one_copy else ids
            return self._exact_ids(vector, n, kept)
        # The kept records holding the nearest texts, nearest first (copies in the order
        # written): from the NEAR × n nearest texts, which hold n for most filters, else the
        # WIDE nearest (an HNSW query's cost grows with the results asked: 17 ms for 3,000
        # texts at 10k articles).
        for wanted in (min(NEAR * n, WIDE), WIDE):
            found = self.texts.query(
                query_embeddings=[np.asarray(vector, dtype=np.float32).tolist()],
                n_results=wanted,
                include=["distances"],
            )
            keys, distances = found["ids"][0], found["distances"][0]
            near = self.lexicon.nearest_records(keys, flt, n)
            if len(near) >= n or len(keys) < wanted or wanted == WIDE:
                break
        if not near:
            return None
        best = self.fetch([i for i, _ in near])
        rank = dict(near)
        for s in best:
            s.dense = 1.0 - float(distances[rank[s.id]])
        return best

    def _nearest_then_filter(self, vector: np.ndarray, n: int, flt: Filter) -> list[Stored] | None:
        """The n nearest records the filter keeps, from the OVERFETCH × n nearest of all (an
        unfiltered HNSW query) filtered here; None when fewer than n pass. A broad filter (a
        month, a much-quoted speaker) inside HNSW scans metadata: 0.5 s for one month at 236k
        records, against ~40 ms for this query."""
        kept = [s for s in self._nearest(vector, n * OVERFETCH) if flt.admits(s.meta)][:n]
        return kept if len(kept) == n else None

    def copies(self, ids: Sequence[str], limit: int = 50) -> list[Stored]:
        """Copies of these records in other articles (the same quote of the same speaker), in
        the order written. Searches beside an embedded store give one copy of each; a Chroma
        server's give them all, so there is nothing to add: []."""
        if not hasattr(self.lexicon, "copies") or not ids:
            return []
        return self.fetch(self.lexicon.copies(ids, limit))

    def fetch(self, ids: Sequence[str], vectors: bool = False) -> list[Stored]:
        """Records by id, in the order given (unknown ids are left out). Beside an embedded
        store they are read from the lexicon's file and their vectors from the texts
        collection, so answering never opens the quote collection, whose first read loads
        its whole HNSW index (``FtsLexicon.stored``); rows the file lacks come from Chroma."""
        if not ids:
            return []
        wanted = list(dict.fromkeys(ids))
        by_id: dict[str, Stored] = {}
        if self.texts is not None and hasattr(self.lexicon, "stored"):
            found = self.lexicon.stored(wanted)
            keys = {key for _, _, key in found.values()} if vectors else set()
            near = self._text_vectors(sorted(keys))
            for i, (meta, document, key) in found.items():
                by_id[i] = Stored(i, meta, document, near.get(key))
            if vectors:  # a text without its vector (never expected): the record's own
                by_id = {i: s for i, s in by_id.items() if s.vector is not None}
        todo = [i for i in wanted if i not in by_id]
        if todo:
            include = ["metadatas", "documents"] + (["embeddings"] if vectors else [])
            got = self.quotes.get(ids=todo, include=include)
            embs = got.get("embeddings")
            embs = [None] * len(got["ids"]) if embs is None or not vectors else list(embs)
            for i, m, d, e in zip(
                got["ids"], got["metadatas"], got["documents"], embs, strict=True
            ):
                by_id[i] = Stored(
                    i, dict(m), d or "", None if e is None else np.asarray(e, np.float32)
                )
        return [by_id[i] for i in wanted if i in by_id]

    def _text_vectors(self, keys: Sequence[str]) -> dict[str, np.ndarray]:
        """Vectors of searched texts by text key (the texts collection)."""
        if not keys:
            return {}
        got = self.texts.get(ids=list(keys), include=["embeddings"])
        return {
            k: np.asarray(e, np.float32) for k, e in zip(got["ids"], got["embeddings"], strict=True)
        }

    def holding(self, spans: Sequence[tuple[str, int, int]], flt: Filter) -> list[Stored]:
        """Records within the filter whose span holds one of these (doc_id, start, end) spans
        (a holder may end up to ``HOLD_SLACK`` characters before the span does). Beside an
        embedded store the ids say where each record lies, so only the holders are read (an
        article's 500 records with their paragraphs cost ~50 ms; its ids ~1 ms)."""
        docs = sorted({d for d, _, _ in spans})
        if not docs:
            return []
        within = replace(flt, doc_ids=docs)

        def holds(doc_id: str, start: int, end: int) -> bool:
            return any(d == doc_id and start <= s and e <= end + HOLD_SLACK for d, s, e in spans)

        if hasattr(self.lexicon, "matching"):
            ids = self.lexicon.matching(within, limit=HOLDERS * len(docs))
            return self.fetch([i for i in ids if (at := id_span(i)) and holds(*at)])
        found = self.filtered(within, HOLDERS * len(docs))
        return [s for s in found if holds(*_span(s.meta))]

    def filtered(self, flt: Filter, limit: int) -> list[Stored]:
        """Up to ``limit`` records matching the filter (no ranking: the order they were written
        in). Beside an embedded store the lexicon's id table picks them (an article's records:
        ~1 ms, where Chroma's ``get(where=…)`` scans metadata for ~100 ms at 236k records), one
        copy of each quote among them with ``Filter.one_copy``."""
        if hasattr(self.lexicon, "matching"):
            ids = self.lexicon.matching(flt, limit=limit)
            return self.fetch(self.lexicon.first_copies(ids) if flt.one_copy else ids)
        selective = flt.where()
        got = self.quotes.get(
            where=selective or flt.where(attributed=True),
            limit=limit,
            include=["metadatas", "documents"],
        )
        return [
            Stored(i, dict(m), d or "")
            for i, m, d in zip(got["ids"], got["metadatas"], got["documents"], strict=True)
            if m.get("attributed") or not flt.attributed
        ]
