"""The natural-question golden sets agree with the PolNeAR gold (bench/natural_check.py)."""

from __future__ import annotations

import json
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
from conftest import GOLDEN, ROOT

POLNEAR = ROOT.parent / "shared" / "data" / "polnear"
CHECKER = [sys.executable, str(ROOT / "bench" / "natural_check.py"), "--polnear", str(POLNEAR)]
DEV = GOLDEN / "natural_dev.jsonl"
TRAIN = GOLDEN / "natural_train.jsonl"

pytestmark = pytest.mark.skipif(
    not (POLNEAR / "metadata.tsv").is_file(), reason=f"PolNeAR is not at {POLNEAR}"
)


def _check(*files: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*CHECKER, *map(str, files)], capture_output=True, text=True, timeout=120, check=False
    )


def test_natural_golden_sets_pass_the_checker() -> None:
    files = [DEV] + ([TRAIN] if TRAIN.is_file() else [])
    run = _check(*files)
    assert run.returncode == 0, run.stdout + run.stderr
    assert run.stdout.rstrip().endswith(" 0 failed")


def test_natural_dev_covers_every_kind() -> None:
    items = [json.loads(line) for line in DEV.read_text().splitlines() if line.strip()]
    kinds = Counter(i["kind"] for i in items)
    assert len(items) >= 110 and len({i.get("source") for i in items}) >= 60
    assert set(kinds) == {
        "paraphrase", "keyword", "what_about", "reported", "pronoun_title", "did", "dated", "nobody"
    }  # fmt: skip
    assert 0.08 <= kinds["nobody"] / len(items) <= 0.15


def test_checker_rejects_a_wrong_item(tmp_path: Path) -> None:
    item = json.loads(DEV.read_text().splitlines()[0])
    assert item["answerable"]
    bad = [
        {**item, "quote": "words that are nowhere in the span"},
        {**item, "id": "nd999", "gold": {**item["gold"], "source": [0, 1]}},
        {"id": "nd998", "question": "Who said Clinton was headed to an emergency room?",
         "answerable": False, "kind": "nobody", "gold": {"split": "dev"}},
    ]  # fmt: skip
    path = tmp_path / "natural_dev_bad.jsonl"
    path.write_text("".join(json.dumps(i) + "\n" for i in bad))
    run = _check(path)
    assert run.returncode == 1
    assert "0 passed, 3 failed" in run.stdout
    assert "is not inside the gold Content span" in run.stdout
    assert "is not the Source of that attribution" in run.stdout
    assert "occur in the gold Content 'Hillary Clinton was headed to an emergency" in run.stdout
