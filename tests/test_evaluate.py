"""Metric arithmetic on hand-made answers, the report files, the baseline diff, and one real run."""

from __future__ import annotations

import json
import re
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from conftest import GOLDEN
from rich.console import Console

from bot.eval.evaluate import (
    WARM_UP_QUESTION,
    EvalResult,
    diff_baseline,
    evaluate,
    percentile,
    quote_matches,
    score,
    source_matches,
    speaker_matches,
)
from bot.eval.golden import load_golden
from bot.eval.report import render_tables, write_report
from bot.types import Answer
from store.errors import InputError
from store.types import Hit

pytestmark = pytest.mark.filterwarnings("error")

DOC2 = "002_337fd35c83eca36f.txt"
DOC3 = "003_23247444e4f9a990.txt"


def hit(speaker: str, quote: str, file: str, doc_id: str = "") -> Hit:
    """A cited quote as the index returns it (only the fields the scoring reads matter)."""
    return Hit(
        id=f"{file}:0-1",
        quote=quote,
        speaker=speaker,
        speaker_mention=speaker,
        kind="direct",
        cue="said",
        doc_id=doc_id or file.split("_")[1].removesuffix(".txt"),
        title="t",
        publisher="",
        published="",
        source_path=f"/data/articles/{file}",
        start=0,
        end=len(quote),
    )


def answered(*hits: Hit) -> Answer:
    return Answer("q", "answer [1]", False, list(hits))


ABSTAINED = Answer("q", "No one in these articles said that.", True)

# The known answers to tests/golden/tiny.jsonl: the input of the arithmetic, not a fake bot part.
KNOWN = {
    "right": answered(
        hit("Mr Nebenzia", "Such statements are the latest example of baseless conjecture", DOC3)
    ),
    "wrong-speaker": answered(
        hit("Vladimir Putin", "“I believe this treaty is very timely,”", DOC2),
        hit("Leonid Slutsky", "I believe this treaty is very timely,", DOC2),
    ),
    "wrong-source": answered(hit("Peskov", "fake news.", "000_16c737f362081588.txt")),
    "abstain-right": ABSTAINED,
    "abstain-wrong": ABSTAINED,
    "invented-answered": answered(hit("Kim Jong Un", "free bicycles for all", DOC2)),
}


class KnownAnswers:
    """Answers ``ask`` from a table keyed by question id (as ``Bot.ask(question, id=…)``)."""

    def __init__(self, table: dict[str, Answer]) -> None:
        self.table = table
        self.asked: list[tuple[str, Any]] = []

    def ask(self, question: str, id: Any = None) -> Answer:
        self.asked.append((question, id))
        if question == WARM_UP_QUESTION:
            return ABSTAINED
        return replace(self.table[id], question=question, id=id)


@pytest.fixture
def tiny() -> list[Any]:
    return load_golden(GOLDEN / "tiny.jsonl")


@pytest.fixture
def result(tiny: list[Any]) -> EvalResult:
    return evaluate(KnownAnswers(KNOWN), tiny, k=5)


def test_every_question_goes_through_ask_with_its_id(tiny: list[Any]) -> None:
    bot = KnownAnswers(KNOWN)
    steps: list[int] = []
    result = evaluate(bot, tiny, progress=steps.append)
    # One untimed warm-up question first (model loading), then the set; the warm-up is not scored.
    assert bot.asked == [(WARM_UP_QUESTION, None)] + [(i.question, i.id) for i in tiny]
    assert steps == [1] * 6 and len(result.items) == 6
    assert result.warmup_ms >= 0 and result.to_dict()["warmup_ms"] == round(result.warmup_ms, 1)


