"""Pieces of ``Bot.ingest``: its report, batching, and long articles extracted in pieces."""

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
