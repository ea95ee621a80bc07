"""Everything sent to a person, through one door (``door.queue``: contact, sending account,
the OutboundMessage, its enqueue once the caller commits — ``enqueueing``). What is said:
complainant messages (``replies``, ``notices``, ``texts``) and notices to officers
(``officer_notices``); the rows' delivery with retries and statuses (``delivery``); the WhatsApp
24-hour window with held messages (``whatsapp_window``, ``whatsapp_assignee``) and the agency's
approved templates (``whatsapp_templates``).
"""