def test_per_question_verdicts(result: EvalResult) -> None:
    v = {r.item.id: r.to_dict()["verdicts"] for r in result.items}
    assert v["right"] == {
        "correct": True,
        "abstained": False,
        "speaker": True,
        "quote": True,
        "source": True,
        "all_three": True,
        "rank": 1,
    }
    assert v["wrong-speaker"] == {
        "correct": False,
        "abstained": False,
        "speaker": False,
        "quote": True,
        "source": True,
        "all_three": False,
        "rank": 2,
    }
    assert v["wrong-source"] == {
        "correct": False,
        "abstained": False,
        "speaker": True,
        "quote": True,
        "source": False,
        "all_three": False,
        "rank": None,
    }
    assert v["abstain-right"] == {"correct": True, "abstained": True}
    assert v["abstain-wrong"] == {
        "correct": False,
        "abstained": True,
        "speaker": False,
        "quote": False,
        "source": False,
        "all_three": False,
        "rank": None,
    }
    assert v["invented-answered"] == {"correct": False, "abstained": False}


def test_metric_arithmetic(result: EvalResult) -> None:
    m = result.metrics
    assert (m["questions"], m["answerable"], m["unanswerable"], m["errors"]) == (6, 4, 2, 0)
    assert m["accuracy"] == pytest.approx(2 / 6)  # "right" and "abstain-right"
    assert result.headline == pytest.approx(2 / 6)
    assert m["all_three"] == pytest.approx(1 / 4)
    assert m["speaker"] == pytest.approx(2 / 4)
    assert m["quote"] == pytest.approx(3 / 4)
    assert m["source"] == pytest.approx(2 / 4)
    assert m["abstention_precision"] == pytest.approx(1 / 2)  # one of two abstentions was due
    assert m["abstention_recall"] == pytest.approx(1 / 2)  # one of two unanswerable abstained
    assert m["false_abstentions"] == 1
    assert m["recall_at_k"] == pytest.approx(2 / 4)  # ranks 1 and 2
    assert m["mrr"] == pytest.approx((1 + 1 / 2) / 4)
    assert 0 <= m["latency_p50_ms"] <= m["latency_p95_ms"]


def test_breakdown_by_kind(result: EvalResult) -> None:
    assert set(result.by_kind) == {"direct", "mixed", "unanswerable"}
    assert result.by_kind["direct"]["accuracy"] == pytest.approx(1 / 2)
    assert result.by_kind["mixed"]["accuracy"] == 0
    assert result.by_kind["mixed"]["speaker"] == pytest.approx(1 / 2)  # Peskov, then abstained
    assert result.by_kind["unanswerable"]["abstention_recall"] == pytest.approx(1 / 2)
    assert result.by_kind["unanswerable"]["speaker"] is None  # no answerable item to score


def test_k_limits_retrieval_metrics(tiny: list[Any]) -> None:
    m = evaluate(KnownAnswers(KNOWN), tiny, k=1).metrics
    assert m["recall_at_k"] == pytest.approx(1 / 4) and m["mrr"] == pytest.approx(1 / 4)
    with pytest.raises(InputError, match="-k must be at least 1"):
        evaluate(KnownAnswers(KNOWN), tiny, k=0)


def test_rank_comes_from_the_retrievers_candidates_when_given(tiny: list[Any]) -> None:
    right = hit(
        "Vassily Nebenzia", "Such statements are the latest example of baseless conjecture", DOC3
    )
    other = hit("Kim Song", "Meanwhile, it takes issue", DOC3)
    # The answer step abstained although retrieval had the right quote second.
    lost = replace(ABSTAINED, candidates=[other, right])
    by_id = {i.id: i for i in tiny}
    r = score(by_id["right"], lost, 10.0, k=5)
    assert (r.correct, r.rank) == (False, 2)
    assert score(by_id["right"], lost, 10.0, k=1).rank is None


def test_a_refused_question_is_scored_wrong_not_raised(tiny: list[Any]) -> None:
    class Refuses(KnownAnswers):
        def ask(self, question: str, id: Any = None) -> Answer:
            if id == "right":
                raise InputError("The question is longer than 2000 characters.")
            return super().ask(question, id)

    result = evaluate(Refuses(KNOWN), tiny)
    first = result.to_dict()["items"][0]
    assert first["error"] == "The question is longer than 2000 characters."
    assert first["verdicts"]["correct"] is False
    assert result.metrics["errors"] == 1 and result.metrics["accuracy"] == pytest.approx(1 / 6)


