"""A fake Twilio REST API: the Messages resource, as the twilio library calls it.

Modes: "ok" (201 with a message resource), "63016" (400, outside the WhatsApp window),
"400" (400 with code 21211, invalid To), "500" (server error), "window_closed" (WhatsApp as
Twilio answers outside the 24-hour window: free-form refused with 63016, templates accepted).
Recordings (``GET …/Recordings/<sid>``, basic auth required) are served as WAV from
``server.recordings[sid]``.
"""

from __future__ import annotations

import uuid

from flask import Flask, abort, jsonify, request

from tests.fakes.server import FakeServer, current

_ERRORS = {
    "63016": (400, 63016, "Failed to send freeform message because you are outside the window."),
    "400": (400, 21211, "The 'To' number is not a valid phone number."),
    "500": (500, 20500, "Internal Server Error"),
}


def _create_app() -> Flask:
    app = Flask("fake_twilio")

    @app.post("/2010-04-01/Accounts/<account_sid>/Messages.json")
    def create_message(account_sid: str):
        mode = current().mode
        freeform_whatsapp = request.form.get("To", "").startswith("whatsapp:") and not (
            request.form.get("ContentSid")
        )
        if mode == "window_closed" and freeform_whatsapp:
            mode = "63016"
        if mode in _ERRORS:
            status, code, message = _ERRORS[mode]
            body = {"code": code, "message": message, "status": status}
            body["more_info"] = f"https://www.twilio.com/docs/errors/{code}"
            return jsonify(body), status
        sid = "SM" + uuid.uuid4().hex
        form = request.form
        resource = {
            "sid": sid,
            "account_sid": account_sid,
            "to": form.get("To"),
            "from": form.get("From"),
            "body": form.get("Body", ""),
            "status": "queued",
            "num_segments": "1",
            "direction": "outbound-api",
            "api_version": "2010-04-01",
            "uri": f"/2010-04-01/Accounts/{account_sid}/Messages/{sid}.json",
        }
        return jsonify(resource), 201

    @app.get("/2010-04-01/Accounts/<account_sid>.json")
    def account(account_sid: str):
        """The account resource (the admin's "test connection"): 401 for a wrong token."""
        auth = request.authorization
        if auth is None or auth.username != account_sid or auth.password == "wrong-token":
            body = {"code": 20003, "message": "Authenticate", "status": 401}
            return jsonify(body), 401
        return jsonify({"sid": account_sid, "friendly_name": "Aduan ujian", "status": "active",
                        "uri": f"/2010-04-01/Accounts/{account_sid}.json"})  # fmt: skip

    @app.get("/2010-04-01/Accounts/<account_sid>/Recordings/<recording_sid>")
    def recording(account_sid: str, recording_sid: str):
        if request.authorization is None or request.authorization.username != account_sid:
            abort(401)
        data = current().recordings.get(recording_sid)  # type: ignore[attr-defined]
        if data is None:
            abort(404)
        return data, 200, {"Content-Type": "audio/x-wav"}

    return app


def fake_twilio() -> FakeServer:
    """A not-yet-started fake Twilio; use ``with fake_twilio() as server``."""
    server = FakeServer(_create_app())
    server.recordings = {}  # type: ignore[attr-defined]
    return server
