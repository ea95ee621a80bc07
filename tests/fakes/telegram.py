"""A fake Telegram Bot API: getMe, sendMessage, answerCallbackQuery, getFile and file downloads.

Modes: "ok", "forbidden" (403, bot blocked by the user), "500". Files served by getFile are those
put in ``server.files[file_id] = bytes``. Methods named in ``server.failing`` (e.g.
``{"answerCallbackQuery"}``) answer 400 as Telegram does for an expired callback query.
"""

from __future__ import annotations

import time

from flask import Flask, abort, jsonify, request

from tests.fakes.server import FakeServer, current

BOT_USER = {"id": 7000001, "is_bot": True, "first_name": "Aduan", "username": "aduan_test_bot"}


def _params() -> dict:
    return request.get_json(silent=True) or request.values.to_dict()


def _create_app(files: dict[str, bytes], failing: set[str]) -> Flask:
    app = Flask("fake_telegram")
    sent: list[int] = []

    @app.route("/bot<token>/<method>", methods=["GET", "POST"])
    def bot_method(token: str, method: str):
        mode = current().mode
        if mode == "forbidden":
            body = {"ok": False, "error_code": 403, "description": "Forbidden: bot was blocked"}
            return jsonify(body), 403
        if mode == "500":
            return jsonify({"ok": False, "error_code": 500, "description": "Internal"}), 500
        params = _params()
        if method in failing:
            body = {"ok": False, "error_code": 400, "description": "Bad Request: query is too old"}
            return jsonify(body), 400
        if method == "getMe":
            return jsonify({"ok": True, "result": BOT_USER})
        if method == "sendMessage":
            sent.append(1)
            chat_id = int(params["chat_id"])
            result = {
                "message_id": len(sent),
                "date": int(time.time()),
                "chat": {"id": chat_id, "type": "private"},
                "from": BOT_USER,
                "text": params.get("text", ""),
            }
            return jsonify({"ok": True, "result": result})
        if method == "answerCallbackQuery":
            return jsonify({"ok": True, "result": True})
        if method == "getFile":
            file_id = params["file_id"]
            if file_id not in files:
                return jsonify({"ok": False, "error_code": 400, "description": "file not found"})
            result = {
                "file_id": file_id,
                "file_unique_id": "u" + file_id,
                "file_size": len(files[file_id]),
                "file_path": f"photos/{file_id}.jpg",
            }
            return jsonify({"ok": True, "result": result})
        return jsonify({"ok": False, "error_code": 404, "description": "Not Found"}), 404

    @app.get("/file/bot<token>/photos/<file_id>.jpg")
    def download(token: str, file_id: str):
        if file_id not in files:
            abort(404)
        return files[file_id], 200, {"Content-Type": "image/jpeg"}

    return app


def fake_telegram() -> FakeServer:
    """A not-yet-started fake Bot API; ``server.files`` maps file ids to their bytes and
    ``server.failing`` names the methods that fail."""
    files: dict[str, bytes] = {}
    failing: set[str] = set()
    server = FakeServer(_create_app(files, failing))
    server.files = files  # type: ignore[attr-defined]
    server.failing = failing  # type: ignore[attr-defined]
    return server
