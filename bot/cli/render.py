"""Human-readable answers for the terminal."""

from __future__ import annotations

from rich.console import Console
from rich.markup import escape

from bot.types import Answer


def print_answer(console: Console, answer: Answer) -> None:
    """The answer text, then each cited quote with speaker and source."""
    console.print(escape(answer.answer))
    for n, hit in enumerate(answer.quotes, start=1):
        source = hit.title or hit.source_path
        where = f"{source} ({hit.publisher})" if hit.publisher else source
        console.print(
            f"  [bold][{n}][/bold] [cyan]{escape(hit.speaker or '?')}[/cyan]: "
            f"“{escape(hit.quote)}” — {escape(where)} [dim]chars {hit.start}–{hit.end}[/dim]"
        )
