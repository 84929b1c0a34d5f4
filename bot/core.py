"""The facade: the only entry the CLI, the HTTP API and the UI use (``Bot.build(settings)``)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from functools import cached_property
from pathlib import Path
from typing import Any

from bot.browsing import Browsing
from bot.ingest import (
    IngestReport,
    batches,
    drop_replaced,
    extract_dict,
    extract_texts,
)
from bot.ingest_workers import extraction
from bot.settings import Settings
from bot.types import Answer
from store.errors import InputError, NotFoundError
from store.fetch import Fetcher, FetchPolicy, is_url, parse_networks
from store.index import SCHEMA, IndexWriter, QuoteIndex, connect, source_file
from store.read import Problem, read_raw
from store.sources import Reader
from store.types import Article, Quote


class Bot(Browsing):
    """Ingest, ask, browse (``Browsing``) and remove; heavy parts are built once, when first
    needed."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    @classmethod
    def build(cls, settings: Settings | None = None) -> Bot:
        return cls(settings or Settings())

    @cached_property
    def embedder(self) -> Any:
        from store.embed import MiniLMEmbedding

        return MiniLMEmbedding()

    @cached_property
    def index(self) -> QuoteIndex:
        if not self.settings.chroma_url:
            self.settings.store.mkdir(parents=True, exist_ok=True)
        url = self.settings.chroma_url
        client = connect(str(self.settings.store), url)
        lexical = None if url else self.settings.store / f"lexical_{SCHEMA}.sqlite3"
        where = f"the Chroma server at {url}" if url else f"the store in {self.settings.store}"
        return QuoteIndex(client, self.embedder, self.settings.collection_prefix, lexical, where)

    @cached_property
    def people(self) -> Any:
        from bot.chain.people import People

        return People(self.index)

    @cached_property
    def extractor(self) -> Any:
        from store.extract.quotes import QuoteExtractor

        return QuoteExtractor()

    @cached_property
    def chain(self) -> Any:
        from bot.chain.pipeline import build_chain

        return build_chain(self.index, self.settings, people=self.people)

    @cached_property
    def fetcher(self) -> Fetcher:
        s = self.settings
        networks = parse_networks(s.fetch_allow_networks)
        return Fetcher(
            FetchPolicy(s.fetch_timeout, max_bytes=s.fetch_max_bytes, allow_networks=networks)
        )

    # --- ingest --------------------------------------------------------------------------

    def read(
        self,
        sources: Iterable[str | Path],
        urls_only: bool = False,
        skipped: list[str] | None = None,
    ) -> Iterator[Article | Problem]:
        """Articles as ingest would store them (files, directories, URLs, feeds), problems
        interleaved. With ``skipped``, feed entries already stored are not fetched and are
        listed there; ``urls_only`` refuses anything but http(s) URLs (requests from afar)."""
        known = self._stored_sources if skipped is not None else None
        reader = Reader(self.fetcher, known, None if skipped is None else skipped.append)
        if not urls_only:
            return reader.read(sources)
        return (
            item
            for s in map(str, sources)
            for item in (reader.read_url(s) if is_url(s) else [Problem(s, "not a URL")])
        )

    def _stored_sources(self, sources: list[str]) -> set[str]:
        return set(self.index.doc_ids_for_files(sources))

    def ingest(
        self,
        paths: Iterable[str | Path],
        progress: Callable[[int], None] | None = None,
        workers: int | None = None,
    ) -> IngestReport:
        """Read, extract and index; a bad file is reported and the rest of the batch goes on.
        Paths may be URLs and feeds; a feed's entries already stored count as skipped."""
        skipped: list[str] = []
        report = self.ingest_items(self.read(paths, skipped=skipped), progress, workers)
        report.skipped += len(skipped)
        return report

    def ingest_items(
        self,
        items: Iterable[Article | Problem],
        progress: Callable[[int], None] | None = None,
        workers: int | None = None,
    ) -> IngestReport:
        """Index articles (problems are reported as they come): unchanged content is skipped,
        and a file's articles from an earlier version are removed once the new ones are in.

        spaCy parses batch n+1 while a writer thread embeds and stores batch n; with
        ``workers`` > 1 (default ``settings.workers``) that many processes parse, in order, and
        the records are the ones a single process writes.
        """
        report = IngestReport()
        self.index.repair()
        files: dict[str, set[str]] = {}  # source file → doc ids it holds now
        failed: set[str] = set()  # files whose new version could not be extracted
        s = self.settings
        n = s.workers if workers is None else workers
        extract = extraction(n, lambda: self.extractor, s.batch_size, s.test_crash_on)

        def jobs(writer: IndexWriter) -> Iterator[tuple[Any, list[Article]]]:
            """(batch size, new articles) as the tag, and the new articles to extract."""
            for batch in batches(items, report, s.batch_size):
                for a in batch:
                    files.setdefault(source_file(a.source_path), set()).add(a.doc_id)
                new = self._new_articles(batch, writer.seen, report)
                yield (len(batch), new), new

        try:
            with IndexWriter(self.index, report) as writer:
                for (size, new), done in extract.run(jobs(writer)):
                    report.errors += done.errors
                    ok = set(done.ok)
                    failed |= {source_file(a.source_path) for i, a in enumerate(new) if i not in ok}
                    writer.put([new[i] for i in done.ok], done.quotes, done.vectors)
                    if progress:
                        progress(size)
        finally:
            extract.close()
        # A file whose new version failed keeps its old records rather than losing them.
        report.replaced += self._drop_replaced({f: files[f] for f in files.keys() - failed})
        return report

    def ingest_ray(
        self,
        paths: Iterable[str | Path],
        address: str | None = None,
        progress: Callable[[int], None] | None = None,
        workers: int | None = None,
    ) -> IngestReport:
        """``ingest --ray``: the same ingest on Ray (local, or the cluster at ``address``),
        written to the Chroma server at ``settings.chroma_url`` by ``workers`` Ray workers."""
        from bot.ingest_ray import ingest_ray

        settings = self.settings
        if workers is not None:
            settings = settings.model_copy(update={"workers": workers})
        return ingest_ray(paths, settings, address, progress)

    def _new_articles(
        self, batch: list[Article], seen: set[str], report: IngestReport
    ) -> list[Article]:
        """Articles not stored yet and not already taken earlier in this run."""
        unique = [a for a in {a.doc_id: a for a in batch}.values() if a.doc_id not in seen]
        known = self.index.has_articles([a.doc_id for a in unique])
        new = [a for a in unique if a.doc_id not in known]
        seen.update(a.doc_id for a in new)
        report.skipped += len(batch) - len(new)
        return new

    def _drop_replaced(self, files: dict[str, set[str]]) -> int:
        """Remove articles a re-ingested file no longer holds (its earlier versions)."""
        return drop_replaced(self.index, files)

    def extract_articles(self, texts: list[str]) -> list[list[Quote]]:
        """Quotes for each text; very long texts are cut at paragraph breaks and re-joined."""
        return extract_texts(self.extractor, texts, self.settings.batch_size)

    def extract_file(self, path: str | Path) -> dict[str, Any]:
        """``quotebot extract``: quotes of one file with offsets into its decoded text."""
        try:
            text = read_raw(Path(path))
        except (OSError, ValueError) as e:
            raise InputError(f"{path}: {e}") from e
        quotes = self.extract_articles([text])[0]
        return {"path": str(path), "quotes": [extract_dict(q) for q in quotes]}

    # --- ask and browse ------------------------------------------------------------------

    def check_question(self, question: str) -> str:
        """The question stripped; empty or oversized questions are an InputError."""
        text = question.strip()
        if not text:
            raise InputError("The question is empty. Send a non-empty `question` string.")
        if len(text) > self.settings.max_question_chars:
            raise InputError(
                f"The question is {len(text):,} characters long; the limit is "
                f"{self.settings.max_question_chars:,}. Ask a shorter question."
            )
        return text

    def ask(
        self, question: str, history: list[dict[str, str]] | None = None, id: Any = None
    ) -> Answer:
        with self.index.reaching():
            answer: Answer = self.chain.invoke({"question": question, "history": history or []})
        answer.id = id
        return answer

    def remove(self, target: str) -> list[str]:
        """Remove articles by doc id, by the file they came from, or by a directory of files."""
        doc_ids = self.index.has_articles([target])
        if not doc_ids:
            doc_ids = set(self.index.doc_ids_for_path(target))
        if not doc_ids:
            path = str(Path(target).resolve())
            doc_ids = set().union(*self.index.doc_ids_for_files([path, target]).values())
            if not doc_ids and Path(target).is_dir():
                prefix = path.rstrip("/") + "/"
                doc_ids = {
                    a["doc_id"]
                    for a in self.index.list_articles()
                    if str(a.get("source_path", "")).startswith(prefix)
                }
        if not doc_ids:
            raise NotFoundError(
                f"Nothing indexed has the id or path {target!r}. "
                "See `quotebot stats` or GET /documents for what is indexed."
            )
        self.index.remove(sorted(doc_ids))
        return sorted(doc_ids)
