"""The officer's inbox: queue queries, filters, search and counts (``queries``), bulk actions
(``bulk``) and an officer's own notifications (``notifications``).
"""
