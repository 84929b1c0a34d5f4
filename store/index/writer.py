"""The background writer: embeds and stores batches while the next batch is parsed."""

from __future__ import annotations

import queue
import threading
from typing import Any

from store.errors import StoreError
from store.index.chroma import QuoteIndex
from store.types import Article, Quote


class IndexWriter:
    """Embeds and stores batches on a background thread, so parsing the next batch overlaps.

    ``put`` blocks when two batches are waiting (bounded memory); the first error on the
    thread is raised again in the caller, at the next ``put`` or on leaving the ``with``.
    """

    def __init__(self, index: QuoteIndex, report: Any, depth: int = 2) -> None:
        self.index = index
        self.report = report  # gets .documents and .quotes added as batches are stored
        self.seen: set[str] = set()
        self._queue: queue.Queue[tuple[list[Article], list[list[Quote]], Any] | None] = queue.Queue(
            maxsize=depth
        )
        self._error: BaseException | None = None
        self._failed = False
        self._thread = threading.Thread(target=self._run, name="quotebot-writer", daemon=True)

    def __enter__(self) -> IndexWriter:
        self._thread.start()
        return self

    def put(self, articles: list[Article], quotes: list[list[Quote]], vectors: Any = None) -> None:
        """Queue a batch; ``vectors`` (one row per quote record, in order) were embedded
        elsewhere (a worker process), else this thread embeds them."""
        self._raise()
        if articles:
            self._queue.put((articles, quotes, vectors))

    def __exit__(self, *exc: object) -> None:
        self._queue.put(None)
        self._thread.join()
        if exc[0] is None:
            self._raise()

    def _run(self) -> None:
        while (item := self._queue.get()) is not None:
            if self._failed:
                continue  # drain, so put() never blocks forever
            articles, quotes, vectors = item
            try:
                batch = list(zip(articles, quotes, strict=True))
                self.report.quotes += self.index.add(batch, vectors)
                self.report.documents += len(articles)
            except BaseException as e:  # noqa: BLE001 - handed to the caller's thread
                self._failed, self._error = True, e

    def _raise(self) -> None:
        if self._error is not None:
            error, self._error = self._error, None
            if isinstance(error, StoreError):
                raise error
            raise StoreError(f"Writing to the Chroma store failed: {error}") from error
