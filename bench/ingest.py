"""Ingest speed: words/s end to end vs a bare spaCy parse of the same text, and peak memory.

    .venv/bin/python bench/ingest.py                      # PolNeAR train, 840 articles
    .venv/bin/python bench/ingest.py --limit 100 --json   # a quick look
    .venv/bin/python bench/ingest.py --workers 2 --ray    # + 2 worker processes, + Ray

All figures come from the same run on the same machine, so the ratios hold on a busy machine
where the absolute words/s do not. Peak RSS is the main process (models included); worker
processes are not counted. ``--workers N`` and ``--ray`` runs start their processes inside the
clock (spaCy and the embedder load once per worker), as a user's ingest does.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.core import Bot  # noqa: E402
from bot.settings import Settings  # noqa: E402
from store.embed import MiniLMEmbedding, cpu_report  # noqa: E402
from store.read import Problem, read_paths  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
POLNEAR = ROOT.parent / "shared" / "data" / "polnear" / "train" / "text"


def _corpus(source: Path, limit: int | None, into: Path) -> tuple[Path, list[str]]:
    """Copy the first ``limit`` files and return their cleaned texts (what both runs see)."""
    files = sorted(source.glob("*.txt"))[:limit]
    for path in files:
        shutil.copy(path, into / path.name)
    texts = [a.text for a in read_paths([into]) if not isinstance(a, Problem)]
    return into, texts


def bare_parse(texts: list[str], batch_size: int) -> float:
    """Seconds for ``nlp.pipe`` over the texts with the extractor's own pipeline."""
    from store.extract.quotes import load_nlp

    nlp = load_nlp()
    start = time.perf_counter()
    for _ in nlp.pipe(texts, batch_size=batch_size):
        pass
    return time.perf_counter() - start


def end_to_end(
    corpus: Path, store: Path, batch_size: int, bf16: bool | None = None, workers: int = 1
) -> tuple[float, dict]:
    """Seconds for ``Bot.ingest`` (read, clean, extract, embed, write) into a fresh store.

    ``bf16`` None is what ingest does by default (bf16 where the CPU has it); False forces float32.
    """
    bot = Bot.build(Settings(store=store, batch_size=batch_size))
    bot.embedder = MiniLMEmbedding(bf16=bf16)
    bot.extractor, bot.embedder.encode(["warm up"]), bot.index  # models load outside the clock
    start, cpu = time.perf_counter(), _cpu_s()
    report = bot.ingest([corpus], workers=workers)
    CPU_S[workers] = _cpu_s() - cpu
    return time.perf_counter() - start, report.to_dict()


CPU_S: dict[int, float] = {}  # CPU seconds of a run by workers: this process + its children


def _cpu_s() -> float:
    own, kids = (resource.getrusage(w) for w in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN))
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def on_ray(corpus: Path, batch_size: int, workers: int) -> tuple[float, dict]:
    """Seconds for ``Bot.ingest_ray`` into a fresh ``chroma run`` on 127.0.0.1, on a local Ray
    instance of ``workers`` CPUs (started outside the clock; its workers start inside)."""
    from bot.ray_cluster import import_ray, start_local

    ray = import_ray(local=True)

    with chroma_server() as url:
        start_local(ray, workers, log_to_driver=False)
        try:
            bot = Bot.build(Settings(chroma_url=url, batch_size=batch_size, workers=workers))
            start = time.perf_counter()
            report = bot.ingest_ray([corpus])
            return time.perf_counter() - start, report.to_dict()
        finally:
            ray.shutdown()


@contextmanager
def chroma_server() -> Iterator[str]:
    """A `chroma run` with a temporary data directory on a free 127.0.0.1 port."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    data = tempfile.mkdtemp(prefix="quotebot-bench-chroma-")
    chroma = Path(sys.executable).parent / "chroma"
    args = [str(chroma), "run", "--path", data, "--host", "127.0.0.1", "--port", str(port)]
    proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(f"{url}/api/v2/heartbeat", timeout=2).close()
                break
            except OSError:
                if time.monotonic() > deadline or proc.poll() is not None:
                    raise RuntimeError("chroma run did not start") from None
                time.sleep(0.3)
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=30)
        shutil.rmtree(data, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", type=Path, default=POLNEAR)
    parser.add_argument("--limit", type=int, default=None, help="only the first N articles")
    parser.add_argument("--batch-size", type=int, default=Settings().batch_size)
    parser.add_argument("--json", action="store_true", help="one JSON object on stdout")
    parser.add_argument(
        "--default-only", action="store_true", help="skip the float32 run beside the bf16 one"
    )
    parser.add_argument(
        "--workers", type=int, default=0, help="also a run with N extraction processes"
    )
    parser.add_argument(
        "--ray", action="store_true", help="also a run on a local Ray instance (--workers CPUs)"
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="quotebot-bench-") as tmp:
        corpus, texts = _corpus(args.source, args.limit, Path(tmp))
        words = sum(len(t.split()) for t in texts)
        parse_s = bare_parse(texts, args.batch_size)
        cpu = cpu_report()
        runs = {cpu["ingest_embedding"]: None}  # the default path, then float32 beside it
        if not args.default_only:
            runs["float32"] = False
        timed = {}
        for name, bf16 in runs.items():
            store = Path(tempfile.mkdtemp(prefix="quotebot-bench-store-"))
            try:
                timed[name] = end_to_end(corpus, store, args.batch_size, bf16)
            finally:
                shutil.rmtree(store, ignore_errors=True)
        workers = args.workers or os.cpu_count() or 2
        if args.workers > 1:
            store = Path(tempfile.mkdtemp(prefix="quotebot-bench-store-"))
            try:
                timed[f"{workers}_workers"] = end_to_end(
                    corpus, store, args.batch_size, workers=workers
                )
            finally:
                shutil.rmtree(store, ignore_errors=True)
        if args.ray:
            timed[f"ray_{workers}_cpus"] = on_ray(corpus, args.batch_size, workers)
    report = next(iter(timed.values()))[1]
    single_s = next(iter(timed.values()))[0]
    result = {
        "articles": len(texts),
        "words": words,
        "quotes": report["quotes"],
        "errors": len(report["errors"]),
        **cpu,
        "bare_parse_s": round(parse_s, 1),
        "bare_parse_words_per_s": round(words / parse_s),
    }
    for name, (ingest_s, got) in timed.items():
        result[f"ingest_{name}_s"] = round(ingest_s, 1)
        result[f"ingest_{name}_words_per_s"] = round(words / ingest_s)
        result[f"ingest_{name}_ratio_to_bare_parse"] = round(ingest_s / parse_s, 2)
        if "workers" in name or "ray" in name:
            result[f"ingest_{name}_speedup"] = round(single_s / ingest_s, 2)
            result[f"ingest_{name}_same_counts"] = (got["documents"], got["quotes"]) == (
                report["documents"],
                report["quotes"],
            )
    for n, cpu_s in CPU_S.items():
        result[f"ingest_{'single' if n == 1 else f'{n}_workers'}_cpu_s"] = round(cpu_s, 1)
    result |= {
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
        "batch_size": args.batch_size,
        "cpus": os.cpu_count(),
        "load_avg_1m": round(os.getloadavg()[0], 2),
    }
    if args.json:
        print(json.dumps(result))
    else:
        for key, value in result.items():
            print(f"{key:>24}: {value}")


if __name__ == "__main__":
    main()
