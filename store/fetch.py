"""Web pages for ingest: http(s) only, time and size limits, and no way into private networks.

Every hop (the URL and each redirect) is resolved here and every address the name resolves to
is checked; the connection then goes to the checked address itself (with the host name for TLS
and the Host header), so a second DNS answer cannot swap in another one (DNS rebinding).
Loopback, private, link-local and other non-public addresses are refused unless a network is
allowed explicitly (``FetchPolicy.allow_networks``; tests allow 127.0.0.1).
"""

from __future__ import annotations

import ipaddress
import re
import socket
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import urljoin, urlsplit

from store.errors import ConfigError

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
Network = ipaddress.IPv4Network | ipaddress.IPv6Network
USER_AGENT = "quotebot/0.1 (article ingest; +https://github.com/quotebot)"
HTML_TYPES = {"text/html", "application/xhtml+xml"}
FEED_TYPES = {"application/rss+xml", "application/atom+xml", "application/rdf+xml",
              "application/xml", "text/xml"}  # fmt: skip
_NAT64 = ipaddress.ip_network("64:ff9b::/96")
_URL = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://")


class FetchError(ValueError):
    """A URL that could not be fetched; the message says why, for the batch report."""


def is_url(source: str) -> bool:
    """``scheme://…``: a URL (fetched or refused), not a file path."""
    return bool(_URL.match(source))


def parse_networks(spec: str) -> tuple[Network, ...]:
    """``"127.0.0.1/32, 10.0.0.0/8"`` → networks; a bad entry is a ConfigError."""
    try:
        return tuple(
            ipaddress.ip_network(s.strip(), strict=False) for s in spec.split(",") if s.strip()
        )
    except ValueError as e:
        raise ConfigError(
            f"QUOTEBOT_FETCH_ALLOW_NETWORKS has a bad entry ({e}); give comma-separated "
            "addresses or networks such as 127.0.0.1/32."
        ) from e


@dataclass(frozen=True)
class FetchPolicy:
    timeout: float = 10.0  # seconds to connect, and between two reads
    total_timeout: float = 30.0  # seconds for the whole transfer, redirects included
    max_bytes: int = 5_000_000
    max_redirects: int = 5
    allow_networks: tuple[Network, ...] = ()


@dataclass
class Page:
    """What a URL answered: the final URL after redirects, the media type and the body."""

    url: str
    media_type: str
    charset: str | None
    data: bytes


def _kind(ip: IPAddress) -> str:
    """What kind of non-public address this is, with its article ("a loopback address")."""
    for name in ("loopback", "link_local", "unspecified", "multicast", "private", "reserved"):
        if getattr(ip, f"is_{name}"):
            kind = name.replace("_", "-")
            return f"an {kind}" if kind[0] in "aeiou" else f"a {kind}"
    return "a non-public"


def _embedded(ip: IPAddress) -> IPAddress | None:
    """The IPv4 address an IPv6 one carries (mapped, NAT64, 6to4), which is what is reached."""
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped:
            return ip.ipv4_mapped
        if ip in _NAT64:
            return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
        if ip.sixtofour:
            return ip.sixtofour
    return None


def check_address(ip: IPAddress, host: str, policy: FetchPolicy) -> None:
    """Refuse an address that is not public, unless its network is explicitly allowed."""
    if any(ip in net for net in policy.allow_networks if net.version == ip.version):
        return
    inner = _embedded(ip)
    if inner is not None:
        check_address(inner, host, policy)
    if not ip.is_global or ip.is_multicast:
        raise FetchError(
            f"{host} resolves to {ip}, {_kind(ip)} address; quotebot fetches only public "
            "addresses (an administrator can allow a network with QUOTEBOT_FETCH_ALLOW_NETWORKS)"
        )


