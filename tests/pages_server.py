"""A real HTTP server on 127.0.0.1 for fetch, feed and URL-ingest tests: saved pages and feeds.

``PageServer(routes)`` serves ``{path: Route}`` from a daemon thread on a free port; routes can
be changed between requests (a feed that grows). Every request is logged, so tests can check
what was fetched and how often.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

GOLDEN_PAGES = Path(__file__).resolve().parent / "golden" / "html" / "pages"


@dataclass
class Route:
    body: bytes = b""
    status: int = 200
    content_type: str = "text/html; charset=utf-8"
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0  # seconds before answering (timeouts)
    length: int | None = None  # a declared Content-Length other than the body's


def page(name: str) -> Route:
    """A saved page of the golden HTML set."""
    return Route((GOLDEN_PAGES / f"{name}.html").read_bytes())


def redirect(location: str, status: int = 302) -> Route:
    return Route(b"", status, "text/plain", {"Location": location})


class PageServer:
    def __init__(self, routes: dict[str, Route]) -> None:
        self.routes = routes
        self.log: list[str] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 - the http.server API
                server.log.append(self.path)
                route = server.routes.get(self.path) or Route(b"not found", 404, "text/plain")
                if route.delay:
                    time.sleep(route.delay)
                try:
                    self.send_response(route.status)
                    self.send_header("Content-Type", route.content_type)
                    length = route.length if route.length is not None else len(route.body)
                    self.send_header("Content-Length", str(length))
                    for key, value in route.headers.items():
                        self.send_header(key, value)
                    self.end_headers()
                    self.wfile.write(route.body)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up first (timeout and size tests)

            def log_message(self, *args: object) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.port = self.httpd.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self) -> PageServer:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def rss(base: str, items: list[tuple[str, str]], title: str = "Riverton Gazette") -> bytes:
    """An RSS 2.0 feed whose items (path, title) link to pages of ``base``."""
    entries = "".join(
        f"<item><title>{t}</title><link>{base}{p}</link>"
        f"<pubDate>Mon, 14 Oct 2024 09:00:00 GMT</pubDate></item>"
        for p, t in items
    )
    return (
        f'<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>{title}</title>'
        f"<link>{base}/</link><description>News</description>{entries}</channel></rss>"
    ).encode()
