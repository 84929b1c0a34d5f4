"""The Speakers tab: pick a speaker as you type, see their quotes by article (oldest first, each
repeated quote once with "also in N articles"), a plot of quotes over time, and a download.

Article text is untrusted: every title, publisher and quote is HTML-escaped, shown as stored.
"""

from __future__ import annotations

from html import escape
from typing import Any
from urllib.parse import quote as urlquote

import gradio as gr
import pandas as pd

from bot.core import Bot
from bot.export import check_format
from bot.pages import PageQuote, SpeakerPage, published_day, speaker_page
from store.errors import NotFoundError, QuoteBotError
from store.types import Hit
from ui.downloads import ExportFiles
from ui.pickers import search_as_you_type, speaker_choices

FORMATS = [("CSV", "csv"), ("JSON", "json"), ("Markdown", "md")]
PROMPT = "Type part of a name (or a surname), then pick the speaker."
TIMELINE_COLUMNS = ["date", "quotes"]

SPEAKER_CSS = """
.qb-page-head { margin-bottom: .8rem; }
.qb-page-name { font-size: 1.15rem; font-weight: 600; }
.qb-article { border-left: 3px solid #e0a800; padding: .3rem .7rem; margin-bottom: 1rem; }
.qb-article ol { margin: .3rem 0 .2rem 1.2rem; }
.qb-page-quote { font-family: Georgia, serif; line-height: 1.45; margin-bottom: .3rem; }
.qb-also, .qb-repeated { font-size: .85rem; color: #555; }
"""


def _empty(note: str) -> str:
    return f'<div class="qb-empty">{escape(note)}</div>'


def _day(hit: Hit) -> str:
    day = published_day(hit.published)
    return day.isoformat() if day else "undated"


def _article_href(doc_id: str, start: int | None = None) -> str:
    return f"/articles/{urlquote(doc_id)}" + ("" if start is None else f"#q-{start}")


def _also(quote: PageQuote) -> str:
    """ "also in 2 articles: Associated Press (2024-10-15), …", each linked to its article."""
    if not quote.also_in:
        return ""
    where = {h.doc_id: h for h in quote.repeats if h.doc_id != quote.hit.doc_id}
    links = ", ".join(
        f'<a href="{escape(_article_href(h.doc_id, h.start))}" target="_blank">'
        f"{escape(h.publisher or h.title or h.doc_id)}</a> ({_day(h)})"
        for h in where.values()
    )
    n = len(quote.also_in)
    return f' <span class="qb-also">also in {n} article{"s" * (n != 1)}: {links}</span>'


def page_html(page: SpeakerPage) -> str:
    """The page: who (and their aliases), then each article with its quotes, oldest first."""
    data = page.to_dict()
    aliases = f" · also called {escape(', '.join(page.aliases))}" if page.aliases else ""
    parts = [
        f'<div class="qb-page"><div class="qb-page-head"><span class="qb-page-name">'
        f"{escape(page.speaker)}</span> · {data['quotes']} quotes ({data['distinct_quotes']} "
        f"distinct) in {len(page.articles)} articles{aliases}</div>"
    ]
    if page.truncated:
        parts.append(_empty("Only the first quotes are shown; the speaker has more."))
    first = {h.id: q.hit for g in page.articles for q in g.quotes for h in q.repeats}
    n = 0
    for group in page.articles:
        when = group.day.isoformat() if group.day else "undated"
        items = []
        for quote in group.quotes:
            n += 1
            href = _article_href(group.doc_id, quote.hit.start)
            items.append(
                f'<li class="qb-page-quote" value="{n}"><a href="{escape(href)}" target="_blank">'
                f'<mark class="qb-quote">{escape(quote.hit.quote)}</mark></a>{_also(quote)}</li>'
            )
        again = [
            f'<div class="qb-repeated">Quoted again: “{escape(h.quote)}” — first in '
            f"{escape(first[h.id].publisher or first[h.id].title)} ({_day(first[h.id])})</div>"
            for h in group.repeated
            if h.id in first
        ]
        parts.append(
            f'<section class="qb-article" data-doc="{escape(group.doc_id)}">'
            f'<div class="qb-head"><span class="qb-date">{when}</span> · '
            f'<span class="qb-meta">{escape(group.publisher or "publisher unknown")}</span></div>'
            f'<a class="qb-link" href="{escape(_article_href(group.doc_id))}" target="_blank">'
            f"{escape(group.title or group.doc_id)}</a><ol>{''.join(items)}</ol>"
            f"{''.join(again)}</section>"
        )
    return "".join(parts) + "</div>"


