"""Offline evaluation: run golden questions through ``ask`` and score them (docs/evaluation.md)."""

from __future__ import annotations

import json
import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from bot.eval.golden import GoldenItem, load_golden, norm_text
from bot.types import Answer
from store.errors import InputError
from store.speakers import canonical_key
from store.types import Hit

__all__ = ["EvalResult", "ItemResult", "diff_baseline", "evaluate", "load_golden", "warm_up"]

VERSION = "eval.v1"
MIN_OVERLAP = 0.5
WARM_UP_QUESTION = "Who said this warm-up question?"  # asked once, untimed, before the set
SHOWN = {"what_about": 3}  # kinds whose answer is a list: the right quote among the first 3


class Asker(Protocol):
    def ask(self, question: str, *, id: Any = None) -> Answer: ...


# --- scoring one hit ---------------------------------------------------------------------------


def name_key(name: str) -> str:
    """Titles, case, accents, dots and punctuation removed ("Kim Jong-un" → "kim jong un")."""
    return norm_text(canonical_key(name).replace(".", ""))


def speaker_matches(speaker: str, accepted: Sequence[str]) -> bool:
    """Same name, or a surname alone against a full name with that surname (either way)."""
    got = name_key(speaker)
    if not got:
        return False
    for name in accepted:
        want = name_key(name)
        if got == want:
            return True
        g, w = got.split(), want.split()
        if (len(g) == 1 or len(w) == 1) and g[-1:] == w[-1:]:
            return True
    return False


def quote_matches(cited: str, fragment: str) -> bool:
    """Fragment inside the cited quote, or the cited quote inside the fragment covering ≥ half."""
    c, f = norm_text(cited), norm_text(fragment)
    if not c or not f:
        return False
    if f" {f} " in f" {c} ":
        return True
    return f" {c} " in f" {f} " and len(c.split()) >= MIN_OVERLAP * len(f.split())


def source_matches(hit: Hit, source: str) -> bool:
    """``source`` is the doc id, or (a part of) the file name the article came from or its URL."""
    want = source.strip().lower()
    base = Path(hit.source_path.replace("\\", "/")).name.lower()
    url = hit.url.strip().lower()
    return bool(want) and (
        hit.doc_id.lower() == want or (bool(base) and want in base) or (bool(url) and want in url)
    )


def hit_verdicts(hit: Hit, item: GoldenItem) -> dict[str, bool]:
    speaker = speaker_matches(hit.speaker or hit.speaker_mention, item.speakers)
    quote = quote_matches(hit.quote, item.quote)
    source = source_matches(hit, item.source)
    return {"speaker": speaker, "quote": quote, "source": source}


# --- one question --------------------------------------------------------------------------


@dataclass
class ItemResult:
    """One golden question, the bot's answer, and its verdicts."""

    item: GoldenItem
    answer: dict[str, Any]
    latency_ms: float
    abstained: bool
    speaker: bool = False
    quote: bool = False
    source: bool = False
    rank: int | None = None  # 1-based position of the right quote among the top k
    error: str = ""

    @property
    def all_three(self) -> bool:
        return self.speaker and self.quote and self.source

    @property
    def correct(self) -> bool:
        """All three right on the top quote; for an unanswerable question, an abstention."""
        if self.error:
            return False
        return self.all_three and not self.abstained if self.item.answerable else self.abstained

    def to_dict(self) -> dict[str, Any]:
        verdicts: dict[str, Any] = {"correct": self.correct, "abstained": self.abstained}
        if self.item.answerable:
            verdicts.update(
                speaker=self.speaker,
                quote=self.quote,
                source=self.source,
                all_three=self.all_three,
                rank=self.rank,
            )
        out = {
            **self.item.to_dict(),
            "answer": self.answer,
            "latency_ms": round(self.latency_ms, 1),
        }
        out["verdicts"] = verdicts
        if self.error:
            out["error"] = self.error
        return out


def shown(item: GoldenItem) -> int:
    """How many of the cited quotes a user reads as the answer: the top one for who-said
    questions; the first three for "what did X say about Y", which lists X's quotes on Y."""
    return SHOWN.get(item.kind, 1)


def score(item: GoldenItem, answer: Answer, latency_ms: float, k: int) -> ItemResult:
    """Verdicts of one answer: checks on the quote(s) shown, and the right quote's rank in top k."""
    result = ItemResult(item, answer.to_dict(), latency_ms, answer.abstained)
    if not item.answerable:
        return result
    cited = [hit_verdicts(hit, item) for hit in answer.quotes[: shown(item)]]
    if cited and not answer.abstained:
        top = next((v for v in cited if all(v.values())), cited[0])
        result.speaker, result.quote, result.source = top["speaker"], top["quote"], top["source"]
    ranked = [hit_verdicts(hit, item) for hit in (answer.candidates or answer.quotes)[:k]]
    result.rank = next((i for i, v in enumerate(ranked, 1) if all(v.values())), None)
    return result


# --- the run and its metrics -------------------------------------------------------------------


def _ratio(num: int, den: int) -> float | None:
    return num / den if den else None


