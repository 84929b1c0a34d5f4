"""`quotebot ingest --ray`: Ray Data reads the files, and workers extract, embed and write.

The driver lists the files (reporting missing paths as a single process does), Ray Data reads
them in tasks, and ``map_batches`` runs ``ExtractAndWrite``, a callable class that loads spaCy,
the embedder and a Chroma client once per worker and writes each batch through
``QuoteIndex.add`` to a Chroma server. Ids are deterministic (content hash + offsets), so a
batch Ray retries after a worker died, or a re-run, adds nothing twice. Needs
``pip install 'quotebot[ray]'``.
"""

from __future__ import annotations

import contextlib
import os
import sys
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bot.ingest import IngestReport, drop_replaced, extract_safely
from bot.ray_cluster import cluster_cpus, connect_ray, first_line, import_ray, one_thread_per_cpu
from bot.settings import Settings
from store.errors import ConfigError, QuoteBotError, StoreError
from store.read import Problem, iter_files, read_file
from store.types import Article

ARTICLE_FIELDS = ("doc_id", "text", "title", "source_path", "url", "publisher", "published")


def ingest_ray(
    paths: Iterable[str | Path],
    settings: Settings,
    address: str | None = None,
    progress: Callable[[int], None] | None = None,
) -> IngestReport:
    """Ingest on Ray into the Chroma server at ``settings.chroma_url``; the report is the one
    a single process gives for the same input (``address``: None starts a local Ray instance,
    unless RAY_ADDRESS names a cluster)."""
    if not settings.chroma_url:
        raise ConfigError(
            "`--ray` writes from many processes, which needs a Chroma server: add "
            "--chroma-url http://HOST:8000 (start one with `chroma run --path DIR`)."
        )
    if address is None and os.environ.get("RAY_ADDRESS"):  # Ray's own variable
        address = os.environ["RAY_ADDRESS"]
    ray = import_ray(local=not address or address == "local")
    index = open_index(settings)
    index.repair()
    tally = Tally()
    files = []
    for order, item in enumerate(iter_files(paths)):
        if isinstance(item, Problem):
            tally.problems.append(((order, 0), item.to_dict(), item.warning))
        else:
            files.append({"order": order, "path": str(item)})
    # Ray prints its cluster messages ("a worker died …") on stdout: stdout stays ours (JSON).
    with contextlib.redirect_stdout(sys.stderr):
        started = connect_ray(ray, address, settings.workers) if files else False
        try:
            for row in _pipeline(ray, files, settings).iter_rows() if files else ():
                tally.add(row)
                if progress and row["kind"] == "article":
                    progress(1)
        except QuoteBotError:
            raise
        except Exception as e:  # Ray wraps worker errors in its own exception types
            raise StoreError(f"The Ray ingest job failed: {first_line(e)}") from e
        finally:
            if started:
                ray.shutdown()
    index.repair()  # markers of workers that died mid-write (their batches were redone)
    report = tally.report()
    report.replaced += drop_replaced(index, tally.kept_files())
    return report


def open_index(settings: Settings) -> Any:
    """A QuoteIndex on the Chroma server (the embedder loads only when something is embedded)."""
    from store.embed import MiniLMEmbedding
    from store.index import QuoteIndex, connect

    client = connect(str(settings.store), settings.chroma_url)
    return QuoteIndex(client, MiniLMEmbedding(), settings.collection_prefix)


