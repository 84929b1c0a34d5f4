"""Stores of many PolNeAR "editions" for bench/scale.py, written through ``QuoteIndex.add``.

The 923 train + dev articles are extracted and embedded once (cached in ``ROOT/base-*.pkl``);
a store of N articles holds positions 0..N-1 of one fixed sequence: position p is edition
``p // 923 + 1`` of article ``p % 923`` — the same text and quotes, a distinct doc id and an
"(edition N)" title (edition 1 is the article as PolNeAR has it). Each edition is added with the
base article's Quote list and vectors, so only the writes cost time. A smaller store is a prefix
of a larger one, so a build resumes from whatever count a store (or a copy of one) already has.
"""

from __future__ import annotations

import hashlib
import json
import pickle
import sys
import time
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from polnear import polnear_jsonl  # noqa: E402

from bot.core import Bot  # noqa: E402
from bot.settings import Settings  # noqa: E402
from store.embed import cpu_report  # noqa: E402
from store.index import SCHEMA  # noqa: E402
from store.index.records import article_records  # noqa: E402
from store.read import Problem, read_paths  # noqa: E402
from store.types import Article, Quote  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
BATCH = 100  # articles per QuoteIndex.add call
PROBE = "scale-probe"  # url (source_path ``upload:scale-probe``) of the article scale.py ingests
META = "scale_build.json"


@dataclass
class Base:
    """The distinct articles, their quotes and one vector per quote record (in record order)."""

    articles: list[Article]
    quotes: list[list[Quote]]
    vectors: list[np.ndarray]
    embedding: str  # the path that computed the vectors: bf16 or float32


def _code_key() -> str:
    """What the cached base depends on: extraction code, record layout and the schema."""
    files = sorted((ROOT / "store" / "extract").rglob("*")) + [
        ROOT / "store" / "index" / "records.py",
        ROOT / "store" / "speakers.py",
        ROOT / "store" / "types.py",
    ]
    h = hashlib.sha256(SCHEMA.encode())
    for f in files:
        if f.is_file():
            h.update(f.read_bytes())
    return h.hexdigest()[:12]


def load_base(root: Path) -> Base:
    """The extracted, embedded base articles; computed on first use and cached under ``root``."""
    cache = root / f"base-{_code_key()}.pkl"
    if cache.exists():
        with cache.open("rb") as f:
            return _distinct(pickle.load(f))
    root.mkdir(parents=True, exist_ok=True)
    jsonl = root / "polnear.jsonl"
    polnear_jsonl(jsonl)
    articles = [a for a in read_paths([jsonl]) if not isinstance(a, Problem)]
    bot = Bot.build(Settings(store=root / "unused"))
    t = time.perf_counter()
    quotes: list[list[Quote]] = []
    for i in range(0, len(articles), 50):
        quotes += bot.extract_articles([a.text for a in articles[i : i + 50]])
        _log(f"extracted {len(quotes)}/{len(articles)} articles ({time.perf_counter() - t:.0f} s)")
    docs = [
        [r.document for r in article_records(a, q)] for a, q in zip(articles, quotes, strict=True)
    ]
    unique = list(dict.fromkeys(d for ds in docs for d in ds))
    _log(f"embedding {len(unique)} distinct texts")
    matrix = bot.embedder.encode(unique)
    row = {d: i for i, d in enumerate(unique)}
    vectors = [matrix[[row[d] for d in ds]] if ds else matrix[:0] for ds in docs]
    base = Base(articles, quotes, vectors, cpu_report()["ingest_embedding"])
    with cache.open("wb") as f:
        pickle.dump(base, f)
    _log(f"base ready: {len(articles)} articles, {sum(map(len, quotes))} quotes, {cache}")
    return _distinct(base)


def _distinct(base: Base) -> Base:
    """One article per doc id (PolNeAR train has one article twice, under two dates)."""
    keep = list({a.doc_id: i for i, a in reversed(list(enumerate(base.articles)))}.values())
    keep.sort()
    pick = [base.articles[i] for i in keep], [base.quotes[i] for i in keep]
    return Base(*pick, [base.vectors[i] for i in keep], base.embedding)


def edition(article: Article, n: int) -> Article:
    """Edition n of an article: same text, its own doc id and title (edition 1 is the original)."""
    if n == 1:
        return article
    doc_id = hashlib.sha256(f"{article.doc_id}:edition:{n}".encode()).hexdigest()[:16]
    return replace(
        article,
        doc_id=doc_id,
        title=f"{article.title} (edition {n})",
        source_path=f"{article.source_path}#edition-{n}",
    )


def at(base: Base, position: int) -> tuple[Article, list[Quote], np.ndarray]:
    """The article at a position of the sequence, with its quotes and vectors."""
    i = position % len(base.articles)
    return (
        edition(base.articles[i], position // len(base.articles) + 1),
        base.quotes[i],
        base.vectors[i],
    )


def read_meta(store: Path) -> dict[str, Any]:
    path = store / META
    return json.loads(path.read_text()) if path.exists() else {}


def build(store: Path, target: int, root: Path) -> dict[str, Any]:
    """Bring ``store`` to ``target`` articles (resuming from its count); returns its build facts."""
    base = load_base(root)
    bot = Bot.build(Settings(store=store))
    index = bot.index
    probe = index.doc_ids_for_path(f"upload:{PROBE}")
    if probe:  # left by a scale.py run that was stopped before it removed it
        index.remove(probe)
    count = index.counts()[0]
    if count > target:
        raise SystemExit(f"{store} holds {count} articles, more than {target}; delete it.")
    meta = read_meta(store)
    meta.setdefault("build_s", 0.0)
    index.repair()
    t0 = time.perf_counter()
    done = since = count
    while done < target:
        batch = [at(base, p) for p in range(done, min(target, done + BATCH))]
        vectors = np.concatenate([v for _, _, v in batch])
        index.add([(a, q) for a, q, _ in batch], vectors=vectors)
        done += len(batch)
        if done % (BATCH * 10) == 0 or done == target:
            took = time.perf_counter() - t0
            rate = (done - since) / took  # over the articles since the last line
            _log(
                f"{store.name}: {done}/{target} articles, {rate:.1f} articles/s, "
                f"ETA {(target - done) / rate / 60:.0f} min"
            )
            meta.update(build_s=meta["build_s"] + took, articles=done)
            t0, since = time.perf_counter(), done
            (store / META).write_text(json.dumps(meta))
    articles, quotes = index.counts()
    meta.update(
        articles=articles,
        quotes=quotes,
        lexical_rows=index.lexicon.count(),
        base_embedding=base.embedding,
        base_articles=len(base.articles),
    )
    (store / META).write_text(json.dumps(meta))
    return meta


def _log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)
