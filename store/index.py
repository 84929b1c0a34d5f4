"""Chroma as the one store: quote records, article records and a generation counter.

Everything a query needs lives in Chroma, so several quotebot processes pointed at one Chroma
server see the same data; side indexes (BM25, aliases) are rebuilt from it when the
generation counter moves.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlparse

import chromadb
from chromadb.config import Settings as ChromaSettings

from bot.errors import NotFoundError, StoreError
from bot.types import Article, Hit, Quote
from store.embed import MiniLMEmbedding

SCHEMA = "v1"
PAGE = 1000
CONTEXT_CHARS = 700


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


@dataclass
class Record:
    """One quote as stored: the text that is searched, and flat scalar metadata."""

    id: str
    document: str
    metadata: dict[str, Any]


def _paragraph(text: str, start: int, end: int) -> tuple[int, int]:
    """The paragraph around a span, trimmed to about CONTEXT_CHARS around it."""
    left = text.rfind("\n", 0, start) + 1
    right = text.find("\n", end)
    right = len(text) if right == -1 else right
    left = max(left, start - CONTEXT_CHARS // 2)
    right = min(right, end + CONTEXT_CHARS // 2)
    return left, right


def _sentence(text: str, start: int, end: int) -> str:
    """The sentence(s) holding a span: the words a short partial quote needs to be found."""
    left = max(text.rfind(". ", 0, start), text.rfind("\n", 0, start))
    right_candidates = [i for i in (text.find(". ", end), text.find("\n", end)) if i != -1]
    right = min(right_candidates) + 1 if right_candidates else len(text)
    return text[left + 1 : right].strip()


def quote_record(article: Article, quote: Quote) -> Record:
    """Flatten a quote for Chroma; the searched text is the quote, or its sentence if short."""
    words = len(quote.quote.split())
    searched = quote.quote if words >= 8 else _sentence(article.text, quote.start, quote.end)
    c_start, c_end = _paragraph(article.text, quote.start, quote.end)
    metadata = {
        "quote": quote.quote,
        "speaker": quote.speaker or "",
        "speaker_mention": quote.speaker_mention.text if quote.speaker_mention else "",
        "speaker_role": quote.speaker_role or "",
        "cue": quote.cue.text if quote.cue else "",
        "kind": quote.kind,
        "doc_id": article.doc_id,
        "title": article.title,
        "publisher": article.publisher,
        "published": article.published,
        "source_path": article.source_path,
        "start": quote.start,
        "end": quote.end,
        "context": article.text[c_start:c_end],
        "context_start": c_start,
    }
    return Record(f"{article.doc_id}:{quote.start}:{quote.end}", searched or quote.quote, metadata)


def hit_from(id_: str, metadata: dict[str, Any], score: float = 0.0) -> Hit:
    """A Hit from a stored record's metadata."""
    fields = {k: metadata.get(k, "") for k in Hit.__dataclass_fields__ if k not in {"id", "score"}}
    fields["start"], fields["end"] = int(metadata.get("start", 0)), int(metadata.get("end", 0))
    return Hit(id=id_, score=score, **fields)