@pytest.mark.parametrize(
    ("given", "accepted", "ok"),
    [
        ("Nebenzia", ["Vassily Nebenzia"], True),  # surname of an accepted full name
        ("Vassily Nebenzia", ["Nebenzia"], True),  # full name for an accepted surname
        ("Mr. Nebenzia", ["Vassily Nebenzia"], True),  # titles do not count
        ("Volodymyr Zelenskyy", ["volodymyr zelenskyy"], True),
        ("José Mujica", ["Jose Mujica"], True),  # accents do not count
        ("Kim Jong-un", ["Kim Jong Un"], True),
        ("U.S.", ["US"], True),
        ("Lyudmila Putina", ["Vladimir Putin"], False),
        ("Lyudmila Putin", ["Vladimir Putin"], False),  # same surname, another person
        ("Putin", ["Vladimir Putin", "Kremlin"], True),
        ("", ["Vladimir Putin"], False),
    ],
)
def test_speaker_matching(given: str, accepted: list[str], ok: bool) -> None:
    assert speaker_matches(given, accepted) is ok


@pytest.mark.parametrize(
    ("cited", "fragment", "ok"),
    [
        (
            "“I believe this treaty is very timely,” he said",
            "i believe THIS treaty is very timely",
            True,
        ),
        ("warning they will be \u201cfair game\u201d", '"fair game"', True),
        ("fair gamekeeper", "fair game", False),  # whole words only
        ("very timely", "I believe this treaty is very timely", False),  # 2 of 7 words
        ("this treaty is very timely", "I believe this treaty is very timely", True),  # 5 of 7
        ("", "fair game", False),
    ],
)
def test_quote_matching(cited: str, fragment: str, ok: bool) -> None:
    assert quote_matches(cited, fragment) is ok


def test_source_matching() -> None:
    h = hit("X", "q", DOC3, doc_id="23247444e4f9a990")
    assert source_matches(h, DOC3) and source_matches(h, "003_23247444E4F9A990")
    assert source_matches(h, "23247444e4f9a990")  # the doc id
    assert not source_matches(h, DOC2) and not source_matches(h, "")


def test_percentile_is_nearest_rank() -> None:
    assert percentile([40, 10, 30, 20], 50) == 20
    assert percentile([40, 10, 30, 20], 95) == 40
    assert percentile([], 50) is None


def test_to_dict_is_json_with_every_question(result: EvalResult) -> None:
    data = json.loads(json.dumps(result.to_dict()))
    assert data["version"] == "eval.v1" and data["k"] == 5
    assert data["headline"] == pytest.approx(1 / 3)
    assert [i["id"] for i in data["items"]] == [r.item.id for r in result.items]
    wrong = data["items"][1]
    assert wrong["answer"]["quotes"][0]["speaker"] == "Vladimir Putin"
    assert wrong["speakers"] == ["Leonid Slutsky", "Slutsky"]


def test_tables_fit_an_80_column_terminal(result: EvalResult) -> None:
    console = Console(record=True, width=80)
    for table in render_tables(result):
        console.print(table)
    text = console.export_text()
    assert max(len(line) for line in text.splitlines()) <= 80
    assert "6 questions (4 answerable, 2 unanswerable), k=5" in text
    cells = [re.split(r"\s{2,}", line.strip()) for line in text.splitlines()]
    head = {row[0]: row[-1] for row in cells if len(row) == 2}
    assert (
        head["Accuracy (headline)"] == "33.3%" and head["All three, top-1 (answerable)"] == "25.0%"
    )
    assert head["Abstention precision"] == "50.0%" and head["False abstentions"] == "1"
    assert head["Retrieval recall@5"] == "50.0%" and head["MRR"] == "0.375"
    # By kind: one row per kind, metrics as columns (n, accuracy, speaker, quote, source, …).
    rows = {row[0]: row[1:] for row in cells if len(row) == 9}
    assert rows["direct"][:5] == ["2", "50.0%", "50.0%", "100.0%", "100.0%"]
    assert rows["mixed"][:5] == ["2", "0.0%", "50.0%", "50.0%", "0.0%"]
    assert rows["unanswerable"][:6] == ["2", "50.0%", "–", "–", "–", "50.0%"]


