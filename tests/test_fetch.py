"""Fetching pages: http(s) only, limits, a clear error per URL, and the SSRF guard.

A real HTTP server on 127.0.0.1 serves saved pages; 127.0.0.1 is allowed explicitly where a
test needs to reach it. Addresses the guard refuses are refused before any connection.
"""

from __future__ import annotations

import gzip
import ipaddress

import pytest
from pages_server import PageServer, Route, page, redirect

from store.errors import ConfigError
from store.fetch import (
    HTML_TYPES,
    Fetcher,
    FetchError,
    FetchPolicy,
    check_address,
    is_url,
    parse_networks,
)

LOCAL = parse_networks("127.0.0.1/32")
HTML = b"<html><body><article><p>Hello.</p></article></body></html>"


@pytest.fixture(scope="module")
def server() -> PageServer:
    routes = {
        "/story.html": page("real_cnn"),
        "/moved": redirect("/story.html", 301),
        "/loop": redirect("/loop"),
        "/to-metadata": redirect("http://169.254.169.254/latest/meta-data/"),
        "/to-ipv6-loopback": redirect("http://[::1]:9/admin"),
        "/to-ftp": redirect("ftp://example.org/file"),
        "/image.png": Route(b"\x89PNG\r\n\x1a\n", content_type="image/png"),
        "/big.html": Route(HTML * 3000),
        "/liar.html": Route(HTML, length=50_000_000),
        "/bomb.html": Route(
            gzip.compress(b"<p>" + b"a" * 3_000_000 + b"</p>"),
            headers={"Content-Encoding": "gzip"},
        ),
        "/slow.html": Route(HTML, delay=2.0),
        "/gone": Route(b"gone", 410, "text/plain"),
        "/latin1.html": Route(
            "<p>José said « oui ».</p>".encode("latin-1"), content_type="text/html"
        ),
    }
    with PageServer(routes) as s:
        yield s


def _fetch(server: PageServer, path: str, **policy: object) -> str:
    fetcher = Fetcher(FetchPolicy(allow_networks=LOCAL, **policy))  # type: ignore[arg-type]
    return fetcher.get(server.url + path, HTML_TYPES).url


def _error(server: PageServer, path: str, **policy: object) -> str:
    with pytest.raises(FetchError) as e:
        _fetch(server, path, **policy)
    return str(e.value)


def test_a_page_and_a_redirect(server: PageServer) -> None:
    fetcher = Fetcher(FetchPolicy(allow_networks=LOCAL))
    got = fetcher.get(server.url + "/moved", HTML_TYPES)
    assert got.url == server.url + "/story.html"  # the final URL is the source link
    assert got.media_type == "text/html" and got.charset == "utf-8"
    assert b"Thanksgiving" in got.data
    assert server.log[-2:] == ["/moved", "/story.html"]


@pytest.mark.parametrize(
    ("path", "words"),
    [
        ("/missing", "the server answered 404 Not Found"),
        ("/gone", "the server answered 410 Gone"),
        ("/image.png", "it is not an HTML page or a feed (Content-Type: image/png)"),
        ("/liar.html", "it is 50,000,000 bytes; the limit is 100,000"),
        ("/big.html", "it is 174,000 bytes; the limit is 100,000"),
        ("/loop", "it redirects more than 5 times"),
        ("/to-ftp", "only http:// and https:// URLs are fetched, not ftp:"),
    ],
)
def test_each_failure_is_a_sentence(server: PageServer, path: str, words: str) -> None:
    assert _error(server, path, max_bytes=100_000) == words


def test_a_gzip_bomb_is_cut_at_the_limit(server: PageServer) -> None:
    """The limit counts decompressed bytes: 30 kB on the wire, 3 MB unpacked."""
    assert (
        _error(server, "/bomb.html", max_bytes=1_000_000) == "it is over the 1,000,000-byte limit"
    )


def test_a_slow_server_times_out(server: PageServer) -> None:
    assert _error(server, "/slow.html", timeout=0.3) == "it timed out (no answer within 0.3 s)"


def test_loopback_is_refused_unless_allowed(server: PageServer) -> None:
    with pytest.raises(FetchError) as e:
        Fetcher().get(server.url + "/story.html")
    assert str(e.value) == (
        "127.0.0.1 resolves to 127.0.0.1, a loopback address; quotebot fetches only public "
        "addresses (an administrator can allow a network with QUOTEBOT_FETCH_ALLOW_NETWORKS)"
    )
    assert "/story.html" not in server.log[-1:]  # refused before connecting


@pytest.mark.parametrize(
    ("path", "words"),
    [
        ("/to-metadata", "169.254.169.254 resolves to 169.254.169.254, a link-local address"),
        ("/to-ipv6-loopback", "::1 resolves to ::1, a loopback address"),
    ],
)
def test_a_redirect_is_checked_like_the_url(server: PageServer, path: str, words: str) -> None:
    """The first hop is allowed (127.0.0.1); where it redirects is not."""
    assert _error(server, path).startswith(words)


def test_a_host_name_is_checked_by_the_addresses_it_resolves_to() -> None:
    with pytest.raises(FetchError, match="^localhost resolves to (127.0.0.1|::1), a loopback"):
        Fetcher().get("http://localhost:9/admin")


@pytest.mark.parametrize(
    ("address", "kind"),
    [
        ("10.1.2.3", "a private"),
        ("192.168.0.1", "a private"),
        ("172.16.5.4", "a private"),
        ("100.64.0.1", "a non-public"),  # carrier-grade NAT
        ("169.254.169.254", "a link-local"),  # cloud metadata
        ("0.0.0.0", "an unspecified"),
        ("::1", "a loopback"),
        ("fe80::1", "a link-local"),
        ("fc00::1", "a private"),
        ("::ffff:127.0.0.1", "a loopback"),  # IPv4-mapped: what is reached is 127.0.0.1
        ("64:ff9b::a01:203", "a private"),  # NAT64 of 10.1.2.3
        ("2002:7f00:1::", "a loopback"),  # 6to4 of 127.0.0.1
        ("224.0.0.1", "a multicast"),
    ],
)
def test_non_public_addresses_are_refused(address: str, kind: str) -> None:
    with pytest.raises(FetchError, match=f", {kind} address;"):
        check_address(ipaddress.ip_address(address), "h.example", FetchPolicy())


def test_public_and_allowed_addresses_pass() -> None:
    check_address(ipaddress.ip_address("93.184.216.34"), "example.org", FetchPolicy())
    check_address(ipaddress.ip_address("2606:4700::1111"), "one.example", FetchPolicy())
    allowed = FetchPolicy(allow_networks=parse_networks("10.0.0.0/8, ::1"))
    check_address(ipaddress.ip_address("10.9.9.9"), "intranet", allowed)
    check_address(ipaddress.ip_address("::1"), "localhost", allowed)


def test_urls_with_credentials_or_bad_networks() -> None:
    with pytest.raises(FetchError, match="user name or password"):
        Fetcher().get("http://user:pw@example.org/")
    with pytest.raises(ConfigError, match="QUOTEBOT_FETCH_ALLOW_NETWORKS has a bad entry"):
        parse_networks("127.0.0.1/32, not-a-network")
    assert is_url("https://x.org/a") and is_url("file:///etc/passwd") and not is_url("a/b.txt")


def test_charset_is_taken_from_the_header_or_left_to_decode(server: PageServer) -> None:
    got = Fetcher(FetchPolicy(allow_networks=LOCAL)).get(server.url + "/latin1.html")
    assert got.charset is None and got.data.decode("latin-1") == "<p>José said « oui ».</p>"