def timeline_frame(page: SpeakerPage | None) -> pd.DataFrame:
    """Quotes per published day or month (months past a 90-day span), for the bar plot."""
    rows = page.timeline() if page else []
    return pd.DataFrame(
        {"date": [r["date"] for r in rows], "quotes": [r["quotes"] for r in rows]},
        columns=TIMELINE_COLUMNS,
    )


def timeline_plot(page: SpeakerPage | None) -> Any:
    """The plot's update: the frame with bars from zero (left alone, the plot starts its axis
    at the lowest count and draws that day as no bar), or no data (an empty frame would stop
    the plot from drawing later frames: Gradio 6.31)."""
    frame = timeline_frame(page)
    if not len(frame):
        return gr.update(value=None)
    return gr.update(value=frame, y_lim=[0, int(frame["quotes"].max())])


def download(files: ExportFiles, page: SpeakerPage | None, fmt: str) -> Any:
    """The download button, holding the page's quotes in the chosen format."""
    if page is None:
        return gr.update(value=None, interactive=False, label="Download")
    chosen = check_format(fmt or "csv")
    path = files.write(page.export(chosen), page.file_name(chosen))
    label = dict((v, k) for k, v in FORMATS)[chosen]
    return gr.update(value=str(path), interactive=True, label=f"Download {label}")


def show_speaker(
    bot: Bot, files: ExportFiles, name: str, fmt: str
) -> tuple[str, Any, Any, SpeakerPage | None]:
    """The page HTML, its timeline, the download button and the page (kept for re-exports)."""
    if not (name or "").strip():
        return _empty(PROMPT), timeline_plot(None), download(files, None, fmt), None
    try:
        page = speaker_page(bot, name)
    except NotFoundError as e:  # nobody by that name: a normal outcome, said in the panel
        return _empty(str(e)), timeline_plot(None), download(files, None, fmt), None
    except QuoteBotError as e:
        raise gr.Error(str(e)) from e
    return page_html(page), timeline_plot(page), download(files, page, fmt), page


def speakers_tab(bot: Bot, files: ExportFiles) -> gr.Dropdown:
    """Lay out the tab inside the caller's Blocks; returns the picker (the page fills it)."""
    with gr.Row():
        picker = gr.Dropdown(
            [],
            value=None,
            label="Speaker",
            info="Type part of a name; matching speakers appear as you type.",
            allow_custom_value=True,
            scale=3,
            elem_id="qb-page-speaker",
        )
        fmt = gr.Radio(FORMATS, value="csv", label="Export as", scale=2, elem_id="qb-format")
        button = gr.DownloadButton(
            "Download", interactive=False, scale=1, elem_id="qb-download", variant="primary"
        )
    plot = gr.BarPlot(
        None,
        x="date",
        y="quotes",
        x_title="published",
        y_title="quotes",
        sort="x",
        label="Quotes over time (dated articles)",
        height=220,
        elem_id="qb-timeline",
    )
    html = gr.HTML(_empty(PROMPT), elem_id="qb-page")
    page = gr.State(None)

    search_as_you_type(picker, lambda typed: speaker_choices(bot, typed))
    picker.change(
        lambda name, f: show_speaker(bot, files, name, f),
        [picker, fmt],
        [html, plot, button, page],
        api_name="speaker_page",
    )
    fmt.change(lambda p, f: download(files, p, f), [page, fmt], button, api_visibility="private")
    return picker
