"""Services hold the rules; views and jobs are thin and call them. One sub-package per domain:
``intake``, ``tickets``, ``sla``, ``outbox``, ``citizen``, ``inbox``, ``admin``, ``auth`` and
``channel_config``; each package's docstring says what it owns (``docs/architecture.md``)."""
