"""The periodic schedule's record: one row per (job, period) that the scheduler handed over,
so a period's job runs once even across a Redis or scheduler restart."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import BigInteger, String
from sqlalchemy.orm import Mapped, mapped_column

from aduan.extensions import db
from aduan.models.base import UTCDateTime


class PeriodicRun(db.Model):
    """Job ``name``'s period number ``slot`` (seconds since the epoch // its interval):
    enqueued at, started at (by the job, a claim), done at."""

    __tablename__ = "periodic_runs"
    __tenant__ = "system"  # aduan/services/tenancy.py

    name: Mapped[str] = mapped_column(String(60), primary_key=True)
    slot: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    enqueued_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    started_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    done_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
