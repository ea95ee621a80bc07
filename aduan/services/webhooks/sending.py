"""One webhook POST that cannot be turned into a server-side request forgery (SSRF) tool.

The rules of ``intake.media_fetch``, for a URL an agency admin typed: https only (http only for
a trusted host outside production); every address the host resolves to must be public (no
loopback, private, link-local, shared or reserved one), and the connection goes to the address
that was checked, TLS verified against the host name; redirects are not followed (an answer is
an answer); connect/read timeouts, an overall deadline, and at most ``max_response_bytes`` of
the answer read. ``WEBHOOK_TRUSTED_HOSTS`` (``host`` or ``host:port``) skips the address check:
it exists for the tests' receivers on 127.0.0.1 and an agency's on-premises receiver.
"""

from __future__ import annotations

import ipaddress
import socket
import time
from dataclasses import dataclass
from urllib.parse import urlsplit

import certifi
import urllib3

from aduan.services.intake.media_fetch import is_public

CHUNK = 16 * 1024


class WebhookRefused(Exception):
    """Nothing was sent, or no answer came; the message says why, without the secret."""


@dataclass(frozen=True)
class SendPolicy:
    """Where a webhook may go, and how long and how much of the answer it waits for."""

    trusted: frozenset[str] = frozenset()  # "host" / "host:port": private addresses allowed
    https_only: bool = True  # production: https even to a trusted host
    connect_seconds: float = 5
    read_seconds: float = 10
    deadline_seconds: float = 20
    max_response_bytes: int = 64 * 1024


@dataclass(frozen=True)
class Target:
    scheme: str
    host: str
    port: int
    path: str
    trusted: bool


def parse(url: str, policy: SendPolicy) -> Target:
    """The URL's parts when its shape is allowed (no DNS asked), else WebhookRefused."""
    try:
        parts = urlsplit(url)
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:
        raise WebhookRefused("malformed url")
    host = (parts.hostname or "").lower().rstrip(".")
    if not host or parts.username is not None or parts.password is not None:
        raise WebhookRefused("a url needs a host and no credentials")
    trusted = host in policy.trusted or f"{host}:{port}" in policy.trusted
    if parts.scheme != "https" and not (parts.scheme == "http" and trusted):
        raise WebhookRefused("only https urls are allowed")
    if parts.scheme == "http" and policy.https_only:
        raise WebhookRefused("only https urls are allowed")
    if not trusted and (host == "localhost" or host.endswith(".localhost")):
        raise WebhookRefused("address not allowed")
    if not trusted and _literal_address(host) and not is_public(_literal_address(host)):
        raise WebhookRefused("address not allowed")
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    return Target(parts.scheme, host, port, path, trusted)


def post(url: str, body: bytes, headers: dict[str, str], policy: SendPolicy) -> int:
    """POST ``body`` to ``url`` under ``policy``: the receiver's HTTP status, or
    WebhookRefused (refused by the rules, no connection, timeout)."""
    deadline = time.monotonic() + policy.deadline_seconds
    target = parse(url, policy)
    address = _resolve(target)
    pool = _pool(target, address, policy)
    default_port = 443 if target.scheme == "https" else 80
    host_header = target.host if target.port == default_port else f"{target.host}:{target.port}"
    try:
        response = pool.urlopen(
            "POST", target.path, body=body, headers={**headers, "Host": host_header},
            redirect=False, retries=False, preload_content=False, assert_same_host=False,
        )  # fmt: skip
        try:
            _read_some(response, policy.max_response_bytes, deadline)
        finally:
            response.release_conn()
    except urllib3.exceptions.HTTPError as exc:
        raise WebhookRefused(f"no answer: {type(exc).__name__}")
    finally:
        pool.close()
    return response.status


def _literal_address(host: str) -> str | None:
    try:
        return str(ipaddress.ip_address(host.strip("[]")))
    except ValueError:
        return None


def _resolve(target: Target) -> str:
    try:
        infos = socket.getaddrinfo(target.host, target.port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError):
        raise WebhookRefused("host does not resolve")
    addresses = [info[4][0] for info in infos]
    if not addresses:
        raise WebhookRefused("host does not resolve")
    if not target.trusted and not all(is_public(address) for address in addresses):
        raise WebhookRefused("address not allowed")
    return addresses[0]


def _pool(target: Target, address: str, policy: SendPolicy) -> urllib3.HTTPConnectionPool:
    timeout = urllib3.Timeout(
        connect=policy.connect_seconds, read=policy.read_seconds, total=policy.deadline_seconds
    )
    if target.scheme == "https":
        return urllib3.HTTPSConnectionPool(
            address, target.port, timeout=timeout, retries=False, cert_reqs="CERT_REQUIRED",
            ca_certs=certifi.where(), server_hostname=target.host, assert_hostname=target.host,
        )  # fmt: skip
    return urllib3.HTTPConnectionPool(address, target.port, timeout=timeout, retries=False)


def _read_some(response: urllib3.BaseHTTPResponse, limit: int, deadline: float) -> None:
    """Read at most ``limit`` bytes of the answer (nothing in it is kept), until ``deadline``:
    a receiver that streams forever, or drips, costs us no more than that."""
    read = 0
    for chunk in response.stream(CHUNK):
        read += len(chunk)
        if read >= limit or time.monotonic() > deadline:
            break
