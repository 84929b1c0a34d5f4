"""Evaluation output: terminal tables, report.md, PNG plots, results.json, the baseline diff."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

from matplotlib.figure import Figure  # the object API renders PNGs with Agg, no pyplot state
from rich import box
from rich.console import RenderableType
from rich.table import Table

from bot.eval.evaluate import VERSION, EvalResult, ItemResult, diff_baseline
from store.errors import InputError

MAX_CONFUSION_NAMES = 12
MAX_FAILURES = 200
PLOTS = [
    ("accuracy_by_kind.png", "Accuracy by kind"),
    ("latency.png", "Latency"),
    ("wrong_speakers.png", "Wrong speakers"),
]


# --- tables --------------------------------------------------------------------------------

# (metrics key, label, format): the headline table, one row per metric.
ROWS = [
    ("accuracy", "Accuracy (headline)", "pct"),
    ("all_three", "All three, top-1 (answerable)", "pct"),
    ("speaker", "Speaker accuracy", "pct"),
    ("quote", "Quote match", "pct"),
    ("source", "Source match", "pct"),
    ("abstention_precision", "Abstention precision", "pct"),
    ("abstention_recall", "Abstention recall", "pct"),
    ("false_abstentions", "False abstentions", "int"),
    ("recall_at_k", "Retrieval recall@k", "pct"),
    ("mrr", "MRR", "num"),
    ("latency_p50_ms", "Latency p50 (ms)", "ms"),
    ("latency_p95_ms", "Latency p95 (ms)", "ms"),
]
# The "by kind" table: one row per kind, these columns (they fit in 80 columns).
KIND_COLUMNS = [
    ("questions", "n", "int"),
    ("accuracy", "Accuracy", "pct"),
    ("speaker", "Speaker", "pct"),
    ("quote", "Quote", "pct"),
    ("source", "Source", "pct"),
    ("abstention_recall", "Abst. R", "pct"),
    ("recall_at_k", "R@k", "pct"),
    ("mrr", "MRR", "num"),
]


def fmt(value: Any, style: str) -> str:
    if value is None:
        return "–"
    if style == "pct":
        return f"{100 * value:.1f}%"
    if style == "int":
        return str(value)
    if style == "ms":
        return f"{value:.0f}" if value >= 10 else f"{value:.1f}"
    return f"{value:.3f}"


def label(text: str, k: int) -> str:
    return text.replace("@k", f"@{k}")


def render_tables(result: EvalResult) -> list[RenderableType]:
    """A summary line, the headline table (metric, value), and kinds as rows × a few metrics."""
    m = result.metrics
    summary = (
        f"quotebot eval: {m['questions']} questions ({m['answerable']} answerable, "
        f"{m['unanswerable']} unanswerable), k={result.k}\n"
        f"latency measured after an untimed warm-up question ({result.warmup_ms / 1000:.1f} s)"
    )
    style: dict[str, Any] = {"box": box.SIMPLE_HEAD, "title_justify": "left", "pad_edge": False}
    head = Table(title="Metrics", **style)
    head.add_column("Metric")
    head.add_column("Value", justify="right")
    for key, text, fmt_ in ROWS:
        head.add_row(label(text, result.k), fmt(m[key], fmt_))
    kinds = Table(title="By kind", collapse_padding=True, **style)
    kinds.add_column("Kind", no_wrap=True)
    for _, text, _ in KIND_COLUMNS:
        kinds.add_column(label(text, result.k), justify="right", no_wrap=True)
    for kind, km in result.by_kind.items():
        kinds.add_row(kind, *(fmt(km[key], fmt_) for key, _, fmt_ in KIND_COLUMNS))
    return [summary, head, kinds]


# --- plots ---------------------------------------------------------------------------------


def plot_accuracy_by_kind(result: EvalResult, path: Path) -> None:
    kinds = list(result.by_kind)
    values = [100 * (result.by_kind[k]["accuracy"] or 0) for k in kinds]
    counts = [result.by_kind[k]["questions"] for k in kinds]
    fig, ax = _figure(figsize=(max(4, 1.2 * len(kinds) + 2), 3.5))
    bars = ax.bar(kinds, values, color="#4c72b0")
    for bar, n in zip(bars, counts, strict=True):
        ax.annotate(
            f"{bar.get_height():.0f}%\nn={n}",
            (bar.get_x() + bar.get_width() / 2, bar.get_height()),
            ha="center",
            va="bottom",
            fontsize=8,
        )
    ax.set_ylim(0, 118)
    ax.set_yticks(range(0, 101, 20))
    if len(kinds) > 6:
        ax.tick_params(axis="x", labelrotation=30)
    ax.set_ylabel("accuracy (%)")
    ax.set_title("Accuracy by kind")
    _save(fig, path)


def plot_latency(result: EvalResult, path: Path) -> None:
    latencies = [r.latency_ms for r in result.items if not r.error]
    fig, ax = _figure(figsize=(5, 3.5))
    ax.hist(latencies or [0], bins=min(30, max(5, len(latencies) // 3)), color="#55a868")
    for key, style in (("latency_p50_ms", "--"), ("latency_p95_ms", ":")):
        if result.metrics[key] is not None:
            value = result.metrics[key]
            ax.axvline(value, color="black", linestyle=style, label=f"{key[8:11]} {value:.0f} ms")
    ax.set_xlabel("latency per question (ms)")
    ax.set_ylabel("questions")
    ax.set_title(f"Latency of {len(latencies)} questions (after warm-up)")
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
    for (e, _), count in pairs.items():
        expected[e] += count
    rows = [name for name, _ in expected.most_common(MAX_CONFUSION_NAMES)]
    given: Counter[str] = Counter()  # only speakers given for the expected names shown
    for (e, g), count in pairs.items():
        given[g] += count if e in rows else 0
    cols = [name for name, n in given.most_common(MAX_CONFUSION_NAMES) if n]
    fig, ax = _figure(figsize=(max(4, 0.6 * len(cols) + 3), max(3, 0.4 * len(rows) + 2)))
    if not pairs:
        ax.text(0.5, 0.5, "no wrong speakers", ha="center", va="center")
        ax.set_axis_off()
    else:
        grid = [[pairs.get((e, g), 0) for g in cols] for e in rows]
        top = max(max(row) for row in grid)
        ax.imshow(grid, cmap="Reds", aspect="auto", vmin=0, vmax=top)
        for i, row in enumerate(grid):
            for j, value in enumerate(row):
                if value:
                    color = "white" if value > top / 2 else "black"
                    ax.text(j, i, str(value), ha="center", va="center", fontsize=8, color=color)
        ax.set_xticks(range(len(cols)), cols, rotation=45, ha="right", fontsize=8)
        ax.set_yticks(range(len(rows)), rows, fontsize=8)
        ax.set_xlabel("speaker given (top quote)")
        ax.set_ylabel("expected speaker")
    shown = sum(pairs.get((e, g), 0) for e in rows for g in cols)
    ax.set_title(f"Wrong speakers ({shown} of {sum(pairs.values())} shown)")
    _save(fig, path)


def _figure(figsize: tuple[float, float]) -> tuple[Figure, Any]:
    fig = Figure(figsize=figsize)
    return fig, fig.subplots()


def _save(fig: Figure, path: Path) -> None:
    fig.tight_layout()
    fig.savefig(path, dpi=100, format="png")


# --- markdown ------------------------------------------------------------------------------


def _metrics_md(result: EvalResult) -> list[str]:
    """The headline table (metric, value), then kinds as rows × the by-kind columns."""
    lines = ["| Metric | Value |", "|---|---:|"]
    lines += [
        f"| {label(text, result.k)} | {fmt(result.metrics[key], style)} |"
        for key, text, style in ROWS
    ]
    heads = [label(text, result.k) for _, text, _ in KIND_COLUMNS]
    lines += ["", "### By kind", "", "| Kind | " + " | ".join(heads) + " |"]
    lines.append("|---|" + "---:|" * len(heads))
    for kind, km in result.by_kind.items():
        cells = " | ".join(fmt(km[key], style) for key, _, style in KIND_COLUMNS)
        lines.append(f"| {kind} | {cells} |")
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


def _markdown(result: EvalResult, diff: dict[str, list[str]] | None, baseline: Any) -> str:
    m = result.metrics
    lines = [
        f"# quotebot evaluation ({VERSION})",
        "",
        f"**Headline accuracy: {fmt(result.headline, 'pct')}** "
        f"({sum(r.correct for r in result.items)}/{len(result.items)} questions right).",
        "",
        f"{m['questions']} questions ({m['answerable']} answerable, {m['unanswerable']} "
        f"unanswerable), k={result.k}; latency measured after an untimed warm-up question "
        f"({result.warmup_ms / 1000:.1f} s). Definitions: docs/evaluation.md.",
        "",
        *_metrics_md(result),
        "",
    ]
    if diff is not None:
        lines += [f"## Against baseline `{baseline}`", ""]
        lines += [
            f"- **{name.replace('_', ' ')}** ({len(ids)}): {', '.join(ids[:50]) or '–'}"
            for name, ids in diff.items()
        ]
        lines.append("")
    lines += ["## Plots", ""]
    for png, title in PLOTS:
        lines += [f"![{title}]({png})", ""]
    failures = result.failures()
    lines += [f"## Failures ({len(failures)})", ""]
    for r in failures[:MAX_FAILURES]:
        lines += _failure_md(r)
    if len(failures) > MAX_FAILURES:
        lines.append(f"…and {len(failures) - MAX_FAILURES} more in results.json.")
    return "\n".join(lines) + "\n"


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
    for (png, _), plot in zip(
        PLOTS, (plot_accuracy_by_kind, plot_latency, plot_confusion), strict=True
    ):
        plot(result, out_dir / png)
    report = out_dir / "report.md"
    report.write_text(_markdown(result, diff, baseline), encoding="utf-8")
    return report
