"""Natural questions (paraphrases, keywords, "what did X say about Y", reported speech …): accuracy
by kind on the natural-question golden sets, over a store of PolNeAR train + dev articles.

    .venv/bin/python bench/natural.py --store /tmp/qb-polnear          # dev set (the report)
    .venv/bin/python bench/natural.py --store /tmp/qb-polnear --split train   # the tuning set
    .venv/bin/python bench/natural.py --store DIR --json > results.json

The store (bench/polnear.py: 923 distinct articles with title, publisher and date) is built on
first use, a few minutes, and reused after; bench/whosaid.py shares it. The sets
are tests/golden/natural_{train,dev}.jsonl (checked against the gold by bench/natural_check.py).
Scoring is `quotebot eval`'s (docs/evaluation.md): top-1 for who-said kinds, the first three shown
for "what_about". Latency is timed: run it alone on a quiet machine for the p50/p95 figures.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from polnear import polnear_store  # noqa: E402

from bot.eval.evaluate import EvalResult, evaluate, load_golden  # noqa: E402
from store.embed import cpu_report  # noqa: E402

GOLDEN = ROOT / "tests" / "golden"
TARGET_ACCURACY, TARGET_KIND, MAX_FALSE_ABSTAIN, TARGET_NOBODY = 0.85, 0.75, 0.05, 0.95


def table(result: EvalResult) -> dict[str, object]:
    """The figures the targets are about, overall and by kind."""
    items = result.items
    answerable = [r for r in items if r.item.answerable]
    nobody = [r for r in items if not r.item.answerable]
    kinds: dict[str, dict[str, object]] = {}
    for r in items:
        row = kinds.setdefault(r.item.kind, {"n": 0, "correct": 0, "abstained": 0})
        row["n"] += 1  # type: ignore[operator]
        row["correct"] += r.correct  # type: ignore[operator]
        row["abstained"] += r.abstained  # type: ignore[operator]
    for row in kinds.values():
        row["accuracy"] = round(row["correct"] / row["n"], 3)  # type: ignore[operator]
    m = result.metrics
    return {
        "questions": len(items),
        "accuracy": round(sum(r.correct for r in items) / len(items), 3),
        "false_abstentions": round(sum(r.abstained for r in answerable) / len(answerable), 3),
        "nobody_abstained": round(sum(r.abstained for r in nobody) / max(1, len(nobody)), 3),
        "recall_at_5": m.get("recall_at_k"),
        "latency_p50_ms": m.get("latency_p50_ms"),
        "latency_p95_ms": m.get("latency_p95_ms"),
        "by_kind": kinds,
    }


def verdict(figures: dict[str, object]) -> list[str]:
    kinds = figures["by_kind"]
    assert isinstance(kinds, dict)
    worst = min(row["accuracy"] for row in kinds.values())
    return [
        f"accuracy {figures['accuracy']} (target ≥ {TARGET_ACCURACY})",
        f"worst kind {worst} (target ≥ {TARGET_KIND})",
        f"false abstentions {figures['false_abstentions']} (target ≤ {MAX_FALSE_ABSTAIN})",
        f"nobody-said-it abstained {figures['nobody_abstained']} (target ≥ {TARGET_NOBODY})",
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--store", type=Path, required=True, help="built on first use, reused")
    parser.add_argument("--split", choices=["dev", "train"], default="dev")
    parser.add_argument("--json", action="store_true", help="figures and per-question results")
    args = parser.parse_args()
    bot = polnear_store(args.store)
    items = load_golden(GOLDEN / f"natural_{args.split}.jsonl")
    result = evaluate(bot, items, k=5)
    figures = table(result) | cpu_report()
    if args.json:
        print(json.dumps({**figures, "items": [r.to_dict() for r in result.items]}))
        return
    print(f"natural_{args.split}: {figures['questions']} questions, CPU {figures['cpu']}")
    print(f"{'kind':<15}{'n':>4}{'correct':>9}{'accuracy':>10}{'abstained':>11}")
    for kind, row in sorted(figures["by_kind"].items()):  # type: ignore[union-attr]
        print(
            f"{kind:<15}{row['n']:>4}{row['correct']:>9}{row['accuracy']:>10.3f}"
            f"{row['abstained']:>11}"
        )
    for line in verdict(figures):
        print(line)
    print(
        f"recall@5 {figures['recall_at_5']}, latency p50 {figures['latency_p50_ms']} ms, "
        f"p95 {figures['latency_p95_ms']} ms"
    )


if __name__ == "__main__":
    main()
