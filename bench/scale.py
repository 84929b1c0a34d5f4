"""Scale bench (#15): fresh-process and served answers over stores of 1k, 10k and 100k articles.

    flock /tmp/cpu.lock .venv/bin/python bench/scale.py --sizes 1000          # one size at a time
    flock /tmp/cpu.lock .venv/bin/python bench/scale.py --sizes 10000 --json
    .venv/bin/python bench/scale.py --sizes 100000 --build-only    # build now, measure later

Stores hold the PolNeAR train + dev articles repeated as distinct editions (bench/scale_store.py),
written through ``QuoteIndex.add`` with the base articles' quotes and vectors, and are kept under
``--root`` between runs (a store with the right count is reused; a larger one is built from a
copy of the largest smaller one). Per size it prints: build time and size on disk; a fresh
``python -m bot ask`` (seconds, peak RSS); ``python -m bot serve``: seconds to ready, the first
answer, warm p50/p95 over a question mix, who-said accuracy on a sample (any edition of the right
article counts) and abstention on invented quotes; after ``POST /api/ingest`` of one new article,
the seconds until it is answerable and the next answer's time; the targets of #15 beside them,
and how fresh-ask time grows with the corpus. Run from the worktree: children use its code.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import shutil
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from scale_serve import fresh_ask, remove_probe, run_child, serve_figures, who_said_cases  # noqa: E402
from scale_store import build, read_meta  # noqa: E402

from store.embed import cpu_report  # noqa: E402

GIB = 1024
# (figure, size it is set for, limit, "max"), from #15.
TARGETS = [
    ("fresh_ask_s", 10_000, 10.0),
    ("fresh_ask_rss_mb", 10_000, 1.5 * GIB),
    ("served_p95_ms", 10_000, 100.0),
    ("first_answer_s", 10_000, 2.0),
    ("next_answer_s", 10_000, 1.0),
    ("fresh_ask_s", 100_000, 15.0),
    ("fresh_ask_rss_mb", 100_000, 24 * GIB),
    ("serve_rss_mb", 100_000, 24 * GIB),
]
GROWTH_PER_TRIPLING = 1.3


def store_for(root: Path, size: int) -> Path:
    return root / f"n{size}"


def ensure_store(root: Path, size: int, timeout: float) -> dict[str, Any]:
    """Build (or finish) the store of ``size`` articles in a child process; its build facts."""
    store = store_for(root, size)
    if not store.exists():
        smaller = [
            n
            for n in (int(p.name[1:]) for p in root.glob("n*") if p.name[1:].isdigit())
            if n < size and read_meta(store_for(root, n)).get("articles") == n
        ]
        if smaller:
            t = time.perf_counter()
            source = store_for(root, max(smaller))
            shutil.copytree(source, store)
            meta = read_meta(store) | {"copied_from": source.name}
            meta["copy_s"] = round(time.perf_counter() - t, 1)
            meta["build_s"] = meta.get("build_s", 0.0) + meta["copy_s"]
            (store / "scale_build.json").write_text(json.dumps(meta))
    args = [str(Path(__file__).resolve()), "--root", str(root), "--_build", str(size)]
    root.mkdir(parents=True, exist_ok=True)
    got = run_child(args, timeout, log=root / f"build-n{size}.log")
    if got["code"] != 0:
        raise SystemExit(f"building {store} failed:\n{got['stderr']}")
    meta = json.loads(got["stdout"].strip().splitlines()[-1])
    return {
        "articles": meta["articles"],
        "quote_records": meta["quotes"],
        "build_s": round(meta["build_s"], 1),
        "build_from": meta.get("copied_from", "scratch"),
        "build_child_rss_mb": got["rss_mb"],
        "store_gb": round(_disk_usage(store) / 1e9, 2),
    }


def measure(root: Path, size: int, args: argparse.Namespace) -> dict[str, Any]:
    figures = {"size": size} | ensure_store(root, size, args.timeout)
    if args.build_only:
        return figures
    store = store_for(root, size)
    cases = who_said_cases()
    figures |= fresh_ask(store, cases[0], args.timeout)
    try:
        figures |= serve_figures(store, cases, args.served, args.sample, args.timeout)
    finally:
        remove_probe(store)
    figures["load_avg_1m"] = round(os.getloadavg()[0], 2)
    figures["measured_at"] = time.strftime("%m-%d %H:%M")
    (root / f"result-{size}.json").write_text(json.dumps(figures))
    return figures


def growth(results: dict[int, dict[str, Any]]) -> list[dict[str, Any]]:
    """Fresh-ask time and RSS ratios between consecutive sizes, also per tripling of the corpus."""
    sizes = sorted(s for s, r in results.items() if "fresh_ask_s" in r)
    out = []
    for a, b in zip(sizes, sizes[1:], strict=False):
        row: dict[str, Any] = {"from": a, "to": b}
        for key in ("fresh_ask_s", "fresh_ask_rss_mb", "served_p50_ms"):
            if not results[a].get(key) or not results[b].get(key):
                continue
            ratio = results[b][key] / results[a][key]
            row[key] = round(ratio, 2)
            row[f"{key}_per_tripling"] = round(ratio ** (math.log(3) / math.log(b / a)), 2)
        row["target_per_tripling"] = GROWTH_PER_TRIPLING
        row["met"] = row["fresh_ask_s_per_tripling"] <= GROWTH_PER_TRIPLING
        out.append(row)
    return out


def checks(results: dict[int, dict[str, Any]]) -> list[dict[str, Any]]:
    out = []
    for key, size, limit in TARGETS:
        got = results.get(size, {}).get(key)
        if got is not None:
            out.append(
                {"size": size, "figure": key, "value": got, "limit": limit, "met": got <= limit}
            )
    for size, r in results.items():
        if size >= 10_000 and "probe_ingested" in r:
            met = r.get("answerable_after_ingest_s") is not None
            out.append({"size": size, "figure": "answerable_after_ingest", "met": met})
    return out


def print_table(results: dict[int, dict[str, Any]], info: dict[str, Any]) -> None:
    sizes = sorted(results)
    keys = [k for k in dict.fromkeys(k for s in sizes for k in results[s]) if k != "size"]
    print(
        f"CPU: {info['cpu']} ({', '.join(info['bf16_flags']) or 'no bf16 flags'}); "
        f"ingest embedding here: {info['ingest_embedding']}; base vectors: {info['base_embedding']}"
    )
    print(f"{'':28}" + "".join(f"{s:>16,}" for s in sizes))
    for k in keys:
        cells = "".join(f"{str(results[s].get(k, '—')):>16}" for s in sizes)
        print(f"{k:28}{cells}")
    print("\ntargets (#15):")
    for c in info["targets"]:
        value = f" {c['value']} (limit {c['limit']})" if "value" in c else ""
        print(f"  {c['size']:>7,} {c['figure']:26}{value:28} {'met' if c['met'] else 'NOT MET'}")
    for g in info["growth"]:
        print(
            f"growth {g['from']:,} → {g['to']:,}: fresh ask ×{g['fresh_ask_s']} "
            f"(×{g['fresh_ask_s_per_tripling']} per tripling, target ≤ ×{GROWTH_PER_TRIPLING}: "
            f"{'met' if g['met'] else 'NOT MET'}), RSS ×{g.get('fresh_ask_rss_mb')}, "
            f"served p50 ×{g.get('served_p50_ms')}"
        )


def _disk_usage(root: Path) -> int:
    return sum(p.stat().st_size for p in root.rglob("*") if p.is_file())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000,100000")
    parser.add_argument("--root", type=Path, default=Path("/tmp/quotebot-scale"))
    parser.add_argument("--json", action="store_true", help="one JSON object on stdout")
    parser.add_argument("--build-only", action="store_true", help="build the stores, no figures")
    parser.add_argument("--sample", type=int, default=200, help="who-said accuracy questions")
    parser.add_argument("--served", type=int, default=50, help="questions timed when warm")
    parser.add_argument("--timeout", type=float, default=4 * 3600, help="per step, seconds")
    parser.add_argument("--_build", type=int, help=argparse.SUPPRESS)  # the build child
    args = parser.parse_args()
    root = args.root.resolve()
    if args._build:
        print(json.dumps(build(store_for(root, args._build), args._build, root)))
        return
    sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
    results = {s: measure(root, s, args) for s in sizes}
    for path in root.glob("result-*.json"):  # sizes measured by earlier runs, for the ratios
        size = int(path.stem.split("-")[1])
        results.setdefault(size, json.loads(path.read_text()) | {"earlier_run": True})
    info = {
        **cpu_report(),
        "base_embedding": read_meta(store_for(root, sizes[0])).get("base_embedding"),
    }
    info |= {"targets": checks(results), "growth": growth(results)}
    if args.json:
        print(json.dumps({**info, "sizes": [results[s] for s in sorted(results)]}))
    else:
        print_table(results, info)


if __name__ == "__main__":
    main()
