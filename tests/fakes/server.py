"""A Flask app served on 127.0.0.1 (free port) in a thread, recording every request it gets.

Use as a context manager: ``with FakeServer(app) as server: server.url, server.requests``.
``server.mode`` is read by the fake apps to answer with errors ("ok" by default).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Any

from flask import Flask, request
from werkzeug.serving import make_server


@dataclass
class RecordedRequest:
    method: str
    path: str
    headers: dict[str, str]
    args: dict[str, str]
    form: dict[str, str]
    json: Any
    body: bytes
    auth: tuple[str, str] | None = None

    @property
    def params(self) -> dict[str, Any]:
        """Form fields or the JSON object, whichever was sent."""
        return self.form or (self.json if isinstance(self.json, dict) else {})


@dataclass
class FakeServer:
    app: Flask
    mode: str = "ok"
    requests: list[RecordedRequest] = field(default_factory=list)
    url: str = ""

    def __post_init__(self) -> None:
        self.app.config["FAKE_SERVER"] = self
        # First in line, so requests a fake answers early (errors, auth) are recorded too.
        self.app.before_request_funcs.setdefault(None, []).insert(0, self._record)
        self._server = make_server("127.0.0.1", 0, self.app, threaded=True)
        self.url = f"http://127.0.0.1:{self._server.server_port}"
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    def _record(self) -> None:
        auth = request.authorization
        body = request.get_data()  # first, so the form is parsed from the cached body
        self.requests.append(
            RecordedRequest(
                method=request.method,
                path=request.path,
                headers=dict(request.headers),
                args=request.args.to_dict(),
                form=request.form.to_dict(),
                json=request.get_json(silent=True),
                body=body,
                auth=(auth.username, auth.password) if auth and auth.username else None,
            )
        )

    def __enter__(self) -> FakeServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._thread.join(timeout=5)

    def last(self, path_suffix: str = "") -> RecordedRequest:
        """The latest request whose path ends with ``path_suffix``."""
        matching = [r for r in self.requests if r.path.endswith(path_suffix)]
        assert matching, f"no request to *{path_suffix}; got {[r.path for r in self.requests]}"
        return matching[-1]


def current() -> FakeServer:
    """The FakeServer serving the current request (inside a fake app's view)."""
    from flask import current_app

    return current_app.config["FAKE_SERVER"]
