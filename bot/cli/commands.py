"""The data commands: ingest, ask, extract, remove, stats and serve."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from bot.cli.app import (
    CsvOpt,
    JsonOpt,
    MdOpt,
    StoreOpt,
    UrlOpt,
    _bot,
    _boundary,
    _export_format,
    _print_json,
    _settings,
    app,
    err,
    out,
)
from bot.settings import Settings
from store.errors import InputError, QuoteBotError

RAY_LOCAL = "local"


@app.command()
def ingest(
    paths: Annotated[
        list[str], typer.Argument(help="Files, directories, http(s) URLs or RSS/Atom feeds.")
    ],
    json_: JsonOpt = False,
    store: StoreOpt = None,
    chroma_url: UrlOpt = None,
    workers: Annotated[
        int | None,
        typer.Option(
            "--workers",
            min=1,
            help="Processes that parse and extract (default 1); with --ray, Ray workers.",
        ),
    ] = None,
    ray: Annotated[
        str | None,
        typer.Option(
            "--ray",
            metavar="[ADDRESS]",
            help="Run on Ray: a local instance, or the cluster at ADDRESS (ray://HOST:10001, "
            "HOST:6379) or $RAY_ADDRESS. Needs --chroma-url and pip install 'quotebot[ray]'.",
        ),
    ] = None,
) -> None:
    """Read, extract and index articles (.txt .md .html .jsonl, directories recursively,
    web pages, and every entry of an RSS/Atom feed; a feed again adds only new entries).

    Example: quotebot ingest examples/ https://example.org/news/story.html ;
    quotebot ingest --workers 2 archive/ ;
    quotebot ingest --ray --chroma-url http://127.0.0.1:8000 archive/
    """
    from bot.cli.progress import ingest_progress
    from store.sources import count_sources

    with _boundary():
        bot = _bot(store, chroma_url)
        total = count_sources(paths) if err.is_terminal else None
        with ingest_progress(err, enabled=err.is_terminal, total=total) as progress:
            if ray is None:
                report = bot.ingest(paths, progress=progress, workers=workers)
            else:
                address = None if ray == RAY_LOCAL else ray
                report = bot.ingest_ray(paths, address, progress=progress, workers=workers)
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
def read(
    sources: Annotated[
        list[str], typer.Argument(help="Files, directories, http(s) URLs or RSS/Atom feeds.")
    ],
    json_: JsonOpt = False,
) -> None:
    """Print what ingest would store for each article (text and metadata); nothing is indexed.

    With --json, one line per article: {"path", "doc_id", "title", "text", "publisher",
    "published", "url"}, and {"path", "error"} or {"path", "warning"} lines as ingest reports.

    Example: quotebot read --json https://example.org/news/story.html
    """
    from bot.cli.render import print_article
    from store.read import Problem

    with _boundary():
        for item in _bot(None, None).read(sources):
            if isinstance(item, Problem):
                if json_:
                    _print_json(item.to_dict())
                else:
                    label = "Warning" if item.warning else "Skipped"
                    err.print(
                        f"[yellow]{label}:[/yellow] {item.path}: {item.error}", highlight=False
                    )
            elif json_:
                _print_json(article_dict(item))
            else:
                print_article(out, article_dict(item))


def article_dict(article: Any) -> dict[str, str]:
    """The `quotebot read --json` line of an article."""
    return {
        "path": article.source_path,
        "doc_id": article.doc_id,
        "title": article.title,
        "text": article.text,
        "publisher": article.publisher,
        "published": article.published,
        "url": article.url,
    }


@app.command()
def ask(
    question: Annotated[str | None, typer.Argument(help="The question.")] = None,
    batch: Annotated[
        str | None, typer.Option("--batch", help='JSONL of {"id", "question"}; "-" for stdin.')
    ] = None,
    json_: JsonOpt = False,
    csv_: CsvOpt = False,
    md: MdOpt = False,
    store: StoreOpt = None,
    chroma_url: UrlOpt = None,
) -> None:
    """Ask who said something, or what someone said; answers cite the articles' own words.

    Example: quotebot ask "Who said North Korean troops would be fair game?" ;
    quotebot ask --csv "Who called the treaty very timely?" > answer.csv
    """
    with _boundary():
        if (question is None) == (batch is None):
            raise InputError('Give either a QUESTION or --batch FILE (use "-" for stdin).')
        fmt = _export_format(csv_, md, json_)
        if batch is not None and fmt in {"csv", "md"}:
            raise InputError("--csv and --md export one answer; use --json with --batch.")
        bot = _bot(store, chroma_url)
        if batch is not None:
            _ask_batch(bot, batch)
            return
        answer = bot.ask(bot.check_question(question or ""))
        if fmt in {"csv", "md"}:
            from bot.export import answer_to

            sys.stdout.write(answer_to(fmt, answer))  # type: ignore[arg-type]
        elif json_:
            _print_json(answer.to_dict())
        else:
            from bot.cli.render import print_answer

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
    from ui.app import run_server

    with _boundary():
        run_server(_settings(store, chroma_url), host, port)


def ray_optional_address(argv: list[str]) -> list[str]:
    """``--ray`` takes an optional ADDRESS: a bare ``--ray`` (last, or before another option
    or a path) means a local instance. Click options have no optional values, hence this."""
    out = list(argv)
    for i, arg in enumerate(out):
        if arg == "--ray" and (i + 1 == len(out) or not _ray_address(out[i + 1])):
            out.insert(i + 1, RAY_LOCAL)
            break
    return out


def _ray_address(arg: str) -> bool:
    """ray://HOST:PORT, HOST:PORT, or auto (Ray's own spelling for the cluster of this node)."""
    import re

    return arg in {"auto", RAY_LOCAL} or bool(re.fullmatch(r"([a-z]+://)?[\w.-]+:\d+/?", arg))
