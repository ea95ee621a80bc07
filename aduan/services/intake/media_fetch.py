"""Provider media fetched without becoming a server-side request forgery (SSRF) tool.

A media URL arrives inside a provider's message, so it is treated as hostile:

- https only, and only from the hosts the channel's adapter declares (``media_hosts``), plus
  the deployment's ``MEDIA_FETCH_ALLOW_HOSTS``;
- every address the host resolves to must be a public one (no loopback, private, link-local,
  shared or reserved address): the connection then goes to the address that was checked (no
  second DNS answer), with TLS verified against the host name;
- redirects are followed by hand, at most ``MAX_REDIRECTS``, each hop checked again (and the
  credentials dropped when the host changes);
- size (``ATTACHMENT_MAX_BYTES``), connect/read timeouts and an overall deadline.

``MEDIA_FETCH_TRUSTED_HOSTS`` (``host`` or ``host:port``) skips the address check and allows
http: it exists for the tests' fake providers on 127.0.0.1 and an on-premises media proxy.
"""

from __future__ import annotations

import fnmatch
import ipaddress
import socket
import time
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

import certifi
import urllib3
from urllib3.util import make_headers

TIMEOUT = urllib3.Timeout(connect=5, read=20)
DEADLINE_SECONDS = 60
MAX_REDIRECTS = 3
CHUNK = 64 * 1024
REDIRECTS = frozenset({301, 302, 303, 307, 308})


class MediaRefused(Exception):
    """The media is not fetched; the message says why, without the URL."""


@dataclass(frozen=True)
class FetchPolicy:
    """Where media may come from, and how much of it."""

    hosts: tuple[str, ...]  # host names or patterns ("*.twiliocdn.com")
    trusted: frozenset[str] = frozenset()  # "host" / "host:port": private addresses, http
    max_bytes: int = 10 * 1024 * 1024
    deadline_seconds: float = DEADLINE_SECONDS


@dataclass(frozen=True)
class _Target:
    scheme: str
    host: str
    port: int
    address: str
    path: str


def fetch(
    url: str, policy: FetchPolicy, auth: tuple[str, str] | None = None
) -> tuple[bytes, str | None]:
    """GET ``url`` under ``policy``: the body and its Content-Type, or MediaRefused."""
    deadline = time.monotonic() + policy.deadline_seconds
    for _hop in range(MAX_REDIRECTS + 1):
        target = check(url, policy)
        response = _request(target, auth)
        try:
            if response.status not in REDIRECTS:
                return _body(response, policy.max_bytes, deadline), response.headers.get(
                    "Content-Type"
                )
            next_url = urljoin(url, response.headers.get("Location", ""))
        finally:
            response.release_conn()
        if urlsplit(next_url).hostname != target.host:
            auth = None  # never hand the provider's credentials to another host
        url = next_url
    raise MediaRefused("too many redirects")


def check(url: str, policy: FetchPolicy) -> _Target:
    """The connection target for ``url``, or MediaRefused when policy forbids it."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower().rstrip(".")
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:
        raise MediaRefused("malformed url")
    trusted = host in policy.trusted or f"{host}:{port}" in policy.trusted
    if parts.scheme not in ("https", "http") or (parts.scheme == "http" and not trusted):
        raise MediaRefused("only https media is fetched")
    if not trusted and not host_allowed(host, policy.hosts):
        raise MediaRefused("host not allowed")
    address = _resolve(host, port, public_only=not trusted)
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    return _Target(parts.scheme, host, port, address, path)


def host_allowed(host: str, patterns: Iterable[str]) -> bool:
    """``host`` is one of ``patterns`` (``*.example.com`` matches its sub-domains)."""
    return any(fnmatch.fnmatchcase(host, pattern.lower()) for pattern in patterns)


def is_public(address: str) -> bool:
    """A globally routable unicast address (not loopback, private, link-local, shared…)."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast


def _resolve(host: str, port: int, *, public_only: bool) -> str:
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError):
        raise MediaRefused("host does not resolve")
    addresses = [info[4][0] for info in infos]
    if not addresses:
        raise MediaRefused("host does not resolve")
    if public_only and not all(is_public(address) for address in addresses):
        raise MediaRefused("address not allowed")
    return addresses[0]


def _pool(target: _Target) -> urllib3.HTTPConnectionPool:
    if target.scheme == "https":
        return urllib3.HTTPSConnectionPool(
            target.address,
            target.port,
            timeout=TIMEOUT,
            retries=False,
            cert_reqs="CERT_REQUIRED",
            ca_certs=certifi.where(),
            server_hostname=target.host,
            assert_hostname=target.host,
        )
    return urllib3.HTTPConnectionPool(target.address, target.port, timeout=TIMEOUT, retries=False)


def _request(target: _Target, auth: tuple[str, str] | None) -> urllib3.BaseHTTPResponse:
    default_port = 443 if target.scheme == "https" else 80
    host_header = target.host if target.port == default_port else f"{target.host}:{target.port}"
    headers = {"Host": host_header, "Accept": "*/*"}
    if auth:
        headers.update(make_headers(basic_auth=f"{auth[0]}:{auth[1]}"))
    try:
        return _pool(target).urlopen(
            "GET",
            target.path,
            headers=headers,
            redirect=False,
            retries=False,
            preload_content=False,
            assert_same_host=False,
        )
    except urllib3.exceptions.HTTPError as exc:
        raise MediaRefused(f"fetch failed: {type(exc).__name__}")


def _body(response: urllib3.BaseHTTPResponse, limit: int, deadline: float) -> bytes:
    if response.status >= 400:
        raise MediaRefused(f"fetch failed: HTTP {response.status}")
    declared = response.headers.get("Content-Length")
    if declared and declared.isdigit() and int(declared) > limit:
        raise MediaRefused(f"larger than {limit} bytes")
    body = bytearray()
    try:
        for chunk in response.stream(CHUNK):
            body += chunk
            if len(body) > limit:
                raise MediaRefused(f"larger than {limit} bytes")
            if time.monotonic() > deadline:
                raise MediaRefused("fetch took too long")
    except urllib3.exceptions.HTTPError as exc:
        raise MediaRefused(f"fetch failed: {type(exc).__name__}")
    return bytes(body)
