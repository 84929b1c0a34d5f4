"""Pieces of ``Bot.ingest``: its report, batching, and extraction (long articles in pieces).

The extraction functions take the extractor as an argument, so worker processes (``--workers``)
and Ray workers (``--ray``) run exactly the code a single process runs.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from store.read import Problem
from store.types import Article, Quote, Span

# spaCy needs about 1 GB per 100,000 characters; longer articles are extracted in pieces.
MAX_EXTRACT_CHARS = 100_000


@dataclass
class IngestReport:
    """What one ingest did; ``to_dict`` is the CLI/API contract."""

    documents: int = 0
    skipped: int = 0
    quotes: int = 0
    replaced: int = 0
    errors: list[dict[str, str]] = field(default_factory=list)
    warnings: list[dict[str, str]] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "documents": self.documents,
            "skipped": self.skipped,
            "quotes": self.quotes,
            "replaced": self.replaced,
            "errors": self.errors,
            "warnings": self.warnings,
        }


def batches(
    items: Iterable[Article | Problem], report: IngestReport, size: int
) -> Iterator[list[Article]]:
    """Articles in batches of ``size``; problems go to the report on the way."""
    batch: list[Article] = []
    for item in items:
        if isinstance(item, Problem):
            (report.warnings if item.warning else report.errors).append(item.to_dict())
            continue
        batch.append(item)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


@dataclass
class Extracted:
    """One batch's extraction: the articles that came through (indexes into the batch), their
    quotes, and an error entry for each article whose extraction failed."""

    ok: list[int]
    quotes: list[list[Quote]]
    errors: list[dict[str, str]]
    vectors: Any = None  # the records' vectors, when a worker process embedded them


def extract_texts(extractor: Any, texts: list[str], batch_size: int) -> list[list[Quote]]:
    """Quotes for each text; very long texts are cut at paragraph breaks and re-joined."""
    pieces: list[tuple[int, int, str]] = []  # (text index, offset, piece)
    for i, text in enumerate(texts):
        pieces += [(i, off, piece) for off, piece in split_long(text)]
    out: list[list[Quote]] = [[] for _ in texts]
    found = extractor.extract_many((p for _, _, p in pieces), batch_size)
    for (i, offset, _), quotes in zip(pieces, found, strict=True):
        out[i] += [shift(q, offset) for q in quotes] if offset else quotes
    return out


def extract_safely(extractor: Any, articles: list[Article], batch_size: int) -> Extracted:
    """Quotes per article; if the batch fails, one by one, naming the articles that fail."""
    try:
        quotes = extract_texts(extractor, [a.text for a in articles], batch_size)
        return Extracted(list(range(len(articles))), quotes, [])
    except Exception:  # noqa: BLE001 - retried per article below, where it is named
        pass
    done = Extracted([], [], [])
    for i, article in enumerate(articles):
        try:
            done.quotes.append(extract_texts(extractor, [article.text], batch_size)[0])
            done.ok.append(i)
        except Exception as e:  # noqa: BLE001 - an extractor bug must not stop the run
            reason = f"quote extraction failed ({type(e).__name__}: {e})"
            done.errors.append({"path": article.source_path, "error": reason})
    return done


def drop_replaced(index: Any, files: dict[str, set[str]]) -> int:
    """Remove articles a re-ingested file no longer holds (its earlier versions); ``files``
    maps each source file read in this run to the doc ids it holds now."""
    stored = index.doc_ids_for_files(sorted(files))
    stale = {d for f, ids in stored.items() for d in ids - files.get(f, set())}
    return int(index.remove(stale))


def split_long(text: str) -> Iterator[tuple[int, str]]:
    if len(text) <= MAX_EXTRACT_CHARS:
        yield 0, text
        return
    start = 0
    while start < len(text):
        end = min(len(text), start + MAX_EXTRACT_CHARS)
        if end < len(text):
            cut = text.rfind("\n", start + MAX_EXTRACT_CHARS // 2, end)
            end = cut + 1 if cut != -1 else end
        yield start, text[start:end]
        start = end


def shift(q: Quote, offset: int) -> Quote:
    def move(s: Span | None) -> Span | None:
        return None if s is None else Span(s.text, s.start + offset, s.end + offset)

    return replace(
        q,
        start=q.start + offset,
        end=q.end + offset,
        cue=move(q.cue),
        speaker_mention=move(q.speaker_mention),
        spans=[(a + offset, b + offset) for a, b in q.spans],
    )


def extract_dict(q: Quote) -> dict[str, Any]:
    def span(s: Any) -> dict[str, Any] | None:
        return None if s is None else {"text": s.text, "start": s.start, "end": s.end}

    out: dict[str, Any] = {"quote": q.quote, "start": q.start, "end": q.end}
    if q.spans:
        out["spans"] = [list(s) for s in q.spans]
    out.update(
        kind=q.kind,
        cue=span(q.cue),
        speaker_mention=span(q.speaker_mention),
        speaker=q.speaker,
        speaker_role=q.speaker_role,
    )
    return out


def disk_usage(root: Path) -> int:
    """Bytes under a store directory (``stats``)."""
    total = 0
    for dirpath, _, filenames in os.walk(root):
        for name in filenames:
            try:
                total += (Path(dirpath) / name).stat().st_size
            except OSError:  # a file Chroma just compacted away
                pass
    return total