def test_write_report(result: EvalResult, tmp_path: Path) -> None:
    report = write_report(result, tmp_path / "out", None)
    assert report == tmp_path / "out" / "report.md"
    for png in ("accuracy_by_kind.png", "latency.png", "wrong_speakers.png"):
        data = (tmp_path / "out" / png).read_bytes()
        assert data.startswith(b"\x89PNG") and len(data) > 2000
    text = report.read_text(encoding="utf-8")
    assert "**Headline accuracy: 33.3%** (2/6 questions right)" in text
    assert "| All three, top-1 (answerable) | 25.0% |" in text and "| MRR | 0.375 |" in text
    assert "| Kind | n | Accuracy | Speaker | Quote | Source | Abst. R | R@5 | MRR |\n" in text
    assert "| mixed | 2 | 0.0% | 50.0% | 50.0% | 0.0% | – | 0.0% | 0.000 |" in text
    assert "## Failures (4)" in text and "### `wrong-speaker` (direct)" in text
    assert "- got: Vladimir Putin" in text and "speaker ✗, quote ✓, source ✓" in text
    assert "![Wrong speakers](wrong_speakers.png)" in text
    saved = json.loads((tmp_path / "out" / "results.json").read_text(encoding="utf-8"))
    assert len(saved["items"]) == 6 and saved["metrics"]["mrr"] == pytest.approx(0.375)


def test_diff_against_baseline(tiny: list[Any], result: EvalResult, tmp_path: Path) -> None:
    write_report(result, tmp_path / "before", None)
    later = dict(KNOWN)
    later["wrong-speaker"] = answered(KNOWN["wrong-speaker"].quotes[1])  # now right
    later["right"] = ABSTAINED  # now wrong
    later["brand-new"] = ABSTAINED
    now = evaluate(KnownAnswers(later), tiny[:5] + [replace(tiny[5], id="brand-new")])
    diff = diff_baseline(now, tmp_path / "before" / "results.json")
    assert diff == {
        "fixed": ["wrong-speaker"],
        "broken": ["right"],
        "still_wrong": ["wrong-source", "abstain-wrong"],
        "still_right": ["abstain-right"],
        "new": ["brand-new"],
        "missing": ["invented-answered"],
    }
    report = write_report(now, tmp_path / "after", tmp_path / "before" / "results.json")
    text = report.read_text(encoding="utf-8")
    assert "- **fixed** (1): wrong-speaker" in text and "- **broken** (1): right" in text
    saved = json.loads((tmp_path / "after" / "results.json").read_text(encoding="utf-8"))
    assert saved["diff"]["fixed"] == ["wrong-speaker"]


def test_bad_baseline_is_a_sentence(result: EvalResult, tmp_path: Path) -> None:
    with pytest.raises(InputError, match="does not exist"):
        diff_baseline(result, tmp_path / "nope.json")
    (tmp_path / "bad.json").write_text("{not json", encoding="utf-8")
    with pytest.raises(InputError, match="bad.json: cannot read the baseline as JSON"):
        diff_baseline(result, tmp_path / "bad.json")
    (tmp_path / "other.json").write_text('{"items": [{"id": "a"}]}', encoding="utf-8")
    with pytest.raises(InputError, match="not a results.json from `quotebot eval --report`"):
        diff_baseline(result, tmp_path / "other.json")


# --- end to end: the real Bot (spaCy, MiniLM, Chroma) over examples/ -----------------------


