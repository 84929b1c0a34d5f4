"""``quotebot quotes``: a speaker's page (quotes by article, on a timeline), or a quote list."""

from __future__ import annotations

import sys
from typing import Annotated

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
    app,
    out,
)
from store.errors import InputError

PAGE_LIMIT = 500  # quotes read for a speaker page
LIST_LIMIT = 20  # quotes listed for a text or article search


@app.command()
def quotes(
    speaker: Annotated[
        str, typer.Option("--speaker", "-s", help="A name or alias (e.g. a surname).")
    ] = "",
    query: Annotated[str, typer.Option("--query", "-q", help="Words the quotes hold.")] = "",
    doc_id: Annotated[str, typer.Option("--doc-id", help="Only this article's quotes.")] = "",
    limit: Annotated[
        int | None,
        typer.Option(
            "--limit", help=f"At most this many quotes (page {PAGE_LIMIT}, list {LIST_LIMIT})."
        ),
    ] = None,
    csv_: CsvOpt = False,
    md: MdOpt = False,
    json_: JsonOpt = False,
    store: StoreOpt = None,
    chroma_url: UrlOpt = None,
) -> None:
    """List quotes. With only --speaker: the speaker's page, every quote (aliases merged)
    grouped by article, oldest first, a quote printed again elsewhere shown once with "also in
    N articles", and a timeline. With --query or --doc-id: the matching quotes.

    Example: quotebot quotes --speaker Shea ; quotebot quotes --speaker "Dorothy Shea" --csv >
    shea.csv ; quotebot quotes --query "fair game" --md
    """
    from bot.cli.render import print_hits, print_page

    with _boundary():
        fmt = _export_format(csv_, md, json_)
        if not (speaker.strip() or query.strip() or doc_id.strip()):
            raise InputError("Say which quotes: give --speaker NAME, --query TEXT or --doc-id ID.")
        bot = _bot(store, chroma_url)
        if speaker.strip() and not (query.strip() or doc_id.strip()):
            from bot.pages import speaker_page

            page = speaker_page(bot, speaker, PAGE_LIMIT if limit is None else limit)
            if fmt == "json":
                _print_json(page.to_dict())
            elif fmt:
                sys.stdout.write(page.export(fmt))
            else:
                print_page(out, page)
            return
        hits = bot.quotes(speaker=speaker, q=query, doc_id=doc_id, limit=limit or LIST_LIMIT)
        if fmt == "json":
            _print_json({"quotes": [h.citation() for h in hits]})
        elif fmt:
            from bot.export import hits_to

            sys.stdout.write(hits_to(fmt, hits))
        else:
            print_hits(out, hits)