def percentile(values: Sequence[float], p: float) -> float | None:
    """Nearest-rank percentile (the smallest value with at least p% of values at or below)."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)]


def metrics(results: Sequence[ItemResult]) -> dict[str, Any]:
    """All the numbers of a run (None where a rate has no denominator)."""
    ans = [r for r in results if r.item.answerable]
    unans = [r for r in results if not r.item.answerable]
    abstentions = [r for r in results if r.abstained]
    latencies = [r.latency_ms for r in results if not r.error]
    return {
        "questions": len(results),
        "answerable": len(ans),
        "unanswerable": len(unans),
        "errors": sum(1 for r in results if r.error),
        "accuracy": _ratio(sum(r.correct for r in results), len(results)),
        "all_three": _ratio(sum(r.correct for r in ans), len(ans)),
        "speaker": _ratio(sum(r.speaker for r in ans), len(ans)),
        "quote": _ratio(sum(r.quote for r in ans), len(ans)),
        "source": _ratio(sum(r.source for r in ans), len(ans)),
        "abstention_precision": _ratio(
            sum(not r.item.answerable for r in abstentions), len(abstentions)
        ),
        "abstention_recall": _ratio(sum(r.abstained for r in unans), len(unans)),
        "false_abstentions": sum(r.abstained for r in ans),
        "recall_at_k": _ratio(sum(r.rank is not None for r in ans), len(ans)),
        "mrr": sum(1 / r.rank for r in ans if r.rank) / len(ans) if ans else None,
        "latency_p50_ms": percentile(latencies, 50),
        "latency_p95_ms": percentile(latencies, 95),
    }


@dataclass
class EvalResult:
    """A scored run: per-question results, overall metrics and the breakdown by ``kind``."""

    items: list[ItemResult]
    k: int = 5
    metrics: dict[str, Any] = field(default_factory=dict)
    by_kind: dict[str, dict[str, Any]] = field(default_factory=dict)
    warmup_ms: float = 0.0  # the untimed throwaway question (model loading), not in latency

    @classmethod
    def from_items(cls, items: list[ItemResult], k: int) -> EvalResult:
        groups: dict[str, list[ItemResult]] = {}
        for r in items:
            groups.setdefault(r.item.group, []).append(r)
        return cls(items, k, metrics(items), {g: metrics(rs) for g, rs in sorted(groups.items())})

    @property
    def headline(self) -> float:
        """Share of questions answered right (all three on top-1, or a due abstention)."""
        return self.metrics.get("accuracy") or 0.0

    def failures(self) -> list[ItemResult]:
        return [r for r in self.items if not r.correct]

    def to_dict(self) -> dict[str, Any]:
        return {
            "version": VERSION,
            "k": self.k,
            "headline": self.headline,
            "metrics": self.metrics,
            "by_kind": self.by_kind,
            "warmup_ms": round(self.warmup_ms, 1),
            "items": [r.to_dict() for r in self.items],
        }


def warm_up(bot: Asker) -> float:
    """Ask one throwaway question (loads the models, opens the index, builds the chain); ms."""
    start = time.perf_counter()
    bot.ask(WARM_UP_QUESTION)
    return (time.perf_counter() - start) * 1000


def evaluate(
    bot: Asker,
    items: Sequence[GoldenItem],
    k: int = 5,
    progress: Callable[[int], None] | None = None,
) -> EvalResult:
    """Warm up, then ask every golden question through ``bot.ask`` (the users' path) and score."""
    if k < 1:
        raise InputError(f"-k must be at least 1, not {k}.")
    warmup_ms = warm_up(bot)  # so the first question's latency is not the model loading
    results: list[ItemResult] = []
    for item in items:
        start = time.perf_counter()
        try:
            answer = bot.ask(item.question, id=item.id)
        except InputError as e:  # a question the bot refuses (too long…) is a wrong answer
            failed = Answer(item.question, "", abstained=False, id=item.id)
            results.append(ItemResult(item, failed.to_dict(), 0.0, False, error=str(e)))
        else:
            latency = (time.perf_counter() - start) * 1000
            results.append(score(item, answer, latency, k))
        if progress:
            progress(1)
    result = EvalResult.from_items(results, k)
    result.warmup_ms = warmup_ms
    return result


# --- comparing runs ------------------------------------------------------------------------


def diff_baseline(result: EvalResult, baseline_results_json: Path) -> dict[str, list[str]]:
    """Per-question change against an earlier results.json, matched by ``id``."""
    path = Path(baseline_results_json)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        before = {str(i["id"]): bool(i["verdicts"]["correct"]) for i in data["items"]}
    except FileNotFoundError as e:
        raise InputError(f"{path}: the baseline file does not exist.") from e
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as e:
        raise InputError(f"{path}: cannot read the baseline as JSON ({e}).") from e
    except (KeyError, TypeError) as e:
        raise InputError(
            f"{path}: not a results.json from `quotebot eval --report` "
            f"(missing {e} in items[].verdicts.correct)."
        ) from e
    out: dict[str, list[str]] = {k: [] for k in ("fixed", "broken", "still_wrong", "still_right")}
    out["new"] = []
    now = {r.item.id: r.correct for r in result.items}
    for qid, correct in now.items():
        if qid not in before:
            out["new"].append(qid)
        elif correct != before[qid]:
            out["fixed" if correct else "broken"].append(qid)
        else:
            out["still_right" if correct else "still_wrong"].append(qid)
    out["missing"] = sorted(set(before) - set(now))
    return out