class Watched:
    """The real Bot, noting before each ``ask`` whether its chain (index, models) is built."""

    def __init__(self, bot: Any) -> None:
        self.bot = bot
        self.built: list[bool] = []

    def ask(self, question: str, id: Any = None) -> Answer:
        self.built.append("chain" in vars(self.bot))
        return self.bot.ask(question, id=id)


def test_real_bot_on_examples(seeded_store: Path, tmp_path: Path) -> None:
    from bot.core import Bot
    from bot.settings import Settings

    items = load_golden(GOLDEN / "examples_e2e.jsonl")
    watched = Watched(Bot.build(Settings(store=seeded_store)))  # cold: nothing built yet
    result = evaluate(watched, items, k=5)
    # The warm-up question builds the chain; every timed question finds it built.
    assert watched.built == [False] + [True] * len(items) and result.warmup_ms > 0
    v = {r.item.id: r for r in result.items}
    for qid in ("e1", "e2", "e3"):
        assert (v[qid].speaker, v[qid].quote, v[qid].source, v[qid].rank) == (True, True, True, 1)
    assert v["e4"].abstained and v["e4"].correct
    trap = v["e5"]  # the golden expects the wrong person: Kim Jong Un's quote must score wrong
    assert (trap.speaker, trap.quote, trap.source, trap.correct) == (False, True, True, False)
    assert trap.answer["quotes"][0]["speaker"] == "Kim Jong Un"
    m = result.metrics
    assert m["accuracy"] == pytest.approx(4 / 5) and m["all_three"] == pytest.approx(3 / 4)
    assert m["abstention_precision"] == 1 and m["abstention_recall"] == 1
    assert m["recall_at_k"] == pytest.approx(3 / 4) and m["mrr"] == pytest.approx(3 / 4)
    assert 0 < m["latency_p50_ms"] <= m["latency_p95_ms"] < 30_000

    report = write_report(result, tmp_path / "report", None)
    text = report.read_text(encoding="utf-8")
    assert "**Headline accuracy: 80.0%** (4/5 questions right)" in text
    assert "### `e5` (trap)" in text and "- got: Kim Jong Un — “" in text
    again = evaluate(watched.bot, items, k=5)  # the same store twice: nothing fixed or broken
    diff = diff_baseline(again, tmp_path / "report" / "results.json")
    assert diff["still_right"] == ["e1", "e2", "e3", "e4"] and diff["still_wrong"] == ["e5"]
    assert diff["fixed"] == diff["broken"] == []


def test_cli_eval_tables_report_baseline_and_fail_under(seeded_store: Path, tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from bot.cli import app

    golden, store = str(GOLDEN / "examples_e2e.jsonl"), str(seeded_store)
    args = ["eval", golden, "--store", store, "--report", str(tmp_path / "r")]
    run = CliRunner().invoke(app, [*args, "--fail-under", "0.9"], env={"COLUMNS": "100"})
    assert run.exit_code == 1 and "Failed: accuracy 0.800 < 0.9" in run.output
    assert "5 questions (4 answerable, 1 unanswerable), k=5" in run.output
    lines = run.output.splitlines()
    assert max(len(line) for line in lines) <= 100
    assert any(re.fullmatch(r"\s*Accuracy \(headline\)\s+80\.0%\s*", line) for line in lines)
    assert any(re.fullmatch(r"\s*trap\s+1\s+0\.0%\s+0\.0%\s+100\.0%.*", line) for line in lines)
    assert (tmp_path / "r" / "report.md").is_file()
    baseline = ["--baseline", str(tmp_path / "r" / "results.json")]
    again = CliRunner().invoke(app, ["eval", golden, "--store", store, "--json", *baseline])
    assert again.exit_code == 0
    data = json.loads(again.stdout)
    assert data["diff"]["still_wrong"] == ["e5"] and data["diff"]["fixed"] == []
    assert data["metrics"]["accuracy"] == pytest.approx(0.8) and data["warmup_ms"] > 0
