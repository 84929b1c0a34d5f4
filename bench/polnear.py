"""The PolNeAR train + dev store the benches share: every article with its title, publisher and
date (metadata.tsv) as one JSONL file, its file stem as the URL, ingested once and reused."""

from __future__ import annotations

import csv
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.core import Bot  # noqa: E402
from bot.settings import Settings  # noqa: E402

DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "polnear"


def polnear_jsonl(out: Path) -> list[str]:
    """Write train+dev articles as JSONL (with publisher, date, title); returns file stems."""
    meta = {r["filename"]: r for r in csv.DictReader(open(DATA / "metadata.tsv"), delimiter="\t")}
    stems = []
    with out.open("w") as f:
        for split in ("dev", "train"):
            for path in sorted((DATA / split / "text").glob("*.txt")):
                m = meta.get(path.stem, {})
                record = {
                    "text": path.read_text(encoding="utf-8"),
                    "title": m.get("title", ""),
                    "publisher": m.get("publisher", ""),
                    "published": m.get("publication_date", ""),
                    "url": path.stem,
                }
                f.write(json.dumps(record) + "\n")
                stems.append(path.stem)
    return stems


def polnear_store(store: Path) -> Bot:
    """A Bot over ``store``, holding the PolNeAR train + dev articles (ingested on first use)."""
    bot = Bot.build(Settings(store=store))
    bot.embedder.encode(["load the model"])
    if bot.index.counts()[0] < 900:
        store.mkdir(parents=True, exist_ok=True)
        jsonl = store.parent / f"{store.name}.jsonl"
        polnear_jsonl(jsonl)
        t = time.time()
        report = bot.ingest([jsonl])
        took = time.time() - t
        print(
            f"ingested {report.documents} articles, {report.quotes} quotes in {took:.0f} s",
            file=sys.stderr,
        )
    return bot
