"""URL ingest over HTTP: off unless the admin enables it, never a server path, SSRF-guarded.

Real uvicorn servers on 127.0.0.1 and a real page server on 127.0.0.1 (allowed explicitly in
the server that may reach it).
"""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from live_server import Live, live_server, start
from pages_server import PageServer, Route, page

from bot.core import Bot
from bot.settings import Settings
from store.read import Problem

pytestmark = pytest.mark.slow
AUTH = {"Authorization": "Bearer s3cret"}


@pytest.fixture(scope="module")
def live(seeded_store: Path, request: pytest.FixtureRequest) -> Live:
    return live_server(seeded_store, request.config)


@pytest.fixture(scope="module")
def pages() -> PageServer:
    routes = {
        "/storm.html": page("real_cnn"),
        "/logo.png": Route(b"\x89PNG", content_type="image/png"),
    }
    with PageServer(routes) as server:
        yield server


def _server(live: Live, tmp: Path, **settings: object) -> tuple[httpx.Client, object]:
    config = Settings(store=tmp, admin_token="s3cret", **settings)  # type: ignore[arg-type]
    bot = Bot.build(config)
    bot.__dict__["extractor"] = live.bot.extractor  # share the loaded spaCy pipeline
    url, server = start(config, bot)
    return httpx.Client(base_url=url, timeout=120), server


def test_urls_are_refused_while_url_ingest_is_off(
    live: Live, pages: PageServer, tmp_path: Path
) -> None:
    client, server = _server(live, tmp_path / "store")
    try:
        r = client.post("/api/ingest", json={"urls": [pages.url + "/storm.html"]}, headers=AUTH)
        assert r.status_code == 403 and "QUOTEBOT_HTTP_URL_INGEST" in r.json()["detail"]
        assert pages.log == []  # nothing was fetched
        r = client.post("/api/ingest", json={}, headers=AUTH)
        assert r.status_code == 422 and "`articles` or `urls`" in r.json()["detail"]
    finally:
        client.close()
        server.should_exit = True  # type: ignore[attr-defined]


def test_enabled_url_ingest_fetches_pages_and_reports_each_bad_url(
    live: Live, pages: PageServer, tmp_path: Path
) -> None:
    client, server = _server(
        live, tmp_path / "store", http_url_ingest=True, fetch_allow_networks="127.0.0.1/32"
    )
    try:
        urls = [
            pages.url + "/storm.html",
            pages.url + "/logo.png",
            "/etc/passwd",  # a server path is never read
            "file:///etc/passwd",
            "http://169.254.169.254/latest/meta-data/",  # refused before any connection
        ]
        report = client.post("/api/ingest", json={"urls": urls}, headers=AUTH).json()
        assert report["documents"] == 1 and report["quotes"] >= 10
        errors = {e["path"]: e["error"] for e in report["errors"]}
        assert errors == {
            pages.url + "/logo.png": "it is not an HTML page or a feed (Content-Type: image/png)",
            "/etc/passwd": "not a URL",
            "file:///etc/passwd": "only http:// and https:// URLs are fetched, not file:",
            "http://169.254.169.254/latest/meta-data/": (
                "169.254.169.254 resolves to 169.254.169.254, a link-local address; quotebot "
                "fetches only public addresses (an administrator can allow a network with "
                "QUOTEBOT_FETCH_ALLOW_NETWORKS)"
            ),
        }
        answer = client.post("/api/ask", json={"question": "Who said we dodged a bullet?"}).json()
        top = answer["quotes"][0]
        assert top["speaker"] == "Steve Cowan" and top["publisher"] == "CNN"
        assert top["source_path"] == pages.url + "/storm.html"
    finally:
        client.close()
        server.should_exit = True  # type: ignore[attr-defined]


def test_the_guard_holds_without_an_allowed_network(pages: PageServer, tmp_path: Path) -> None:
    bot = Bot.build(Settings(store=tmp_path / "store"))
    (problem,) = bot.read([pages.url + "/storm.html"], urls_only=True)
    assert isinstance(problem, Problem)
    assert problem.error.startswith("127.0.0.1 resolves to 127.0.0.1, a loopback address")