def _pipeline(ray: Any, files: list[dict[str, Any]], settings: Settings) -> Any:
    workers = settings.workers if settings.workers > 1 else cluster_cpus(ray)
    context = ray.data.DataContext.get_current()
    context.enable_progress_bars = False  # the CLI draws one bar for the whole job
    context.print_on_execution_start = False
    return (
        ray.data.from_items(files)
        # Reading and cleaning is ~5% of the work: one reader feeds about 8 workers. It takes
        # no CPU from the budget, as the workers hold every CPU for the whole job and a reader
        # waiting for one would wait forever.
        .flat_map(
            read_rows, num_cpus=0, compute=ray.data.TaskPoolStrategy(size=max(1, workers // 8))
        )
        # A worker that dies is restarted and its batch retried (Ray Data's default).
        .map_batches(
            # Settings travel inside the class, not as constructor arguments, which Ray keeps
            # in the object store (and warns that a restart needs them there).
            type(
                "ExtractAndWrite",
                (ExtractAndWrite,),
                {"settings": settings, "job_started": _now_iso(-1)},
            ),
            batch_size=settings.batch_size,
            compute=ray.data.ActorPoolStrategy(size=workers),
            num_cpus=1,
        )
    )


def read_rows(row: dict[str, Any]) -> list[dict[str, Any]]:
    """One file → a row per article or problem, numbered so the report keeps file order."""
    out = []
    for line, item in enumerate(read_file(Path(row["path"]))):
        base = {"order": row["order"], "line": line, "message": ""}
        base |= {f: "" for f in ARTICLE_FIELDS}
        if isinstance(item, Problem):
            kind = "warning" if item.warning else "error"
            out.append(base | {"kind": kind, "source_path": item.path, "message": item.error})
        else:
            out.append(base | {"kind": "article"} | {f: getattr(item, f) for f in ARTICLE_FIELDS})
    return out


class ExtractAndWrite:
    """A Ray worker: spaCy, the embedder and a Chroma client, loaded once; per batch it skips
    stored articles, extracts, and writes through ``QuoteIndex.add`` (all or nothing)."""

    settings: Settings  # set on the subclass that ``_pipeline`` makes for a job
    job_started = ""  # ISO time, as article records carry it in ``ingested_at``

    def __init__(self) -> None:
        from store.extract.quotes import QuoteExtractor

        self.extractor = QuoteExtractor()
        self.index = open_index(self.settings)
        self.index.embedder.encode(["warm up"] * 16)  # loads the model, bf16 path included
        one_thread_per_cpu()
        self.batches = 0

    def __call__(self, batch: dict[str, Any]) -> dict[str, list[Any]]:
        self.batches += 1
        columns = {k: [_plain(v) for v in values] for k, values in batch.items()}
        rows = [dict(zip(columns, row, strict=True)) for row in zip(*columns.values(), strict=True)]
        articles = [Article(**{f: r[f] for f in ARTICLE_FIELDS}) for r in rows if _is_article(r)]
        unique = list({a.doc_id: a for a in articles}.values())
        known = self.index.has_articles([a.doc_id for a in unique])
        new = [a for a in unique if a.doc_id not in known]
        done = extract_safely(self.extractor, new, self.settings.batch_size)
        stored = [new[i] for i in done.ok]
        self._fault_for_tests(stored)
        self.index.add(list(zip(stored, done.quotes, strict=True)))
        status = self._written_by_this_job(known)
        status |= {a.doc_id: ("added", len(q)) for a, q in zip(stored, done.quotes, strict=True)}
        failed = {e["path"]: e["error"] for e in done.errors}
        out: dict[str, list[Any]] = {k: [] for k in ("order", "line", "kind", "path", "doc_id")}
        out |= {"status": [], "quotes": [], "message": []}
        for r in rows:
            state, quotes = status.get(r["doc_id"], ("skipped", 0))
            message = r["message"]
            if _is_article(r) and r["source_path"] in failed and r["doc_id"] not in status:
                state, message = "failed", failed[r["source_path"]]
            for key, value in (("path", r["source_path"]), ("status", state), ("quotes", quotes)):
                out[key].append(value)
            for key in ("order", "line", "kind", "doc_id"):
                out[key].append(r[key])
            out["message"].append(message)
        return out

    def _written_by_this_job(self, known: set[str]) -> dict[str, tuple[str, int]]:
        """Stored articles this job wrote itself: Ray retries a batch whose worker died even
        when the batch was written, and the retry must still report it as added (the driver
        counts each doc id once)."""
        if not known:
            return {}
        got = self.index.articles.get(ids=sorted(known), include=["metadatas"])
        return {
            i: ("added", int(m.get("quotes", 0)))
            for i, m in zip(got["ids"], got["metadatas"], strict=True)
            if str(m.get("ingested_at", "")) >= self.job_started
        }

    def _fault_for_tests(self, stored: list[Article]) -> None:
        """``QUOTEBOT_TEST_KILL_BATCH=N:FILE``: the worker writing its N-th batch dies right
        after the quote records are written and before the article records, once (FILE,
        created exclusively, holds the batch's doc ids)."""
        n, _, path = self.settings.test_kill_batch.partition(":")
        if not n or self.batches != int(n) or not stored:
            return
        try:
            fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY)
        except FileExistsError:
            return
        os.write(fd, "\n".join(a.doc_id for a in stored).encode())
        os.close(fd)
        quotes = self.index.quotes

        class DieAfterQuotes:
            def __getattr__(self, name: str) -> Any:
                return getattr(quotes, name)

            def upsert(self, **kwargs: Any) -> None:
                quotes.upsert(**kwargs)
                os._exit(75)

        self.index.quotes = DieAfterQuotes()


@dataclass
class Tally:
    """The driver's view: output rows → the single-process report."""

    problems: list[tuple[tuple[int, int], dict[str, str], bool]] = field(default_factory=list)
    files: dict[str, set[str]] = field(default_factory=dict)
    added: dict[str, int] = field(default_factory=dict)  # doc id → quotes
    failed: dict[str, tuple[int, int]] = field(default_factory=dict)  # doc id → order
    failed_files: set[str] = field(default_factory=set)
    articles: int = 0

    def add(self, row: dict[str, Any]) -> None:
        from store.index import source_file

        key = (int(row["order"]), int(row["line"]))
        if row["kind"] != "article":
            entry = {"path": row["path"], row["kind"]: row["message"]}
            self.problems.append((key, entry, row["kind"] == "warning"))
            return
        self.articles += 1
        self.files.setdefault(source_file(row["path"]), set()).add(row["doc_id"])
        if row["status"] == "added":
            self.added[row["doc_id"]] = int(row["quotes"])
        elif row["status"] == "failed":
            self.failed_files.add(source_file(row["path"]))
            entry = {"path": row["path"], "error": row["message"]}
            self.problems.append((key, entry, False))
            self.failed[row["doc_id"]] = key

    def report(self) -> IngestReport:
        report = IngestReport(documents=len(self.added), quotes=sum(self.added.values()))
        report.skipped = self.articles - len(self.added.keys() | self.failed.keys())
        for _, entry, warning in sorted(self.problems, key=lambda p: p[0]):
            (report.warnings if warning else report.errors).append(entry)
        return report

    def kept_files(self) -> dict[str, set[str]]:
        """Files whose new version was stored (a failed one keeps its old records)."""
        return {f: ids for f, ids in self.files.items() if f not in self.failed_files}


def _now_iso(shift_s: float = 0) -> str:
    """UTC time as ``ingested_at`` writes it (one second back covers clock rounding)."""
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() + shift_s))


def _is_article(row: dict[str, Any]) -> bool:
    return bool(row["kind"] == "article")


def _plain(value: Any) -> Any:
    """numpy scalars from a Ray batch as Python values."""
    return value.item() if hasattr(value, "item") else value
