"""The Typer app, its shared options and the one error boundary of every command."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console

from bot.export import Format
from bot.settings import Settings
from store.errors import InputError, QuoteBotError

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
CsvOpt = Annotated[
    bool, typer.Option("--csv", help="CSV on stdout: one row per quote, with its citation.")
]
MdOpt = Annotated[
    bool, typer.Option("--md", help="Markdown on stdout: numbered quotes with citations.")
]


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


def _export_format(csv: bool, md: bool, json_: bool = False) -> Format | None:
    """The one export flag given (``--csv``, ``--md`` or ``--json``), None for none."""
    chosen = [f for f, on in (("csv", csv), ("md", md), ("json", json_)) if on]
    if len(chosen) > 1:
        raise InputError("Choose one of --csv, --md or --json, not several.")
    return chosen[0] if chosen else None  # type: ignore[return-value]


def _print_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, ensure_ascii=False) + "\n")
    sys.stdout.flush()
