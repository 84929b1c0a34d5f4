"""Everything ingest reads: files and directories (store.read), web pages and RSS/Atom feeds.

A URL is fetched under the fetcher's policy (store.fetch); an HTML page becomes one article
whose ``source_path`` is the URL as given and whose ``url`` is where it was finally fetched
from. A feed (a URL or a .rss/.atom file) becomes its entries' pages; entries whose link is
already stored (``known``) are skipped without being fetched, so re-reading a feed adds only
the new ones. Every problem is a value naming its file, URL or entry, and the batch goes on.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

from store.feeds import Entry, Feed, looks_like_feed, parse_feed
from store.fetch import FEED_TYPES, HTML_TYPES, Fetcher, FetchError, Page, is_url
from store.read import (
    FEED_SUFFIXES,
    Problem,
    count_articles,
    decode,
    html_article,
    iter_files,
    read_file,
)
from store.types import Article

Known = Callable[[list[str]], set[str]]
_META_CHARSET = re.compile(rb"<meta[^>]+charset=[\"']?([\w.:-]+)", re.I)
Item = Article | Problem


class Reader:
    """Read sources with one fetcher (None: URLs are refused) and one view of the store."""

    def __init__(
        self,
        fetcher: Fetcher | None,
        known: Known | None = None,
        on_skip: Callable[[str], None] | None = None,
    ) -> None:
        self.fetcher, self.known, self.on_skip = fetcher, known, on_skip

    def read(self, sources: Iterable[str | Path]) -> Iterator[Item]:
        for source in sources:
            text = str(source)
            if isinstance(source, str) and is_url(source):
                yield from self.read_url(text)
                continue
            for item in iter_files([source]):
                if isinstance(item, Problem):
                    yield item
                elif item.suffix.lower() in FEED_SUFFIXES or _xml_feed(item):
                    yield from self._feed_file(item)
                else:
                    yield from read_file(item)

    def read_url(self, url: str) -> Iterator[Item]:
        """A web page (one article) or a feed (its entries' pages)."""
        page = self._get(url, HTML_TYPES | FEED_TYPES)
        if isinstance(page, Problem):
            yield page
        elif page.media_type in FEED_TYPES or looks_like_feed(page.data):
            yield from self._entries(url, page.data, page.url)
        else:
            yield from self._article(url, page)

    def _get(self, url: str, accept: set[str]) -> Page | Problem:
        if self.fetcher is None:
            return Problem(url, "fetching URLs is off here (give files, or enable URL ingest)")
        try:
            return self.fetcher.get(url, accept)
        except FetchError as e:
            return Problem(url, str(e))

    def _article(
        self, name: str, page: Page, fallback: dict[str, str] | None = None
    ) -> Iterator[Item]:
        try:
            text, warning = _decode(page)
            article = html_article(text, name, {"url": page.url}, fallback)
        except ValueError as e:
            yield Problem(name, str(e))
            return
        if warning:
            yield Problem(name, warning, warning=True)
        yield article

    def _feed_file(self, path: Path) -> Iterator[Item]:
        name = str(path.resolve())
        try:
            data = path.read_bytes()
        except OSError as e:
            yield Problem(name, f"cannot read this feed ({e.strerror or e})")
            return
        yield from self._entries(name, data, "")

    def _entries(self, name: str, data: bytes, base_url: str) -> Iterator[Item]:
        try:
            feed = parse_feed(data, base_url)
        except ValueError as e:
            yield Problem(name, str(e))
            return
        if feed.skipped:
            yield Problem(name, f"{feed.skipped} feed entries have no link", warning=True)
        known = self.known([e.link for e in feed.entries]) if self.known else set()
        for entry in feed.entries:
            if entry.link in known:
                if self.on_skip:
                    self.on_skip(entry.link)
                continue
            yield from self._entry(entry, feed)

    def _entry(self, entry: Entry, feed: Feed) -> Iterator[Item]:
        page = self._get(entry.link, HTML_TYPES)
        if isinstance(page, Problem):
            yield page
            return
        fallback = {"title": entry.title, "published": entry.published, "publisher": feed.title}
        yield from self._article(entry.link, page, fallback)


def _xml_feed(path: Path) -> bool:
    """An explicitly named .xml file that holds a feed."""
    if path.suffix.lower() != ".xml":
        return False
    try:
        with path.open("rb") as f:
            return looks_like_feed(f.read(4096))
    except OSError:
        return False


def _decode(page: Page) -> tuple[str, str | None]:
    """The page's text: the charset its headers or <meta> declare, else UTF-8, else a legacy
    code page (with a warning); binary data is a ValueError."""
    m = _META_CHARSET.search(page.data[:4096])
    for charset in (page.charset, m.group(1).decode("ascii") if m else None):
        if charset:
            try:
                return page.data.decode(charset), None
            except (LookupError, UnicodeDecodeError):
                pass
    text, problem = decode(page.data, page.url)
    return text, problem.error if problem else None


def read_sources(
    sources: Iterable[str | Path],
    fetcher: Fetcher | None = None,
    known: Known | None = None,
    on_skip: Callable[[str], None] | None = None,
) -> Iterator[Item]:
    """Articles from files, directories, URLs and feeds, with problems interleaved."""
    return Reader(fetcher, known, on_skip).read(sources)


def count_sources(sources: Iterable[str | Path]) -> int:
    """About how many articles there are to read, for a progress bar (a URL counts one)."""
    items = list(sources)
    urls = [s for s in items if isinstance(s, str) and is_url(s)]
    return len(urls) + count_articles([s for s in items if s not in urls])
