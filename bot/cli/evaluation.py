"""The evaluation commands: ``quotebot eval`` and ``quotebot golden from-brat``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from bot.cli.app import (
    JsonOpt,
    StoreOpt,
    UrlOpt,
    _bot,
    _boundary,
    _print_json,
    app,
    err,
    golden_app,
    out,
)


@app.command("eval")
def eval_(
    golden: Annotated[Path, typer.Argument(help="Golden JSONL file.")],
    json_: JsonOpt = False,
    report: Annotated[
        Path | None, typer.Option(help="Write report.md, plots, results.json.")
    ] = None,
    baseline: Annotated[
        Path | None, typer.Option(help="An earlier results.json to diff against.")
    ] = None,
    fail_under: Annotated[
        float | None,
        typer.Option(help="Exit 1 if the headline accuracy (0–1) is below this."),
    ] = None,
    k: Annotated[int, typer.Option("-k", help="Depth for recall@k and MRR.")] = 5,
    store: StoreOpt = None,
    chroma_url: UrlOpt = None,
) -> None:
    """Score answers against a golden set (speaker, quote, source, abstention, latency).

    Example: quotebot eval tests/golden/seeds.jsonl --report reports/seeds --fail-under 1.0
    """
    from bot.cli.progress import counting_progress
    from bot.eval.evaluate import diff_baseline, evaluate, load_golden
    from bot.eval.report import render_tables, write_report

    with _boundary():
        items = load_golden(golden)
        bot = _bot(store, chroma_url)
        with counting_progress(err, len(items), "Evaluating", enabled=err.is_terminal) as step:
            result = evaluate(bot, items, k=k, progress=step)
        diff = diff_baseline(result, baseline) if baseline else None
        if report:
            path = write_report(result, report, baseline)
            err.print(f"Report written to {path}", highlight=False)
        if json_:
            _print_json({**result.to_dict(), **({"diff": diff} if diff else {})})
        else:
            for table in render_tables(result):
                out.print(table)
            if diff:
                counts = ", ".join(f"{n.replace('_', ' ')} {len(ids)}" for n, ids in diff.items())
                out.print(f"Against {baseline}: {counts}", highlight=False)
                for name in ("fixed", "broken"):
                    if diff[name]:
                        out.print(f"  {name}: {', '.join(diff[name])}", highlight=False)
        if fail_under is not None and result.headline < fail_under:
            err.print(f"[red]Failed:[/red] accuracy {result.headline:.3f} < {fail_under}")
            raise typer.Exit(1)


@golden_app.command("from-brat")
def golden_from_brat_cmd(
    directory: Annotated[Path, typer.Argument(help="brat dir with attributions/ and text/.")],
    output: Annotated[Path | None, typer.Option("-o", "--output", help="Write JSONL here.")] = None,
    limit: Annotated[int | None, typer.Option(help="At most this many questions.")] = None,
) -> None:
    """Generate who-said questions from brat attribution annotations (e.g. PolNeAR).

    Example: quotebot golden from-brat ../shared/data/polnear/dev -o dev.jsonl
    """
    from bot.eval.brat import golden_from_brat

    with _boundary():
        items = golden_from_brat(directory, output, limit)
        if output is None:
            for item in items:
                _print_json(item)
        else:
            err.print(f"Wrote {len(items)} questions to {output}")
