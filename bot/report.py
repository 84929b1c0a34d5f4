"""Evaluation reports: report.md, PNG plots, results.json, and the diff against a baseline."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

from matplotlib.figure import Figure  # the object API renders PNGs with Agg, no pyplot state

from bot.errors import InputError
from bot.evaluate import ROWS, EvalResult, ItemResult, fmt

MAX_CONFUSION_NAMES = 12
MAX_FAILURES = 200


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
    out: dict[str, list[str]] = {
        "fixed": [],
        "broken": [],
        "still_wrong": [],
        "still_right": [],
        "new": [],
    }
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


# --- plots ---------------------------------------------------------------------------------


def plot_accuracy_by_kind(result: EvalResult, path: Path) -> None:
    kinds = list(result.by_kind)
    values = [100 * (result.by_kind[k]["accuracy"] or 0) for k in kinds]
    counts = [result.by_kind[k]["questions"] for k in kinds]
    fig, ax = _figure(figsize=(max(4, 1.2 * len(kinds) + 2), 3.5))
    bars = ax.bar(kinds, values, color="#4c72b0")
    for bar, n in zip(bars, counts, strict=True):
        ax.annotate(
            f"n={n}",
            (bar.get_x() + bar.get_width() / 2, bar.get_height()),
            ha="center",
            va="bottom",
            fontsize=8,
        )
    ax.set_ylim(0, 105)
    ax.set_ylabel("accuracy (%)")
    ax.set_title("Accuracy by kind")
    _save(fig, path)


def plot_latency(result: EvalResult, path: Path) -> None:
    latencies = [r.latency_ms for r in result.items if not r.error]
    fig, ax = _figure(figsize=(5, 3.5))
    ax.hist(latencies or [0], bins=min(30, max(5, len(latencies) // 3)), color="#55a868")
    for key, style in (("latency_p50_ms", "--"), ("latency_p95_ms", ":")):
        if result.metrics[key] is not None:
            ax.axvline(result.metrics[key], color="black", linestyle=style, label=key[8:11])
    ax.set_xlabel("latency per question (ms)")
    ax.set_ylabel("questions")
    ax.set_title("Latency")
    if latencies:
        ax.legend()
    _save(fig, path)


def wrong_speakers(result: EvalResult) -> Counter[tuple[str, str]]:
    """(expected, given) pairs of answerable questions whose speaker was wrong."""
    pairs: Counter[tuple[str, str]] = Counter()
    for r in result.items:
        if r.item.answerable and not r.speaker:
            quotes = r.answer.get("quotes") or []
            given = "(abstained)" if r.abstained or not quotes else quotes[0]["speaker"] or "(none)"
            pairs[(r.item.speakers[0], given)] += 1
    return pairs


def plot_confusion(result: EvalResult, path: Path) -> None:
    pairs = wrong_speakers(result)
    expected: Counter[str] = Counter()
    given: Counter[str] = Counter()
    for (e, g), count in pairs.items():
        expected[e] += count
        given[g] += count
    rows = [name for name, _ in expected.most_common(MAX_CONFUSION_NAMES)]
    cols = [name for name, _ in given.most_common(MAX_CONFUSION_NAMES)]
    fig, ax = _figure(figsize=(max(4, 0.6 * len(cols) + 3), max(3, 0.4 * len(rows) + 2)))
    if not pairs:
        ax.text(0.5, 0.5, "no wrong speakers", ha="center", va="center")
        ax.set_axis_off()
    else:
        grid = [[pairs.get((e, g), 0) for g in cols] for e in rows]
        top = max(max(row) for row in grid)
        ax.imshow(grid, cmap="Reds", aspect="auto")
        for i, row in enumerate(grid):
            for j, value in enumerate(row):
                if value:
                    color = "white" if value > top / 2 else "black"
                    ax.text(j, i, str(value), ha="center", va="center", fontsize=8, color=color)
        ax.set_xticks(range(len(cols)), cols, rotation=45, ha="right", fontsize=8)
        ax.set_yticks(range(len(rows)), rows, fontsize=8)
        ax.set_xlabel("speaker given (top quote)")
        ax.set_ylabel("expected speaker")
    ax.set_title("Wrong speakers")
    _save(fig, path)


def _figure(figsize: tuple[float, float]) -> tuple[Figure, Any]:
    fig = Figure(figsize=figsize)
    return fig, fig.subplots()


def _save(fig: Figure, path: Path) -> None:
    fig.tight_layout()
    fig.savefig(path, dpi=100, format="png")


# --- markdown ------------------------------------------------------------------------------


def _metrics_md(result: EvalResult) -> list[str]:
    kinds = list(result.by_kind)
    lines = ["| Metric | All | " + " | ".join(kinds) + " |", "|---|---:|" + "---:|" * len(kinds)]
    for key, label, style in ROWS:
        values = [result.metrics[key]] + [result.by_kind[k][key] for k in kinds]
        cells = " | ".join(fmt(v, style) for v in values)
        lines.append(f"| {label.replace('@k', f'@{result.k}')} | {cells} |")
    counts = [result.metrics["questions"]] + [result.by_kind[k]["questions"] for k in kinds]
    lines.append("| Questions | " + " | ".join(str(c) for c in counts) + " |")
    return lines


def _failure_md(r: ItemResult) -> list[str]:
    quotes = r.answer.get("quotes") or []
    top = quotes[0] if quotes else None
    if r.item.answerable:
        want = f"{' / '.join(r.item.speakers)} — “{r.item.quote}” — {r.item.source}"
        marks = f"rank of the right quote: {r.rank or 'not in top k'}; " + ", ".join(
            f"{n} {'✓' if ok else '✗'}"
            for n, ok in (("speaker", r.speaker), ("quote", r.quote), ("source", r.source))
        )
    else:
        want, marks = "an abstention (no one in these articles said that)", "should abstain"
    got = "abstained" if r.abstained else "no quote"
    if top and not r.abstained:
        got = f"{top['speaker']} — “{top['quote'][:300]}” — {Path(top['source_path']).name}"
    lines = [
        f"### `{r.item.id}` ({r.item.group})",
        "",
        f"**Q:** {r.item.question}",
        "",
        f"- expected: {want}",
        f"- got: {got}",
        f"- verdicts: {marks}",
    ]
    if r.error:
        lines.append(f"- error: {r.error}")
    return lines + [""]


def write_report(result: EvalResult, out_dir: Path, baseline: Path | None = None) -> Path:
    """Write report.md, three PNG plots and results.json into ``out_dir``; return report.md."""
    out_dir = Path(out_dir)
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise InputError(f"{out_dir}: cannot create the report directory ({e.strerror}).") from e
    diff = diff_baseline(result, baseline) if baseline is not None else None
    data = result.to_dict() | ({"baseline": str(baseline), "diff": diff} if diff else {})
    (out_dir / "results.json").write_text(json.dumps(data, indent=1, ensure_ascii=False), "utf-8")
    plot_accuracy_by_kind(result, out_dir / "accuracy_by_kind.png")
    plot_latency(result, out_dir / "latency.png")
    plot_confusion(result, out_dir / "wrong_speakers.png")
    lines = [
        f"# quotebot evaluation ({result.to_dict()['version']})",
        "",
        f"**Headline accuracy: {fmt(result.headline, 'pct')}** "
        f"({sum(r.correct for r in result.items)}/{len(result.items)} questions right).",
        "",
    ]
    lines += _metrics_md(result) + [""]
    if diff is not None:
        lines += [f"## Against baseline `{baseline}`", ""]
        lines += [
            f"- **{name.replace('_', ' ')}** ({len(ids)}): {', '.join(ids[:50]) or '–'}"
            for name, ids in diff.items()
        ]
        lines.append("")
    lines += [
        "## Plots",
        "",
        "![Accuracy by kind](accuracy_by_kind.png)",
        "",
        "![Latency](latency.png)",
        "",
        "![Wrong speakers](wrong_speakers.png)",
        "",
    ]
    failures = result.failures()
    lines += [f"## Failures ({len(failures)})", ""]
    for r in failures[:MAX_FAILURES]:
        lines += _failure_md(r)
    if len(failures) > MAX_FAILURES:
        lines.append(f"…and {len(failures) - MAX_FAILURES} more in results.json.")
    report = out_dir / "report.md"
    report.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return report
