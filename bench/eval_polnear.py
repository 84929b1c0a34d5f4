"""Evaluate quotebot on the PolNeAR dev split (or the seed set) and write a report.

    .venv/bin/python bench/eval_polnear.py                # PolNeAR dev → reports/polnear-dev/
    .venv/bin/python bench/eval_polnear.py --seeds        # examples/ + seeds → reports/seeds/
    .venv/bin/python bench/eval_polnear.py --limit 100 --baseline OLD/results.json

Articles are ingested into a fresh temporary store (or ``--store DIR``, kept and reused: ingest
it beforehand so a timed run only re-checks it) with the real spaCy model, MiniLM embedder and
Chroma. The PolNeAR golden set is written beside the report (``golden.jsonl``). Prints the
metrics tables; latency is timed, so run it under ``flock /tmp/cpu.lock`` on a shared machine.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from rich.console import Console  # noqa: E402

from bot.core import Bot  # noqa: E402
from bot.eval.brat import golden_from_brat  # noqa: E402
from bot.eval.evaluate import evaluate, load_golden  # noqa: E402
from bot.eval.report import render_tables, write_report  # noqa: E402
from bot.settings import Settings  # noqa: E402
from store.errors import QuoteBotError  # noqa: E402

POLNEAR_DEV = ROOT.parent / "shared" / "data" / "polnear" / "dev"
OUT = ROOT / "reports"


def run(
    corpus: Path, golden: Path, out_dir: Path, baseline: Path | None, store: Path | None
) -> None:
    with tempfile.TemporaryDirectory(prefix="quotebot-eval-") as tmp:
        bot = Bot.build(Settings(store=store or Path(tmp)))
        t0 = time.perf_counter()
        ingest = bot.ingest([corpus])
        t1 = time.perf_counter()
        print(
            f"ingested {ingest.documents} articles ({ingest.skipped} already indexed), "
            f"{ingest.quotes} quotes in {t1 - t0:.0f} s"
        )
        items = load_golden(golden)
        result = evaluate(bot, items, k=5)
        print(f"asked {len(items)} questions in {time.perf_counter() - t1:.0f} s")
    report = write_report(result, out_dir, baseline)
    console = Console(width=100, highlight=False)
    for renderable in render_tables(result):
        console.print(renderable)
    print(f"report: {report}")


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--seeds", action="store_true", help="examples/ + tests/golden/seeds.jsonl")
    parser.add_argument("--brat", type=Path, default=POLNEAR_DEV, help="brat dir (PolNeAR dev)")
    parser.add_argument("--limit", type=int, default=None, help="at most N questions")
    parser.add_argument("--out", type=Path, default=None, help="report directory")
    parser.add_argument("--baseline", type=Path, default=None, help="earlier results.json")
    parser.add_argument("--store", type=Path, default=None, help="keep the store here (reused)")
    args = parser.parse_args()
    try:
        if args.seeds:
            run(
                ROOT / "examples",
                ROOT / "tests/golden/seeds.jsonl",
                args.out or OUT / "seeds",
                args.baseline,
                args.store,
            )
        else:
            out = args.out or OUT / "polnear-dev"
            golden = out / "golden.jsonl"
            items = golden_from_brat(args.brat, golden, args.limit)
            print(f"golden: {len(items)} questions from {args.brat} → {golden}")
            run(args.brat / "text", golden, out, args.baseline, args.store)
    except QuoteBotError as e:
        print(f"Error: {e}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
