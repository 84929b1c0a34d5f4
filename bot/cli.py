"""The `quotebot` command: thin Typer commands over the Bot facade."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console

from bot.errors import InputError, QuoteBotError
from bot.settings import Settings

app = typer.Typer(
    help="Who said what in a collection of news articles: verbatim quotes, speakers, sources.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
golden_app = typer.Typer(
    help="Make golden question sets for `quotebot eval`.", no_args_is_help=True
)
app.add_typer(golden_app, name="golden")

out = Console(soft_wrap=True)
err = Console(stderr=True)

StoreOpt = Annotated[
    Path | None, typer.Option("--store", help="Embedded store directory [env QUOTEBOT_STORE].")
]
UrlOpt = Annotated[
    str | None,
    typer.Option("--chroma-url", help="Chroma server URL instead of the embedded store."),
]
JsonOpt = Annotated[bool, typer.Option("--json", help="Machine-readable JSON on stdout.")]


def _settings(store: Path | None, chroma_url: str | None) -> Settings:
    overrides: dict[str, Any] = {}
    if store is not None:
        overrides["store"] = store
    if chroma_url:
        overrides["chroma_url"] = chroma_url
    return Settings(**overrides)


def _bot(store: Path | None, chroma_url: str | None) -> Any:
    from bot.core import Bot

    return Bot.build(_settings(store, chroma_url))


@contextmanager
def _boundary() -> Iterator[None]:
    """One error boundary: a sentence on stderr and a non-zero exit, never a traceback."""
    try:
        yield
    except QuoteBotError as e:
        err.print(f"[red]Error:[/red] {e}", highlight=False)
        raise typer.Exit(1) from None
    except KeyboardInterrupt:
        err.print("Interrupted.")
        raise typer.Exit(130) from None


def _print_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, ensure_ascii=False) + "\n")
    sys.stdout.flush()


@app.command()
def ingest(
    paths: Annotated[list[Path], typer.Argument(help="Files or directories to ingest.")],
    json_: JsonOpt = False,
    store: StoreOpt = None,
    chroma_url: UrlOpt = None,
) -> None:
    """Read, extract and index articles (.txt .md .html .jsonl, directories recursively).

    Example: quotebot ingest examples/
    """
    from bot.progress import ingest_progress
    from store.read import count_articles

    with _boundary():
        bot = _bot(store, chroma_url)
        total = count_articles(paths) if err.is_terminal else None
        with ingest_progress(err, enabled=err.is_terminal, total=total) as progress:
            report = bot.ingest(paths, progress=progress)
        if json_:
            _print_json(report.to_dict())
            return
        out.print(
            f"Indexed {report.documents} new article(s) with {report.quotes} quote(s); "
            f"{report.skipped} unchanged skipped; {report.replaced} replaced."
        )
        for w in report.warnings:
            err.print(f"[yellow]Warning:[/yellow] {w['path']}: {w['warning']}", highlight=False)
        for e in report.errors:
            err.print(f"[red]Skipped:[/red] {e['path']}: {e['error']}", highlight=False)


@app.command()
def ask(
    question: Annotated[str | None, typer.Argument(help="The question.")] = None,
    batch: Annotated[
        str | None, typer.Option("--batch", help='JSONL of {"id", "question"}; "-" for stdin.')
    ] = None,
    json_: JsonOpt = False,
    store: StoreOpt = None,
    chroma_url: UrlOpt = None,
) -> None:
    """Ask who said something, or what someone said; answers cite the articles' own words.

    Example: quotebot ask "Who said North Korean troops would be fair game?"
    """
    with _boundary():
        if (question is None) == (batch is None):
            raise InputError('Give either a QUESTION or --batch FILE (use "-" for stdin).')
        bot = _bot(store, chroma_url)
        if batch is not None:
            _ask_batch(bot, batch)
            return
        answer = bot.ask(question)
        if json_:
            _print_json(answer.to_dict())
        else:
            from bot.render import print_answer

            print_answer(out, answer)


def _ask_batch(bot: Any, source: str) -> None:
    """One answer per JSONL line, same order, carrying the line's id; a bad line gets an error."""
    stream = sys.stdin if source == "-" else _open_text(source)
    for lineno, line in enumerate(stream, start=1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
            if not isinstance(item, dict) or not str(item.get("question", "")).strip():
                raise ValueError('needs a "question" string')
        except ValueError as e:
            _print_json({"id": None, "line": lineno, "error": f"line {lineno}: {e}"})
            continue
        _print_json(bot.ask(str(item["question"]), id=item.get("id")).to_dict())


def _open_text(path: str) -> Any:
    try:
        return open(path, encoding="utf-8")  # noqa: SIM115 - read lazily, line by line
    except OSError as e:
        raise InputError(f"Cannot read {path}: {e.strerror}.") from e


@app.command()
def extract(
    files: Annotated[list[Path], typer.Argument(help="Text files to extract quotes from.")],
    json_: JsonOpt = True,
) -> None:
    """Print the quotes found in files as JSONL (offsets index each file's text); no store.

    Example: quotebot extract examples/003_23247444e4f9a990.txt
    """
    from bot.core import Bot

    with _boundary():
        bot = Bot.build(Settings())
        for path in files:
            try:
                _print_json(bot.extract_file(path))
            except QuoteBotError as e:
                _print_json({"path": str(path), "quotes": [], "error": str(e)})


@app.command()
def remove(
    target: Annotated[str, typer.Argument(help="A doc id or the path an article came from.")],
    json_: JsonOpt = False,
    store: StoreOpt = None,
    chroma_url: UrlOpt = None,
) -> None:
    """Remove an article and all its quotes.

    Example: quotebot remove examples/000_16c737f362081588.txt
    """
    with _boundary():
        removed = _bot(store, chroma_url).remove(target)
        if json_:
            _print_json({"removed": removed})
        else:
            out.print(f"Removed {len(removed)} article(s): {', '.join(removed)}")


@app.command()
def stats(json_: JsonOpt = False, store: StoreOpt = None, chroma_url: UrlOpt = None) -> None:
    """Articles, quotes, speakers and store size.

    Example: quotebot stats --json
    """
    with _boundary():
        data = _bot(store, chroma_url).stats()
        if json_:
            _print_json(data)
        else:
            for key, value in data.items():
                out.print(f"{key:>12}: {value}")


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Address to bind.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    store: StoreOpt = None,
    chroma_url: UrlOpt = None,
) -> None:
    """Serve the REST + OpenAI-compatible API, MCP, and the chat UI at /.

    Example: quotebot serve --port 8000
    """
    from bot.api import run_server

    with _boundary():
        run_server(_settings(store, chroma_url), host, port)


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
    from bot.evaluate import diff_baseline, evaluate, load_golden
    from bot.progress import counting_progress
    from bot.report import render_tables, write_report

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
    from bot.golden import golden_from_brat

    with _boundary():
        items = golden_from_brat(directory, output, limit)
        if output is None:
            for item in items:
                _print_json(item)
        else:
            err.print(f"Wrote {len(items)} questions to {output}")


def main() -> None:
    """Console entry point."""
    app()
