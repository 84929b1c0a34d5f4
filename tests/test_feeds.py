"""RSS/Atom feeds: every entry's page is read; ingesting the feed again adds only new entries.

A real HTTP server on 127.0.0.1 (allowed explicitly) serves a feed and saved pages.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from pages_server import PageServer, Route, page, rss

from bot.core import Bot
from bot.settings import Settings
from store.feeds import looks_like_feed, parse_feed
from store.fetch import Fetcher, FetchPolicy, parse_networks
from store.read import Problem
from store.sources import read_sources
from store.types import Article

ATOM = b"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>Gazette</title>
<entry><title>Bridge to reopen</title><link href="/news/bridge"/>
<updated>2024-10-14T09:00:00Z</updated></entry>
<entry><title>No link here</title></entry>
</feed>"""
STORY = (
    "<html><head><title>{title}</title></head><body><article><h1>{title}</h1>"
    "<p>Mayor {name} said on Monday that the {thing} would reopen in May after two years.</p>"
    "<p>“We are ready for the crowds,” {name} told reporters at the river on Monday.</p>"
    "</article></body></html>"
)


def _story(title: str, name: str, thing: str) -> Route:
    return Route(STORY.format(title=title, name=name, thing=thing).encode())


def _fetcher() -> Fetcher:
    return Fetcher(FetchPolicy(allow_networks=parse_networks("127.0.0.1/32")))


def test_atom_entries_resolve_relative_links_and_skip_linkless() -> None:
    assert looks_like_feed(ATOM) and not looks_like_feed(b"<html><body>x</body></html>")
    feed = parse_feed(ATOM, "https://gazette.example/feed.atom")
    assert feed.title == "Gazette" and feed.skipped == 1
    ((entry),) = feed.entries
    assert (entry.link, entry.title) == ("https://gazette.example/news/bridge", "Bridge to reopen")
    assert entry.published == "2024-10-14T09:00:00Z"
    with pytest.raises(ValueError, match="not a valid RSS or Atom feed"):
        parse_feed(b"<html><body><p>Not a feed</p></body></html>")


def test_a_feed_url_reads_every_entry_page_and_names_the_broken_one() -> None:
    routes: dict[str, Route] = {"/a": page("real_cnn"), "/b": page("real_time")}
    with PageServer(routes) as server:
        items = [("/a", "Storm"), ("/b", "Hansen"), ("/missing", "Gone")]
        routes["/feed.xml"] = Route(rss(server.url, items), content_type="application/rss+xml")
        got = list(read_sources([server.url + "/feed.xml"], _fetcher()))
    articles = [i for i in got if isinstance(i, Article)]
    assert [a.source_path for a in articles] == [server.url + "/a", server.url + "/b"]
    assert articles[0].title == "After storm, forecasters see smooth sailing for Thanksgiving"
    assert articles[0].url == server.url + "/a"  # the page's own URL is its source link
    assert '"We dodged a bullet," said Steve Cowan' in articles[0].text
    (problem,) = [i for i in got if isinstance(i, Problem)]
    assert problem.to_dict() == {
        "path": server.url + "/missing",
        "error": "the server answered 404 Not Found",
    }


def test_a_feed_file_on_disk_is_read_too(tmp_path: Path) -> None:
    routes = {"/bridge": _story("Bridge to reopen", "Ann Lee", "bridge")}
    with PageServer(routes) as server:
        feed = tmp_path / "gazette.rss"
        feed.write_bytes(rss(server.url, [("/bridge", "Bridge to reopen")], title="Gazette"))
        (article,) = read_sources([tmp_path], _fetcher())
    assert isinstance(article, Article)
    assert article.publisher == "Gazette"  # the page has no site name: the feed's title
    assert article.published.startswith("Mon, 14 Oct 2024")  # nor a date: the entry's


def test_ingesting_a_feed_again_adds_only_new_entries(tmp_path: Path) -> None:
    routes = {
        "/bridge": _story("Bridge to reopen", "Ann Lee", "bridge"),
        "/tunnel": _story("Tunnel to reopen", "Raj Patel", "tunnel"),
    }
    settings = Settings(store=tmp_path / "store", fetch_allow_networks="127.0.0.1/32")
    bot = Bot.build(settings)
    with PageServer(routes) as server:
        feed_url = server.url + "/feed.rss"
        routes["/feed.rss"] = Route(
            rss(server.url, [("/bridge", "Bridge")]), content_type="application/rss+xml"
        )
        first = bot.ingest([feed_url]).to_dict()
        routes["/feed.rss"] = Route(
            rss(server.url, [("/tunnel", "Tunnel"), ("/bridge", "Bridge")]),
            content_type="application/rss+xml",
        )
        second = bot.ingest([feed_url]).to_dict()
        fetched = list(server.log)
    assert (first["documents"], first["errors"]) == (1, [])
    assert (second["documents"], second["skipped"], second["replaced"]) == (1, 1, 0)
    assert fetched == ["/feed.rss", "/bridge", "/feed.rss", "/tunnel"]  # /bridge not again
    speakers = {m["speaker"] for _, m, _ in bot.index.iter_quotes()}
    assert {"Ann Lee", "Raj Patel"} <= speakers
    sources = {a["source_path"] for a in bot.index.list_articles()}
    assert sources == {server.url + "/bridge", server.url + "/tunnel"}
