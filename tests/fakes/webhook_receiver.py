"""A webhook receiver on 127.0.0.1: records every POST and answers as ``verify`` (given the
secret, the signature header and the raw body) decides — 200 accepted, 401 refused. Its port
may be chosen before it listens, so a test can send to it while it is down and start it later.
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Callable
from dataclasses import dataclass, field

from flask import Flask, request
from werkzeug.serving import make_server


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes
    accepted: bool


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class WebhookReceiver:
    verify: Callable[[str, str, bytes], bool]
    secret: str = ""
    port: int = field(default_factory=free_port)
    received: list[Received] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._server = None
        self._thread = None

    @property
    def host(self) -> str:
        return f"127.0.0.1:{self.port}"

    def url(self, path: str = "/hook") -> str:
        return f"http://{self.host}{path}"

    def start(self) -> WebhookReceiver:
        app = Flask(__name__)

        @app.post("/<path:path>")
        def hook(path: str):
            body = request.get_data()
            header = request.headers.get("X-Aduan-Signature", "")
            accepted = self.verify(self.secret, header, body)
            self.received.append(Received(request.path, dict(request.headers), body, accepted))
            return ("ok", 200) if accepted else ("bad signature", 401)

        self._server = make_server("127.0.0.1", self.port, app, threaded=True)
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._thread.join(timeout=5)
            self._server = None

    def __enter__(self) -> WebhookReceiver:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
