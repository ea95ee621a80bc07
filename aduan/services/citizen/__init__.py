"""What the complainant sees and does outside the inbox: the status page's verification and
timeline (``status``), the satisfaction survey and objection window (``survey``), the messaging
bots (``conversations`` in front of intake, ``bot_session``, ``bot_filing``, ``bot_texts``) and the
published client charter (``charter``).
"""
