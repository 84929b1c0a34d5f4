"""Chroma as the one store: quote records, article records, the speaker tables and a generation
counter.

Everything a query needs lives in Chroma (and, beside an embedded store, its SQLite FTS5 lexical
file), so several quotebot processes pointed at one Chroma server see the same data; nothing is
rebuilt when another process writes. Pending-write markers and the generation counter are in
``pending.py``.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import chromadb
import numpy as np
from chromadb.config import Settings as ChromaSettings

from store.embed import MiniLMEmbedding
from store.errors import QuoteBotError, StoreError
from store.index.lexical import ChromaLexicon, FtsLexicon, Lexicon, text_key
from store.index.names import NameTable
from store.index.pending import DUMMY_VECTOR, PendingWrites
from store.index.reads import QuoteReads, pages
from store.index.records import Record, article_metadata, article_records
from store.types import Article, Quote

# v2: speaker names per article, attributed/published_ym/sentence fields, names collection.
SCHEMA = "v2"
PAGE = 1000
# A pending write older than this is taken as abandoned even if its process cannot be checked
# (another machine): no single batch takes an hour.


def connect(store: str, chroma_url: str | None = None) -> chromadb.ClientAPI:
    """An embedded PersistentClient at ``store``, or an HttpClient for ``chroma_url``."""
    settings = ChromaSettings(anonymized_telemetry=False, allow_reset=False)
    try:
        if chroma_url:
            url = urlparse(chroma_url if "://" in chroma_url else f"http://{chroma_url}")
            return chromadb.HttpClient(
                host=url.hostname or "127.0.0.1",
                port=url.port or (443 if url.scheme == "https" else 8000),
                ssl=url.scheme == "https",
                settings=settings,
            )
        return chromadb.PersistentClient(path=str(store), settings=settings)
    except Exception as e:  # chromadb raises bare ValueError/ConnectionError variants
        where = chroma_url or store
        raise StoreError(
            f"Cannot open the Chroma store at {where}: {e}. "
            "Check the path is writable, or that `chroma run` is up at that URL."
        ) from e


class QuoteIndex(QuoteReads, PendingWrites):
    """Quote and article records in Chroma, written article by article (quotes first)."""

    def __init__(
        self,
        client: chromadb.ClientAPI,
        embedder: MiniLMEmbedding,
        prefix: str,
        lexical_path: Path | None = None,
        where: str = "",
    ) -> None:
        """``lexical_path``: the SQLite FTS5 file beside an embedded store; None on a server,
        where Chroma's own full-text filter does the lexical search (store/index/lexical.py)."""
        self.client = client
        self.embedder = embedder
        self.kept_vectors: dict[str, np.ndarray] = {}  # QuoteReads._vectors
        self.where = where or ("the embedded store" if lexical_path else "the Chroma server")
        # Any: chromadb's type hints are narrower than the values it accepts and returns
        # (optional result fields, TypedDict configs), and would need a cast per call.
        cosine: Any = {"hnsw": {"space": "cosine"}}
        ef: Any = embedder
        try:
            self.quotes: Any = client.get_or_create_collection(
                f"{prefix}_quotes_{SCHEMA}", embedding_function=ef, configuration=cosine
            )
            self.articles: Any = client.get_or_create_collection(
                f"{prefix}_articles_{SCHEMA}", embedding_function=ef, configuration=cosine
            )
            self.meta: Any = client.get_or_create_collection(
                f"{prefix}_meta_{SCHEMA}", embedding_function=ef
            )
            names: Any = client.get_or_create_collection(
                f"{prefix}_names_{SCHEMA}", embedding_function=ef
            )
            # Beside an embedded store: one vector per distinct searched text, which dense
            # search asks (``QuoteReads._within``). Records holding a byte-identical text (a
            # quote reprinted by many articles, a sentence holding two short quotes) would fill
            # each other's HNSW neighbour lists: at ~100 copies a text HNSW found a new text
            # among the 3,000 nearest half of the time (bench/hnsw_copies.py).
            self.texts: Any = (
                client.get_or_create_collection(
                    f"{prefix}_texts_{SCHEMA}", embedding_function=ef, configuration=cosine
                )
                if lexical_path
                else None
            )
        except Exception as e:
            raise StoreError(f"Cannot open quotebot's collections in Chroma: {e}") from e
        self.names = NameTable(names)
        self.lexicon: Lexicon = (
            FtsLexicon(lexical_path) if lexical_path else ChromaLexicon(self.quotes)
        )
        if lexical_path:
            self._check_lexicon()

    def _check_lexicon(self) -> None:
        """Bring the FTS file in line with Chroma when opening a store, without reading the
        quote collection unless something is off: Chroma's first read of a collection loads its
        whole HNSW index (7.6 s, 4.8 GB at 2.4M records), and answering never needs it.

        A writer writes its pending marker first and removes it last, so with no marker the
        file and Chroma agree, unless the file is empty (lost, or the store was written
        without it: Chroma is counted then, an empty store's collection costs nothing). A
        killed writer's half batch (quote records in Chroma, not yet in the FTS file) is undone
        by its marker, at the cost of its articles; a live writer's is left to finish. Only a
        file still off after that is refilled from every record, which is O(store): over 15
        minutes at 830k records."""
        held = self.lexicon.count()
        if (held == 0 or self.marked()) and held != self.quotes.count():
            self.repair()
            held = self.lexicon.count()
            if held != self.quotes.count() and not self.writing():
                self._rebuild_lexicon()
                held = self.lexicon.count()
        if held and self.texts.count() == 0:
            self._fill_texts()
        if not self.writing():
            self._fill_records()

    def _fill_records(self) -> None:
        """Copy whole records into FTS rows written before it held them, once (reads Chroma)."""
        while todo := self.lexicon.unread(PAGE):
            got = self.quotes.get(ids=todo, include=["metadatas", "documents"])
            self.lexicon.fill_records(
                [
                    Record(i, d or "", dict(m))
                    for i, m, d in zip(got["ids"], got["metadatas"], got["documents"], strict=True)
                ]
            )
            if len(got["ids"]) < len(todo):  # rows Chroma no longer has: left for a rebuild
                break

    @contextmanager
    def reaching(self) -> Iterator[None]:
        """Chroma outages as a StoreError naming the store (the API answers 503 with it); the
        next call simply tries again, so answers resume by themselves when Chroma is back."""
        try:
            yield
        except QuoteBotError:
            raise
        except Exception as e:
            if not _outage(e):
                raise
            raise StoreError(
                f"{self.where[:1].upper()}{self.where[1:]} is not answering "
                f"({type(e).__name__}: {e}). quotebot answers again as soon as it is back."
            ) from e

    def rebuild_names(self) -> None:
        """Refill the speaker table from every quote record (an admin repair, O(store))."""
        self.names.names.delete(where={"kind": {"$ne": "_"}})
        for page in pages(self.quotes, ["metadatas", "documents"]):
            self.names.add(
                [
                    Record(i, d or "", dict(m))
                    for i, m, d in zip(
                        page["ids"], page["metadatas"], page["documents"], strict=True
                    )
                ]
            )
        for page in pages(self.articles, ["metadatas"]):
            self.names.add(
                [],
                [{"doc_id": i, **m} for i, m in zip(page["ids"], page["metadatas"], strict=True)],
            )

    def _rebuild_lexicon(self) -> None:
        """Fill the FTS file from Chroma (a store older than it, or a lost file), page by page."""
        self.lexicon.clear()
        for page in pages(self.quotes, ["metadatas", "documents"]):
            self.lexicon.add(
                [
                    Record(i, d or "", dict(m))
                    for i, m, d in zip(
                        page["ids"], page["metadatas"], page["documents"], strict=True
                    )
                ]
            )

    def _fill_texts(self) -> None:
        """Fill the texts collection from the quote records' vectors (a store older than it),
        page by page; copies of a text are written once."""
        for page in pages(self.quotes, ["documents", "embeddings"]):
            self._add_texts(page["documents"], page["embeddings"])

    def _add_texts(self, documents: Sequence[str], vectors: Any) -> None:
        """The vectors of the texts not yet in the texts collection (one per distinct text)."""
        if self.texts is None or not len(documents):
            return
        first: dict[str, int] = {}
        for i, d in enumerate(documents):
            first.setdefault(text_key(d or ""), i)
        keys = list(first)
        for i in range(0, len(keys), PAGE):
            chunk = keys[i : i + PAGE]
            have = set(self.texts.get(ids=chunk, include=[])["ids"])
            new = [k for k in chunk if k not in have]
            if new:
                self.texts.add(
                    ids=new,
                    embeddings=[np.asarray(vectors[first[k]], dtype=np.float32) for k in new],
                )

    # --- writing -------------------------------------------------------------------------

    def has_articles(self, doc_ids: Sequence[str]) -> set[str]:
        """Which of these articles are fully stored (their article record is written last)."""
        if not doc_ids:
            return set()
        found = self.articles.get(ids=list(doc_ids), include=[])
        return set(found["ids"])

    def doc_ids_for_path(self, source_path: str) -> list[str]:
        found = self.articles.get(where={"source_path": source_path}, include=[])
        return list(found["ids"])

    def add(self, batch: Sequence[tuple[Article, list[Quote]]], vectors: Any = None) -> int:
        """Store articles with their quotes: all of an article's records, or (after repair) none.

        A pending marker names the batch first, quote records follow (Chroma, the lexical index,
        the speaker table), and the article records (what ``has_articles`` checks) come last;
        ``repair`` undoes a batch whose marker is left. ``vectors`` (one row per quote, in order)
        skips embedding: records embedded by a worker process, or a copy of records already
        embedded (bench/scale.py).
        """
        if not batch:
            return 0
        records = [r for a, quotes in batch for r in article_records(a, quotes)]
        if vectors is None:
            vectors = self.embedder.encode_unique([r.document for r in records])
        articles = [a for a, _ in batch]
        token = self._begin("add", [a.doc_id for a in articles])
        self._add_texts([r.document for r in records], vectors)  # first: a record's text is there
        for i in range(0, len(records), PAGE):
            chunk = records[i : i + PAGE]
            self.quotes.upsert(
                ids=[r.id for r in chunk],
                documents=[r.document for r in chunk],
                metadatas=[r.metadata for r in chunk],
                embeddings=vectors[i : i + PAGE],
            )
        self.lexicon.add(records)
        metas = [article_metadata(a, len(q)) for a, q in batch]
        self.names.add(
            records, [{"doc_id": a.doc_id, **m} for a, m in zip(articles, metas, strict=True)]
        )
        self.articles.upsert(
            ids=[a.doc_id for a in articles],
            documents=[a.text for a in articles],
            metadatas=metas,
            embeddings=[DUMMY_VECTOR] * len(articles),  # articles are fetched, never searched
        )
        self._finish(token)
        return len(records)

    def remove(self, doc_ids: Iterable[str]) -> int:
        """Delete articles and all their quotes; returns how many articles were removed."""
        ids = sorted(set(doc_ids))
        if not ids:
            return 0
        gone = [
            m
            for page in pages(self.quotes, ["metadatas"], {"doc_id": {"$in": ids}})
            for m in page["metadatas"]
        ]
        token = self._begin("remove", ids)
        fts = self.lexicon if isinstance(self.lexicon, FtsLexicon) else None
        keys = fts.text_keys(ids) if fts else set()  # the texts collection lives beside it
        self.articles.delete(ids=ids)  # first: from here on the article counts as gone
        self.quotes.delete(where={"doc_id": {"$in": ids}})
        self.lexicon.remove(ids)
        if unused := fts.unused(keys) if fts else []:
            self.texts.delete(ids=unused)
        self.names.remove(gone, ids)
        self._finish(token)
        return len(ids)

    def doc_ids_for_files(self, files: Sequence[str]) -> dict[str, set[str]]:
        """Stored articles per source file (a JSONL file holds many)."""
        out: dict[str, set[str]] = {}
        for i in range(0, len(files), 500):
            chunk = list(files[i : i + 500])
            found = self.articles.get(where={"source_file": {"$in": chunk}}, include=["metadatas"])
            for id_, meta in zip(found["ids"], found["metadatas"], strict=True):
                out.setdefault(str(meta.get("source_file", "")), set()).add(id_)
        return out


def _outage(e: BaseException) -> bool:
    """A store that cannot be reached (refused, reset, timed out, the server's 5xx)."""
    import httpx

    if isinstance(
        e, ConnectionError | TimeoutError | httpx.TransportError | sqlite3.OperationalError
    ):
        return True
    name = type(e).__name__
    return any(word in name for word in ("Connect", "Timeout", "Unavailable", "Network"))
