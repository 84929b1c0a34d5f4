"""Quote records as Chroma stores them: ids, the searched text, flat metadata, and back to Hits."""

from __future__ import annotations

import re
import time
from dataclasses import dataclass
from typing import Any

from store.speakers import fullest_names
from store.types import Article, Hit, Quote

CONTEXT_CHARS = 700
_JSONL_LINE = re.compile(r"^(.*\.(jsonl|ndjson)):\d+$", re.IGNORECASE)


def source_file(source_path: str) -> str:
    """The file an article came from: a JSONL line's path without its ``:line`` suffix."""
    m = _JSONL_LINE.match(source_path)
    return m.group(1) if m else source_path


@dataclass
class Record:
    """One quote as stored: the text that is searched, and flat scalar metadata."""

    id: str
    document: str
    metadata: dict[str, Any]


def paragraph(text: str, start: int, end: int, width: int = CONTEXT_CHARS) -> tuple[int, int]:
    """The paragraph around ``text[start:end]``, trimmed to about ``width`` chars around it."""
    left = text.rfind("\n", 0, start) + 1
    right = text.find("\n", end)
    right = len(text) if right == -1 else right
    left = max(left, start - width // 2)
    right = min(right, end + width // 2)
    return left, right


def _sentence(text: str, start: int, end: int) -> str:
    """The sentence(s) holding a span: the words a short partial quote needs to be found."""
    left = max(text.rfind(". ", 0, start), text.rfind("\n", 0, start))
    right_candidates = [i for i in (text.find(". ", end), text.find("\n", end)) if i != -1]
    right = min(right_candidates) + 1 if right_candidates else len(text)
    return text[left + 1 : right].strip()


def published_ym(published: str) -> int:
    """``2016-09-12…`` → 201609 (0 when undated), for month and year filters in Chroma."""
    m = re.match(r"(\d{4})-(\d{2})", published or "")
    return int(m.group(1)) * 100 + int(m.group(2)) if m else 0


def quote_record(article: Article, quote: Quote, speaker: str | None = None) -> Record:
    """Flatten a quote for Chroma; the searched text is the quote, or its sentence if short.

    ``speaker`` overrides the extractor's name (the article's fullest form of it).
    """
    words = len(quote.quote.split())
    sentence = _sentence(article.text, quote.start, quote.end)
    searched = quote.quote if words >= 8 else sentence
    c_start, c_end = paragraph(article.text, quote.start, quote.end)
    name = (quote.speaker or "") if speaker is None else speaker
    metadata = {
        "quote": quote.quote,
        "speaker": name,
        "attributed": bool(name),
        "speaker_mention": quote.speaker_mention.text if quote.speaker_mention else "",
        "speaker_role": quote.speaker_role or "",
        "speaker_kind": quote.speaker_kind if quote.speaker_kind != "unknown" else "",
        "cue": quote.cue.text if quote.cue else "",
        "kind": quote.kind,
        "doc_id": article.doc_id,
        "title": article.title,
        "publisher": article.publisher,
        "published": article.published,
        "source_path": article.source_path,
        "url": article.url,
        "start": quote.start,
        "end": quote.end,
        "published_ym": published_ym(article.published),
        "context": article.text[c_start:c_end],
        "context_start": c_start,
        "sentence": sentence,
    }
    id_ = record_id(article.doc_id, quote.start, quote.end)
    return Record(id_, searched or quote.quote, metadata)


def record_id(doc_id: str, start: int, end: int) -> str:
    return f"{doc_id}:{start}:{end}"


def id_span(record_id: str) -> tuple[str, int, int] | None:
    """``doc_id:start:end`` (``quote_record``'s ids) → its parts; None for any other id."""
    doc_id, _, span = record_id.partition(":")
    start, _, end = span.partition(":")
    return (doc_id, int(start), int(end)) if start.isdigit() and end.isdigit() else None


def article_records(article: Article, quotes: list[Quote]) -> list[Record]:
    """An article's quote records, each speaker under the fullest name the article gives them."""
    fullest = fullest_names([q.speaker for q in quotes if q.speaker])
    return [quote_record(article, q, fullest.get(q.speaker or "", q.speaker or "")) for q in quotes]


def hit_from(id_: str, metadata: dict[str, Any], score: float = 0.0) -> Hit:
    """A Hit from a stored record's metadata."""
    fields = {k: metadata.get(k, "") for k in Hit.__dataclass_fields__ if k not in {"id", "score"}}
    fields["start"], fields["end"] = int(metadata.get("start", 0)), int(metadata.get("end", 0))
    return Hit(id=id_, score=score, **fields)


def article_metadata(article: Article, n_quotes: int) -> dict[str, Any]:
    return {
        "title": article.title,
        "publisher": article.publisher,
        "published": article.published,
        "source_path": article.source_path,
        "source_file": source_file(article.source_path),
        "url": article.url,
        "quotes": n_quotes,
        "ingested_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
    }
