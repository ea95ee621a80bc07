"""Time: the one SLA clock over working days (``clock``), each state's working calendar and
its holiday overrides (``working_calendar``, ``holiday_rules``), and the periodic sweeps that warn,
escalate, recover the service and enforce daily handling (``sweeps``, ``daily_handling``).
"""
