"""Human-readable answers for the terminal."""

from __future__ import annotations

from datetime import date

from rich.console import Console
from rich.markup import escape

from bot.pages import SpeakerPage, published_day
from bot.types import Answer
from store.types import Hit

TIMELINE_WIDTH = 30  # characters of the longest timeline bar


def print_answer(console: Console, answer: Answer) -> None:
    """The answer text, then each cited quote with speaker and source."""
    console.print(escape(answer.answer))
    for n, hit in enumerate(answer.quotes, start=1):
        console.print(_quote_line(n, hit))


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


def _quote_line(n: int, hit: Hit) -> str:
    source = hit.title or hit.source_path
    where = f"{source} ({hit.publisher})" if hit.publisher else source
    return (
        f"  [bold][{n}][/bold] [cyan]{escape(hit.speaker or hit.speaker_mention or '?')}[/cyan]: "
        f"“{escape(hit.quote)}” — {escape(where)} [dim]chars {hit.start}–{hit.end}[/dim]"
    )


def print_hits(console: Console, hits: list[Hit]) -> None:
    """A quote list, one numbered line per quote with its source."""
    if not hits:
        console.print("No quotes match.")
    for n, hit in enumerate(hits, start=1):
        console.print(_quote_line(n, hit), highlight=False)


def print_page(console: Console, page: SpeakerPage) -> None:
    """A speaker page: who, a timeline of quotes per day or month, then the quotes by article."""
    data = page.to_dict()
    aliases = f" · also called {escape(', '.join(page.aliases))}" if page.aliases else ""
    console.print(
        f"[bold]{escape(page.speaker)}[/bold]: {data['quotes']} quotes "
        f"({data['distinct_quotes']} distinct) in {len(page.articles)} articles{aliases}",
        highlight=False,
    )
    if page.truncated:
        console.print("[yellow]More quotes exist; raise --limit to read them all.[/yellow]")
    timeline = page.timeline()
    peak = max((t["quotes"] for t in timeline), default=1)
    for t in timeline:
        bar = "█" * max(1, round(TIMELINE_WIDTH * t["quotes"] / peak))
        console.print(f"  {t['date']:<10} {bar} {t['quotes']}", highlight=False)
    if page.undated:
        console.print(f"  {'undated':<10} {page.undated}", highlight=False)
    first = {h.id: q.hit for g in page.articles for q in g.quotes for h in q.repeats}
    n = 0
    for group in page.articles:
        head = f"{_when(group.day)} · {group.publisher or 'publisher unknown'} · "
        head += group.title or group.doc_id
        console.print(f"\n[bold]{escape(head)}[/bold] [dim]{group.doc_id}[/dim]", highlight=False)
        for quote in group.quotes:
            n += 1
            also = len(quote.also_in)
            more = f" [green]also in {also} article{'s' * (also != 1)}[/green]" if also else ""
            console.print(
                f"  [bold][{n}][/bold] “{escape(quote.hit.quote)}” "
                f"[dim]chars {quote.hit.start}–{quote.hit.end}[/dim]{more}",
                highlight=False,
            )
        for hit in group.repeated:
            was = first.get(hit.id)
            since = (
                f" (first in {escape(was.publisher or was.title)}, {_when_hit(was)})" if was else ""
            )
            console.print(f"  [dim]again: “{escape(hit.quote)}”{since}[/dim]", highlight=False)


def _when(day: date | None) -> str:
    return day.isoformat() if day else "undated"


def _when_hit(hit: Hit) -> str:
    return _when(published_day(hit.published))