class QuoteIndex:
    """Quote and article records in Chroma, written article by article (quotes first)."""

    def __init__(self, client: chromadb.ClientAPI, embedder: MiniLMEmbedding, prefix: str) -> None:
        self.client = client
        self.embedder = embedder
        cosine = {"hnsw": {"space": "cosine"}}
        try:
            self.quotes = client.get_or_create_collection(
                f"{prefix}_quotes_{SCHEMA}", embedding_function=embedder, configuration=cosine
            )
            self.articles = client.get_or_create_collection(
                f"{prefix}_articles_{SCHEMA}", embedding_function=embedder, configuration=cosine
            )
            self.meta = client.get_or_create_collection(
                f"{prefix}_meta_{SCHEMA}", embedding_function=embedder
            )
        except Exception as e:
            raise StoreError(f"Cannot open quotebot's collections in Chroma: {e}") from e

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

    def add(self, batch: Sequence[tuple[Article, list[Quote]]]) -> int:
        """Store articles with their quotes; an article record is only written after its quotes."""
        records = [quote_record(a, q) for a, quotes in batch for q in quotes]
        if records:
            vectors = self.embedder.encode([r.document for r in records])
            for i in range(0, len(records), PAGE):
                chunk = records[i : i + PAGE]
                self.quotes.upsert(
                    ids=[r.id for r in chunk],
                    documents=[r.document for r in chunk],
                    metadatas=[r.metadata for r in chunk],
                    embeddings=vectors[i : i + PAGE],
                )
        articles = [a for a, _ in batch]
        if articles:
            self.articles.upsert(
                ids=[a.doc_id for a in articles],
                documents=[a.text for a in articles],
                metadatas=[_article_metadata(a, len(q)) for a, q in batch],
                embeddings=self.embedder.encode([a.title or a.text[:200] for a in articles]),
            )
            self.bump()
        return len(records)

    def remove(self, doc_ids: Iterable[str]) -> int:
        """Delete articles and all their quotes; returns how many articles were removed."""
        ids = list(doc_ids)
        if not ids:
            return 0
        self.articles.delete(ids=ids)
        self.quotes.delete(where={"doc_id": {"$in": ids}})
        self.bump()
        return len(ids)

    def repair(self) -> int:
        """Drop quote records whose article record is missing (an ingest killed midway)."""
        quote_docs = {m["doc_id"] for _, m, _ in self.iter_quotes(include_documents=False)}
        orphans = quote_docs - self.has_articles(sorted(quote_docs))
        if orphans:
            self.quotes.delete(where={"doc_id": {"$in": sorted(orphans)}})
            self.bump()
        return len(orphans)

    # --- generation: lets other processes notice new data -------------------------------

    def generation(self) -> str:
        got = self.meta.get(ids=["generation"], include=["metadatas"])
        metas = got.get("metadatas") or []
        return str(metas[0].get("value", "0")) if metas and metas[0] else "0"

    def bump(self) -> None:
        self.meta.upsert(
            ids=["generation"],
            documents=["generation"],
            metadatas=[{"value": f"{time.time_ns()}"}],
            embeddings=[[0.0] * 383 + [1.0]],
        )

    # --- reading -------------------------------------------------------------------------

    def search(self, text: str, k: int, where: dict[str, Any] | None = None) -> list[Hit]:
        """Dense search: the k quote records nearest the text, score = cosine similarity."""
        if self.quotes.count() == 0:
            return []
        vector = self.embedder.encode([text])
        found = self.quotes.query(
            query_embeddings=vector, n_results=k, where=where, include=["metadatas", "distances"]
        )
        ids, metas, dists = found["ids"][0], found["metadatas"][0], found["distances"][0]
        return [hit_from(i, dict(m), 1.0 - float(d)) for i, m, d in zip(ids, metas, dists, strict=True)]

    def iter_quotes(
        self, where: dict[str, Any] | None = None, include_documents: bool = True
    ) -> Iterator[tuple[str, dict[str, Any], str]]:
        """Every quote record as (id, metadata, searched text), page by page."""
        include: list[Any] = ["metadatas", "documents"] if include_documents else ["metadatas"]
        offset = 0
        while True:
            page = self.quotes.get(where=where, limit=PAGE, offset=offset, include=include)
            docs = page.get("documents") or [""] * len(page["ids"])
            for id_, meta, doc in zip(page["ids"], page["metadatas"], docs, strict=True):
                yield id_, dict(meta), doc or ""
            if len(page["ids"]) < PAGE:
                return
            offset += PAGE

    def get_article(self, doc_id: str) -> dict[str, Any]:
        """An article's text and metadata, and its quotes sorted by position."""
        got = self.articles.get(ids=[doc_id], include=["documents", "metadatas"])
        if not got["ids"]:
            raise NotFoundError(f"No article with id {doc_id!r} is indexed.")
        quotes = sorted(
            (hit_from(i, m) for i, m, _ in self.iter_quotes({"doc_id": doc_id}, False)),
            key=lambda h: h.start,
        )
        return {
            "doc_id": doc_id,
            "text": got["documents"][0],
            **dict(got["metadatas"][0]),
            "quotes": quotes,
        }

    def list_articles(self) -> list[dict[str, Any]]:
        out, offset = [], 0
        while True:
            page = self.articles.get(limit=PAGE, offset=offset, include=["metadatas"])
            out += [{"doc_id": i, **dict(m)} for i, m in zip(page["ids"], page["metadatas"], strict=True)]
            if len(page["ids"]) < PAGE:
                return out
            offset += PAGE

    def counts(self) -> tuple[int, int]:
        return self.articles.count(), self.quotes.count()


def _article_metadata(article: Article, n_quotes: int) -> dict[str, Any]:
    return {
        "title": article.title,
        "publisher": article.publisher,
        "published": article.published,
        "source_path": article.source_path,
        "url": article.url,
        "quotes": n_quotes,
        "ingested_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
    }