def resolve(host: str, port: int) -> list[IPAddress]:
    """Every address the host name resolves to (an IP literal resolves to itself)."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as e:
        reason = getattr(e, "strerror", None) or str(e)
        raise FetchError(f"the host name {host} could not be resolved ({reason})") from e
    seen: dict[str, IPAddress] = {}
    for info in infos:
        address = str(info[4][0]).split("%", 1)[0]  # drop an IPv6 zone
        seen.setdefault(address, ipaddress.ip_address(address))
    return list(seen.values())


class Fetcher:
    """GET pages under one policy; ``get`` returns a Page or raises FetchError."""

    def __init__(self, policy: FetchPolicy | None = None) -> None:
        self.policy = policy or FetchPolicy()

    def get(self, url: str, accept: set[str] | None = None) -> Page:
        deadline = time.monotonic() + self.policy.total_timeout
        current = url
        for _ in range(self.policy.max_redirects + 1):
            parts = urlsplit(current)
            if parts.scheme.lower() not in ("http", "https"):
                raise FetchError(f"only http:// and https:// URLs are fetched, not {parts.scheme}:")
            if parts.username or parts.password:
                raise FetchError("URLs with a user name or password are not fetched")
            if not parts.hostname:
                raise FetchError("the URL has no host name")
            location, page = self._hop(current, deadline, accept)
            if page is not None:
                return page
            current = urljoin(current, location)
        raise FetchError(f"it redirects more than {self.policy.max_redirects} times")

    def _hop(self, url: str, deadline: float, accept: set[str] | None) -> tuple[str, Page | None]:
        """One request: (the redirect target, None) or ("", the page)."""
        import urllib3

        parts = urlsplit(url)
        https = parts.scheme.lower() == "https"
        host = parts.hostname or ""
        try:
            port = parts.port or (443 if https else 80)
        except ValueError as e:
            raise FetchError(f"the URL has a bad port ({e})") from e
        addresses = resolve(host, port)
        for ip in addresses:
            check_address(ip, host, self.policy)
        timeout = urllib3.Timeout(connect=self.policy.timeout, read=self.policy.timeout)
        pool: Any
        if https:
            pool = urllib3.HTTPSConnectionPool(
                str(addresses[0]), port, timeout=timeout, retries=False, cert_reqs="CERT_REQUIRED",
                server_hostname=host, assert_hostname=host,
            )  # fmt: skip
        else:
            pool = urllib3.HTTPConnectionPool(
                str(addresses[0]), port, timeout=timeout, retries=False
            )
        shown = f"[{host}]" if ":" in host else host
        headers = {
            "Host": shown if parts.port is None else f"{shown}:{port}",
            "User-Agent": USER_AGENT,
            "Accept": "text/html,application/xhtml+xml,application/rss+xml,application/atom+xml,"
            "application/xml;q=0.9,*/*;q=0.1",
            "Accept-Encoding": "gzip, deflate",
        }
        path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        try:
            response = pool.urlopen(
                "GET", path, headers=headers, redirect=False, retries=False,
                preload_content=False, decode_content=True,
            )  # fmt: skip
            try:
                return self._answer(url, response, deadline, accept)
            finally:
                response.release_conn()
        except urllib3.exceptions.SSLError as e:
            raise FetchError(f"the TLS connection to {host} failed ({_short(e)})") from e
        except (urllib3.exceptions.TimeoutError, TimeoutError) as e:
            raise FetchError(f"it timed out (no answer within {self.policy.timeout:g} s)") from e
        except urllib3.exceptions.NewConnectionError as e:
            raise FetchError(f"could not connect to {host}:{port} ({_short(e)})") from e
        except urllib3.exceptions.HTTPError as e:
            raise FetchError(f"the transfer failed ({_short(e)})") from e
        finally:
            pool.close()

    def _answer(
        self, url: str, response: Any, deadline: float, accept: set[str] | None
    ) -> tuple[str, Page | None]:
        status = response.status
        if status in (301, 302, 303, 307, 308) and response.headers.get("Location"):
            return response.headers["Location"], None
        if status >= 400 or status < 200 or status in (204, 304):
            reason = f" {response.reason}" if response.reason else ""
            raise FetchError(f"the server answered {status}{reason}")
        ctype = response.headers.get("Content-Type", "")
        media = ctype.split(";", 1)[0].strip().lower()
        if accept is not None and media and media not in accept:
            raise FetchError(f"it is not an HTML page or a feed (Content-Type: {media})")
        limit = self.policy.max_bytes
        declared = response.headers.get("Content-Length", "")
        if declared.isdigit() and int(declared) > limit:
            raise FetchError(f"it is {int(declared):,} bytes; the limit is {limit:,}")
        body = bytearray()
        for chunk in response.stream(65536):
            body += chunk
            if len(body) > limit:  # counted after decompression: no zip bombs
                raise FetchError(f"it is over the {limit:,}-byte limit")
            if time.monotonic() > deadline:
                raise FetchError(f"it timed out (over {self.policy.total_timeout:g} s in all)")
        m = re.search(r"charset=[\"']?([\w.:-]+)", ctype, re.I)
        return "", Page(url, media, m.group(1) if m else None, bytes(body))


def _short(e: Exception) -> str:
    """The last, readable part of a urllib3 error chain."""
    text = str(getattr(e, "reason", None) or e)
    return text.rsplit(": ", 1)[-1].strip("()'\" ") or type(e).__name__
