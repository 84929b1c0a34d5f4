"""What byte-identical copies of one text do to Chroma's HNSW: recall by number of copies.

    .venv/bin/python bench/hnsw_copies.py --store /tmp/qb-polnear            # copies 1, 10, 30, 100
    .venv/bin/python bench/hnsw_copies.py --store /tmp/qb-polnear --distinct 1000 --copies 1,50

Real MiniLM vectors of distinct quote texts from a PolNeAR store (bench/polnear.py builds it) are
written C times each into a fresh embedded Chroma collection (the settings quotebot uses: cosine,
Chroma's default HNSW parameters), then asked the way bench/whosaid.py asks (ten words of the
quote). Afterwards a few held-out texts are added one at a time, as an ingest into a live store
does, and asked too. Printed per C: whether a copy of the right text is the nearest and among the
40 and 3,000 nearest (what ``QuoteReads`` asks HNSW for). With every text in ~100 copies (the
100k edition store of bench/scale.py), each record's HNSW neighbour lists fill with its own
copies (they are at distance 0, and the neighbour heuristic never prunes an equal distance), the
graph falls apart into islands and texts, old and new, stop being found.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

import chromadb  # noqa: E402
import numpy as np  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from store.embed import cpu_report  # noqa: E402
from store.index.chroma import SCHEMA  # noqa: E402
from store.minilm import question_model  # noqa: E402

WRITE = 5000  # records per add call
HELD_OUT = 50


def distinct_texts(store: Path) -> tuple[list[str], np.ndarray]:
    """Quotes of at least ten words, one per distinct searched text, with their stored vectors."""
    client = chromadb.PersistentClient(path=str(store))
    col = client.get_collection(f"quotebot_quotes_{SCHEMA}")
    got = col.get(include=["documents", "embeddings", "metadatas"])
    seen: dict[str, int] = {}
    quotes, rows = [], []
    for i, (doc, meta) in enumerate(zip(got["documents"], got["metadatas"], strict=True)):
        quote = str(meta.get("quote", ""))
        if doc in seen or len(quote.split()) < 10 or doc != quote:
            continue
        seen[doc] = i
        quotes.append(quote)
        rows.append(i)
    return quotes, np.asarray(got["embeddings"], dtype=np.float32)[rows]


def question(quote: str) -> str:
    return f'Who said "{" ".join(quote.split()[:10])}"?'


def measure(vectors: np.ndarray, asks: np.ndarray, held: np.ndarray, held_asks: np.ndarray,
            copies: int, hnsw: dict[str, int]) -> dict[str, float]:  # fmt: skip
    with tempfile.TemporaryDirectory(prefix="qb-copies-") as path:
        return measure_in(chromadb.PersistentClient(path=path), vectors, asks, held, held_asks,
                          copies, hnsw)  # fmt: skip


def measure_in(
    client: Any, vectors: np.ndarray, asks: np.ndarray, held: np.ndarray,
    held_asks: np.ndarray, copies: int, hnsw: dict[str, int],
) -> dict[str, float]:  # fmt: skip
    config: Any = {"hnsw": {"space": "cosine", **hnsw}}
    col = client.create_collection("copies", configuration=config, embedding_function=None)
    n = len(vectors)
    ids = [f"{i}:{c}" for c in range(copies) for i in range(n)]
    t = time.perf_counter()
    for s in range(0, len(ids), WRITE):
        rows = [int(i.split(":")[0]) for i in ids[s : s + WRITE]]
        col.add(ids=ids[s : s + WRITE], embeddings=vectors[rows])
    built = time.perf_counter() - t
    for j in range(len(held)):  # one at a time, as an ingest into a live store
        col.add(ids=[f"new{j}"], embeddings=held[j : j + 1])

    def found(ask: np.ndarray, right: str, k: int) -> tuple[bool, bool]:
        got = col.query(query_embeddings=[ask.tolist()], n_results=k, include=[])["ids"][0]
        text = [g.split(":")[0] for g in got]
        return bool(text) and text[0] == right, right in text

    old = [found(asks[i], str(i), 40) for i in range(len(asks))]
    new40 = [found(held_asks[j], f"new{j}", 40) for j in range(len(held))]
    new3000 = [found(held_asks[j], f"new{j}", 3000)[1] for j in range(len(held))]
    return {
        "records": len(ids),
        "build_s": round(built, 1),
        "stored_top1": float(np.mean([a for a, _ in old])),
        "stored_in_40": float(np.mean([b for _, b in old])),
        "new_top1": float(np.mean([a for a, _ in new40])),
        "new_in_40": float(np.mean([b for _, b in new40])),
        "new_in_3000": float(np.mean(new3000)),
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--store", type=Path, required=True, help="a PolNeAR store (bench/polnear.py)")
    ap.add_argument("--distinct", type=int, default=2000, help="distinct texts written")
    ap.add_argument("--copies", default="1,10,30,100", help="copies of each, comma-separated")
    ap.add_argument("--asked", type=int, default=300, help="stored texts asked about")
    ap.add_argument("--hnsw", default="", help="HNSW settings, e.g. max_neighbors=32,ef_search=200")
    args = ap.parse_args()
    quotes, vectors = distinct_texts(args.store)
    order = np.random.default_rng(0).permutation(len(quotes))
    take, held_rows = order[: args.distinct], order[args.distinct : args.distinct + HELD_OUT]
    model = question_model()
    asks = np.array([model.encode(question(quotes[i])) for i in take[: args.asked]])
    held_asks = np.array([model.encode(question(quotes[i])) for i in held_rows])
    print(f"{len(quotes)} distinct quote texts in {args.store}; {args.distinct} written, "
          f"{len(asks)} asked, {HELD_OUT} added afterwards one at a time")  # fmt: skip
    print(f"CPU {cpu_report()}")
    hnsw = {k: int(v) for k, v in (kv.split("=") for kv in args.hnsw.split(",") if kv)}
    print(f"HNSW settings: {hnsw or 'Chroma defaults'}")
    print("copies  records  build_s  stored@1  stored@40  new@1  new@40  new@3000")
    for c in [int(x) for x in args.copies.split(",")]:
        r = measure(vectors[take], asks, vectors[held_rows], held_asks, c, hnsw)
        print(f"{c:>6} {r['records']:>8} {r['build_s']:>8} {r['stored_top1']:>9.3f} "
              f"{r['stored_in_40']:>10.3f} {r['new_top1']:>6.3f} {r['new_in_40']:>7.3f} "
              f"{r['new_in_3000']:>9.3f}", flush=True)  # fmt: skip


if __name__ == "__main__":
    main()
