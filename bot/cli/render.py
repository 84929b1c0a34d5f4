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


def print_article(console: Console, article: dict[str, str]) -> None:
    """An article as `quotebot read` shows it: title, where it is from, then its text."""
    meta = " · ".join(
        x
        for x in (
            article["publisher"] or "publisher unknown",
            article["published"] or "undated",
            article["url"],
        )
        if x
    )
    console.print(f"[bold]{escape(article['title'])}[/bold]  [dim]{escape(meta)}[/dim]")
    console.print(f"[dim]{escape(article['path'])} · doc {article['doc_id']}[/dim]")
    console.print(escape(article["text"]), highlight=False)
    console.print()
