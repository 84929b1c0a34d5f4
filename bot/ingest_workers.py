"""Where ``Bot.ingest`` runs quote extraction: in its own process, or in N worker processes.

Both backends take batches in order and give their extractions back in the same order, so the
writer (Chroma, in the main process) stores exactly what a single process stores. Worker
processes also embed their batch's records (one torch thread each): where embedding costs more
than the parse (float32 CPUs), one embedding thread in the main process would otherwise be the
whole job's bottleneck.
"""

from __future__ import annotations

import multiprocessing
import os
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any, Protocol, TypeVar

from bot.ingest import Extracted, extract_safely
from store.index.records import article_records
from store.types import Article

T = TypeVar("T")


class BatchExtraction(Protocol):
    """Extract batches of articles; results come back in the order the batches went in.

    Each batch travels with a tag the caller keeps (what it needs once the batch is done).
    """

    def run(self, jobs: Iterable[tuple[T, list[Article]]]) -> Iterator[tuple[T, Extracted]]: ...

    def close(self) -> None: ...


class InProcess:
    """Extract in this process, one batch at a time (the default)."""

    def __init__(self, extractor: Callable[[], Any], batch_size: int) -> None:
        self._extractor = extractor
        self._batch_size = batch_size

    def run(self, jobs: Iterable[tuple[T, list[Article]]]) -> Iterator[tuple[T, Extracted]]:
        for tag, articles in jobs:
            yield tag, extract_safely(self._extractor(), articles, self._batch_size)

    def close(self) -> None:
        pass


class ProcessPool:
    """Extract in ``workers`` processes, each loading spaCy once; ``2 × workers`` batches are
    in flight, so memory stays bounded however long the input.

    A worker that dies (a crash in the parser, the OOM killer) costs a fresh pool: the batch is
    retried alone, then the batches in flight are sent again; a batch that kills a worker on
    its own is retried one article per task, and only the article that kills it is reported,
    as an error with its path.
    """

    def __init__(self, workers: int, batch_size: int, crash_on: str = "") -> None:
        self.workers = workers
        self.batch_size = batch_size
        self.crash_on = crash_on  # tests only: see ``_extract``
        self.depth = 2 * workers
        self._pool = self._start()

    def _start(self) -> ProcessPoolExecutor:
        # spawn, not fork: the main process may already run torch and Chroma threads.
        context = multiprocessing.get_context("spawn")
        return ProcessPoolExecutor(self.workers, mp_context=context, initializer=_load_extractor)

    def run(self, jobs: Iterable[tuple[T, list[Article]]]) -> Iterator[tuple[T, Extracted]]:
        pending: deque[tuple[T, list[Article], Future[Extracted] | None]] = deque()
        for tag, articles in jobs:
            pending.append((tag, articles, self._submit(articles)))
            while len(pending) > self.depth:
                yield self._result(pending)
        while pending:
            yield self._result(pending)

    def _submit(self, articles: list[Article]) -> Future[Extracted] | None:
        if not articles:
            return None
        return self._pool.submit(_extract, articles, self.batch_size, self.crash_on)

    def _result(
        self, pending: deque[tuple[T, list[Article], Future[Extracted] | None]]
    ) -> tuple[T, Extracted]:
        tag, articles, future = pending.popleft()
        if future is None:
            return tag, Extracted([], [], [])
        try:
            return tag, future.result()
        except BrokenProcessPool:
            pass
        # Some batch in flight killed a worker. This one is retried alone in a fresh pool, so
        # an innocent batch is never blamed; then the others are sent again.
        self._restart()
        try:
            done = self._alone(articles)
        except BrokenProcessPool:
            self._restart()
            done = self._one_by_one(articles)
        for i, (t, a, _) in enumerate(pending):
            pending[i] = (t, a, self._submit(a))
        return tag, done

    def _alone(self, articles: list[Article]) -> Extracted:
        return self._pool.submit(_extract, articles, self.batch_size, self.crash_on).result()

    def _one_by_one(self, articles: list[Article]) -> Extracted:
        """A batch that kills a worker on its own, one article at a time: only the article
        that kills it is reported."""
        done = Extracted([], [], [], [])
        for i, article in enumerate(articles):
            try:
                found = self._alone([article])
            except BrokenProcessPool:
                self._restart()
                reason = "quote extraction crashed its worker process (the article was skipped)"
                done.errors.append({"path": article.source_path, "error": reason})
                continue
            if found.ok:
                done.ok.append(i)
                done.quotes += found.quotes
                done.vectors.append(found.vectors)
            done.errors += found.errors
        done.vectors = _stack(done.vectors)
        return done

    def _restart(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)
        self._pool = self._start()

    def close(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)


def extraction(
    workers: int, extractor: Callable[[], Any], batch_size: int, crash_on: str = ""
) -> BatchExtraction:
    """The backend for ``workers`` (1: this process; ``extractor`` is only called there)."""
    if workers <= 1:
        return InProcess(extractor, batch_size)
    return ProcessPool(workers, batch_size, crash_on)


# --- in the worker processes ---------------------------------------------------------------

_EXTRACTOR: Any = None
_EMBEDDER: Any = None


def _load_extractor() -> None:
    """Once per worker process: spaCy, the extraction rules and the embedder (one thread: the
    workers share the cores)."""
    global _EXTRACTOR, _EMBEDDER
    import torch

    from store.embed import MiniLMEmbedding
    from store.extract.quotes import QuoteExtractor

    _EXTRACTOR = QuoteExtractor()
    _EMBEDDER = MiniLMEmbedding()
    _EMBEDDER.encode(["warm up"])  # loads the model, which sets its thread count
    torch.set_num_threads(1)


def _stack(parts: list[Any]) -> Any:
    import numpy as np

    return np.concatenate(parts) if parts else np.zeros((0, 384), dtype=np.float32)


def _extract(articles: list[Article], batch_size: int, crash_on: str) -> Extracted:
    """One batch in a worker. ``crash_on`` (tests only, ``QUOTEBOT_TEST_CRASH_ON``): a worker
    given an article holding that text dies as a segfault would, to show that ingest goes on."""
    if crash_on and any(crash_on in a.text for a in articles):
        os._exit(70)
    done = extract_safely(_EXTRACTOR, articles, batch_size)
    batch = [(articles[i], quotes) for i, quotes in zip(done.ok, done.quotes, strict=True)]
    texts = [r.document for a, quotes in batch for r in article_records(a, quotes)]
    done.vectors = _EMBEDDER.encode_unique(texts)
    return done
