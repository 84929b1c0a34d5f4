"""RSS and Atom feeds (feedparser): the entries' links, titles and dates.

Feeds are parsed from bytes already in hand: feedparser is never handed a string it could
take for a URL or a file name to open by itself.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from urllib.parse import urljoin

MAX_ENTRIES = 500
_FEED_START = re.compile(rb"^\s*(<\?xml[^>]*>\s*)?(<!--.*?-->\s*)*<(rss|feed|rdf:RDF)\b", re.S)


@dataclass
class Entry:
    link: str
    title: str
    published: str


@dataclass
class Feed:
    title: str
    entries: list[Entry]
    skipped: int  # entries without a link


def looks_like_feed(data: bytes) -> bool:
    """An XML document whose root is <rss>, <feed> (Atom) or <rdf:RDF> (RSS 1.0)."""
    return bool(_FEED_START.match(data[:4096].lstrip(b"\xef\xbb\xbf")))


def parse_feed(data: bytes, base_url: str = "") -> Feed:
    """Entries of an RSS/Atom document, in feed order; ValueError if it is not a feed."""
    import feedparser

    parsed = feedparser.parse(io.BytesIO(data), resolve_relative_uris=False, sanitize_html=False)
    if not parsed.get("version") and not parsed.entries:
        reason = parsed.get("bozo_exception")
        why = f" ({reason})" if reason else ""
        raise ValueError(f"it is not a valid RSS or Atom feed{why}")
    entries, skipped = [], 0
    for item in parsed.entries[:MAX_ENTRIES]:
        link = str(item.get("link") or "").strip()
        if not link:
            skipped += 1
            continue
        entries.append(
            Entry(
                link=urljoin(base_url, link) if base_url else link,
                title=str(item.get("title") or "").strip(),
                published=str(item.get("published") or item.get("updated") or "").strip(),
            )
        )
    return Feed(str(parsed.feed.get("title") or "").strip(), entries, skipped)
