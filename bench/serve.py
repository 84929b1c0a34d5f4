"""Load figures for the HTTP API: N requests, C at a time, against ``POST /api/ask``.

    .venv/bin/python bench/serve.py                      # own server on a free port, examples/
    .venv/bin/python bench/serve.py --url http://127.0.0.1:8000   # a running `quotebot serve`

Prints errors, p50, p95 and max latency, and throughput; exits 1 if any request failed.
"""

from __future__ import annotations

import argparse
import itertools
import json
import socket
import statistics
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
QUESTIONS = [
    "Who said the treaty is very timely?",
    "Who said North Korean troops would be fair game?",
    "What did Dorothy Shea say about North Korea?",
    "Who said North Korea would stand firmly by our Russian comrades?",
    "Who said the moon is made of cheese?",
]


def own_server(store: Path) -> str:
    """Ingest examples/ into ``store`` and serve it from a thread on a free 127.0.0.1 port."""
    sys.path.insert(0, str(ROOT))
    import uvicorn

    from bot.core import Bot
    from bot.settings import Settings
    from ui.app import create_app, warm_up

    settings = Settings(store=store)
    bot = Bot.build(settings)
    report = bot.ingest([ROOT / "examples"])
    print(f"ingested {report.documents} articles, {report.quotes} quotes into {store}")
    warm_up(bot)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = uvicorn.Server(
        uvicorn.Config(
            lambda: create_app(settings, bot),
            factory=True,
            host="127.0.0.1",
            port=port,
            log_level="warning",
        )
    )
    threading.Thread(target=server.run, daemon=True).start()
    while not server.started:
        time.sleep(0.05)
    return f"http://127.0.0.1:{port}"


def run(url: str, requests: int, concurrency: int) -> dict[str, float]:
    """Fire the requests; returns the figures (seconds) and the error count."""
    questions = list(itertools.islice(itertools.cycle(QUESTIONS), requests))
    errors: list[str] = []

    def one(client: httpx.Client, question: str) -> float:
        t0 = time.perf_counter()
        r = client.post("/api/ask", json={"question": question})
        elapsed = time.perf_counter() - t0
        if r.status_code != 200 or "answer" not in r.json():
            errors.append(f"{r.status_code}: {r.text[:200]}")
        return elapsed

    with httpx.Client(base_url=url, timeout=120) as client:
        one(client, QUESTIONS[0])  # warm-up, not counted
        t0 = time.perf_counter()
        with ThreadPoolExecutor(concurrency) as pool:
            times = sorted(pool.map(lambda q: one(client, q), questions))
        wall = time.perf_counter() - t0
    for e in errors[:5]:
        print("error:", e)
    return {
        "requests": requests,
        "concurrency": concurrency,
        "errors": len(errors),
        "p50_s": round(statistics.median(times), 3),
        "p95_s": round(times[max(0, int(round(0.95 * len(times))) - 1)], 3),
        "max_s": round(times[-1], 3),
        "req_per_s": round(requests / wall, 2),
    }


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--url", help="a running server; default: start one over examples/")
    parser.add_argument("-n", "--requests", type=int, default=40)
    parser.add_argument("-c", "--concurrency", type=int, default=4)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="quotebot-bench-") as tmp:
        url = args.url or own_server(Path(tmp) / "store")
        figures = run(url, args.requests, args.concurrency)
    print(json.dumps(figures))
    print(
        f"{figures['requests']} requests, {figures['concurrency']} at a time: "
        f"{figures['errors']} errors, p50 {figures['p50_s'] * 1000:.0f} ms, "
        f"p95 {figures['p95_s'] * 1000:.0f} ms, max {figures['max_s'] * 1000:.0f} ms, "
        f"{figures['req_per_s']} req/s"
    )
    return 1 if figures["errors"] else 0


if __name__ == "__main__":
    sys.exit(main())
