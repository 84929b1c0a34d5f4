"""Ingest speed: words/s end to end vs a bare spaCy parse of the same text, and peak memory.

    .venv/bin/python bench/ingest.py                      # PolNeAR train, 840 articles
    .venv/bin/python bench/ingest.py --limit 100 --json   # a quick look

Both figures come from the same run on the same machine, so the ratio holds on a busy machine
where the absolute words/s do not. Peak RSS is the whole process (models included).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import sys
import tempfile
import time
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
    corpus: Path, store: Path, batch_size: int, bf16: bool | None = None
) -> tuple[float, dict]:
    """Seconds for ``Bot.ingest`` (read, clean, extract, embed, write) into a fresh store.

    ``bf16`` None is what ingest does by default (bf16 where the CPU has it); False forces float32.
    """
    bot = Bot.build(Settings(store=store, batch_size=batch_size))
    bot.embedder = MiniLMEmbedding(bf16=bf16)
    bot.extractor, bot.embedder.encode(["warm up"]), bot.index  # models load outside the clock
    start = time.perf_counter()
    report = bot.ingest([corpus])
    return time.perf_counter() - start, report.to_dict()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", type=Path, default=POLNEAR)
    parser.add_argument("--limit", type=int, default=None, help="only the first N articles")
    parser.add_argument("--batch-size", type=int, default=Settings().batch_size)
    parser.add_argument("--json", action="store_true", help="one JSON object on stdout")
    parser.add_argument(
        "--default-only", action="store_true", help="skip the float32 run beside the bf16 one"
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
    report = next(iter(timed.values()))[1]
    result = {
        "articles": len(texts),
        "words": words,
        "quotes": report["quotes"],
        "errors": len(report["errors"]),
        **cpu,
        "bare_parse_s": round(parse_s, 1),
        "bare_parse_words_per_s": round(words / parse_s),
    }
    for name, (ingest_s, _) in timed.items():
        result[f"ingest_{name}_s"] = round(ingest_s, 1)
        result[f"ingest_{name}_words_per_s"] = round(words / ingest_s)
        result[f"ingest_{name}_ratio_to_bare_parse"] = round(ingest_s / parse_s, 2)
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
