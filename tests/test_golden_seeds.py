"""The seed golden set, asked through the real CLI in one `ask --batch` process."""

from __future__ import annotations

import json
import subprocess
import sys
import unicodedata
from pathlib import Path

from conftest import GOLDEN

QUOTEBOT = [sys.executable, "-m", "bot"]


def _norm(text: str) -> str:
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return " ".join(text.lower().replace(".", "").split())


def _verdict(item: dict, answer: dict) -> str:
    """'ok' or what is wrong with the top answer."""
    if not item.get("answerable", True):
        return "ok" if answer["abstained"] and not answer["quotes"] else "should abstain"
    if answer["abstained"] or not answer["quotes"]:
        return "abstained"
    top = answer["quotes"][0]
    if _norm(top["speaker"]) not in {_norm(s) for s in item["speakers"]}:
        return f"speaker {top['speaker']!r}"
    if _norm(item["quote"]) not in _norm(top["quote"]):
        return f"quote {top['quote']!r}"
    if Path(top["source_path"]).name != item["source"]:
        return f"source {top['source_path']!r}"
    return "ok"


def test_seed_golden_set_all_correct(seeded_store: Path) -> None:
    items = [json.loads(line) for line in (GOLDEN / "seeds.jsonl").read_text().splitlines()]
    assert len(items) >= 25 and sum(not i["answerable"] for i in items) >= 3
    batch = "".join(json.dumps({"id": i["id"], "question": i["question"]}) + "\n" for i in items)
    run = subprocess.run(
        [*QUOTEBOT, "ask", "--batch", "-", "--json", "--store", str(seeded_store)],
        input=batch,
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )
    answers = [json.loads(line) for line in run.stdout.splitlines()]
    assert [a["id"] for a in answers] == [i["id"] for i in items]
    for answer in answers:
        if answer["quotes"]:
            assert answer["quotes"][0]["start"] < answer["quotes"][0]["end"]
    verdicts = {i["id"]: _verdict(i, a) for i, a in zip(items, answers, strict=True)}
    assert {k: v for k, v in verdicts.items() if v != "ok"} == {}
