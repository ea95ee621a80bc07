"""Telegram update JSONs as a real client sends them, for the bot tests."""

from __future__ import annotations

import itertools

USER = 555000111
OTHER_USER = 555000222
_ids = itertools.count(910000000)


def _user(user_id: int, language: str) -> dict:
    return {"id": user_id, "is_bot": False, "first_name": "Ahmad", "language_code": language}


def text_update(text: str, user: int = USER, language: str = "ms", **extra) -> dict:
    """A private-chat text message (commands carry a ``bot_command`` entity)."""
    update_id = next(_ids)
    message = {
        "message_id": update_id % 100000,
        "from": _user(user, language),
        "chat": {"id": user, "first_name": "Ahmad", "type": "private"},
        "date": 1793498520,
        "text": text,
        **extra,
    }
    if text.startswith("/"):
        message["entities"] = [{"offset": 0, "length": len(text.split()[0]), "type": "bot_command"}]
    return {"update_id": update_id, "message": message}


def photo_update(file_id: str, user: int = USER) -> dict:
    update = text_update("", user)
    message = update["message"]
    del message["text"]
    message["photo"] = [
        {"file_id": file_id + "s", "file_unique_id": "s" + file_id, "width": 90, "height": 90},
        {"file_id": file_id, "file_unique_id": "u" + file_id, "width": 800, "height": 600},
    ]
    return update


def callback_update(data: str, user: int = USER, language: str = "ms") -> dict:
    """An inline-button press under a bot message."""
    update_id = next(_ids)
    return {
        "update_id": update_id,
        "callback_query": {
            "id": f"cb{update_id}",
            "from": _user(user, language),
            "chat_instance": "-1234567890",
            "data": data,
            "message": {
                "message_id": 1,
                "from": {"id": 7000001, "is_bot": True, "first_name": "Aduan"},
                "chat": {"id": user, "type": "private"},
                "date": 1793498580,
                "text": "...",
            },
        },
    }
