"""Everything sent to a person: the messages to complainants (``replies``, ``notices``,
``texts``), notices to officers (``officer_notices``), the OutboundMessage rows' delivery with
retries and statuses (``delivery``), and the WhatsApp 24-hour window with held messages
(``whatsapp_window``, ``whatsapp_assignee``).
"""
