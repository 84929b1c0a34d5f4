"""HTML for the sources panel and the full-article view: each quote highlighted where it stands."""

from __future__ import annotations

from html import escape
from typing import Any
from urllib.parse import quote as urlquote

from store.index import paragraph
from store.types import Hit

CONTEXT_CHARS = 600


def article_link(hit: Hit) -> str:
    return f"/articles/{urlquote(hit.doc_id)}#q-{hit.start}"


def source_card(n: int, hit: Hit, text: str) -> str:
    """One cited quote: who, where, when, and the quote marked inside its paragraph."""
    left, right = paragraph(text, hit.start, hit.end, CONTEXT_CHARS)
    before, quoted, after = text[left : hit.start], text[hit.start : hit.end], text[hit.end : right]
    dots_l, dots_r = (
        ("…" if left > 0 and text[left - 1] != "\n" else ""),
        ("…" if right < len(text) and text[right] != "\n" else ""),
    )
    meta = f"{escape(hit.publisher or 'publisher unknown')} · {escape(hit.published or 'undated')}"
    return (
        f'<div class="qb-source" id="source-{n}">'
        f'<div class="qb-head"><span class="qb-n">[{n}]</span> '
        f'<span class="qb-speaker">{escape(hit.speaker or hit.speaker_mention or "Unknown")}</span>'
        f' · <span class="qb-meta">{meta}</span></div>'
        f'<p class="qb-context">{dots_l}{escape(before)}'
        f'<mark class="qb-quote">{escape(quoted)}</mark>{escape(after)}{dots_r}</p>'
        f'<a class="qb-link" href="{escape(article_link(hit))}" target="_blank">'
        f"{escape(hit.title or hit.doc_id)} — full article</a></div>"
    )


def sources_panel(hits: list[Hit], texts: dict[str, str], note: str = "") -> str:
    """The panel for one answer; ``texts`` maps doc ids to article text."""
    if not hits:
        return f'<div class="qb-empty">{escape(note or "No quote to show.")}</div>'
    cards = [source_card(n, h, texts.get(h.doc_id, "")) for n, h in enumerate(hits, start=1)]
    return '<div class="qb-sources">' + "".join(cards) + "</div>"


def _marked(text: str, quotes: list[dict[str, Any]]) -> str:
    """The article as HTML paragraphs, every (non-overlapping) quote wrapped in <mark>."""
    out, pos = [], 0
    for q in sorted(quotes, key=lambda q: (q["start"], -q["end"])):
        if q["start"] < pos:
            continue  # overlaps the previous mark
        speaker = escape(q.get("speaker") or q.get("speaker_mention") or "unknown speaker")
        out.append(escape(text[pos : q["start"]]))
        out.append(
            f'<mark id="q-{q["start"]}" title="{speaker}">{escape(text[q["start"] : q["end"]])}'
            f'</mark><sup class="qb-who">{speaker}</sup>'
        )
        pos = q["end"]
    out.append(escape(text[pos:]))
    return "".join(f"<p>{p}</p>" for p in "".join(out).split("\n") if p.strip())


ARTICLE_CSS = """
body { font-family: Georgia, serif; max-width: 46rem; margin: 2rem auto; padding: 0 1rem;
       line-height: 1.55; color: #222; }
mark { background: #fff2a8; padding: 0 .1em; }
mark:target { background: #ffd54a; outline: 2px solid #e0a800; }
.qb-who { font: 0.7rem sans-serif; color: #7a5c00; margin-left: .2em; }
.qb-meta { font: .9rem sans-serif; color: #555; }
"""


def render_article(doc: dict[str, Any]) -> str:
    """A standalone page: the whole article with its quotes highlighted, linkable by #q-START."""
    meta = " · ".join(
        escape(str(doc.get(k) or "")) for k in ("publisher", "published") if doc.get(k)
    )
    url = str(doc.get("url") or "")
    link = (
        f' · <a href="{escape(url)}">original</a>'
        if url.startswith(("http://", "https://"))
        else ""
    )
    n = len(doc.get("quotes", []))
    return (
        f'<!doctype html><html><head><meta charset="utf-8"><title>{escape(doc.get("title", ""))}'
        f"</title><style>{ARTICLE_CSS}</style></head><body>"
        f"<h1>{escape(doc.get('title', ''))}</h1>"
        f'<div class="qb-meta">{meta}{link} · {n} quotes · id {escape(doc["doc_id"])}</div>'
        f"<article>{_marked(doc['text'], doc.get('quotes', []))}</article></body></html>"
    )
