"""Each agency's bot keeps its own state of a chat: one Telegram user talking to two agencies'
bots on one deployment is two conversations, each its agency's (issue #11: BotConversation
was keyed by channel and handle only, so two agencies' bots shared a chat's state)."""

from __future__ import annotations

from aduan.extensions import db
from aduan.models import BotConversation
from aduan.services import tenancy
from aduan.services.channel_config.accounts import save_account
from aduan.services.citizen.bot_session import active_conversation, start_conversation
from tests.builders import gen_agency

CHAT = "777001"


def test_two_agencies_bots_keep_their_own_state_of_one_chat(app_ctx):
    demo, mbpj = gen_agency(code="DEMO"), gen_agency(code="MBPJ")
    save_account(mbpj, "telegram", {"bot_token": "1:b", "webhook_secret": "s"}, key="mbpj-bot")
    db.session.commit()
    start_conversation("telegram", "default", CHAT, "category", "ms")  # DEMO's bot, mid-way
    db.session.commit()
    assert active_conversation("telegram", "mbpj-bot", CHAT) is None  # MBPJ's bot: a fresh chat
    start_conversation("telegram", "mbpj-bot", CHAT, "language", "en")
    db.session.commit()
    assert active_conversation("telegram", "default", CHAT).step == "category"  # untouched
    db.session.commit()

    def steps(agency):
        query = tenancy.scoped(db.select(BotConversation.step), BotConversation, agency.id)
        return db.session.scalars(query).all()

    assert (steps(demo), steps(mbpj)) == (["category"], ["language"])
