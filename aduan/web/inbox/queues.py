"""``/inbox``: one queue of tickets with filters, search and keyset pages (thin view)."""

from __future__ import annotations

import datetime as dt

from flask import render_template, request
from flask_login import current_user

from aduan.extensions import db
from aduan.models import Category
from aduan.services.inbox import queries as queries
from aduan.vocabulary import Complexity, TicketStatus, TicketType, channel_terms, channel_values
from aduan.web.inbox.actions import _assignees
from aduan.web.inbox.blueprint import bp, officer_required


def _date(value: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value) if value else None
    except ValueError:
        return None


def _int(value: str | None) -> int | None:
    """A database id, or None (also beyond a bigint, which PostgreSQL would refuse)."""
    if not value or not value.isdigit() or len(value) > 18:
        return None
    return int(value)


def _one_of(value: str | None, allowed: list[str]) -> str | None:
    return value if value in allowed else None


def filters_from(args) -> queries.Filters:
    """Filters from the query string; unknown values are ignored rather than refused."""
    return queries.Filters(
        status=args.get("status") if args.get("status") in TicketStatus.values() else None,
        type=args.get("type") if args.get("type") in TicketType.values() else None,
        category_id=_int(args.get("category")),
        channel=args.get("channel") if args.get("channel") in channel_values() else None,
        state=args.get("state") or None,
        received_from=_date(args.get("from")),
        received_to=_date(args.get("to")),
        priority=args.get("priority") == "1",
        q=(args.get("q") or "").strip()[:200] or None,
        unit_id=_int(args.get("unit")),
        assignee_id=_int(args.get("assignee")),
        complexity=_one_of(args.get("complexity"), Complexity.values()),
    )


@bp.get("/inbox")
@officer_required
def inbox():
    officer = current_user._get_current_object()
    queue = request.args.get("queue", queries.DEFAULT_QUEUE)
    if queue not in (*queries.QUEUES, queries.ALL):
        queue = queries.DEFAULT_QUEUE
    filters = filters_from(request.args)
    result = queries.page(officer, queue, filters, cursor=request.args.get("after"))
    categories = db.session.scalars(
        db.select(Category)
        .where(Category.agency_id == officer.agency_id, Category.active.is_(True))
        .order_by(Category.code)
    )
    args = {k: v for k, v in request.args.items() if k not in ("after", "queue")}
    fragment = bool(request.headers.get("HX-Request"))
    template = "inbox/_rows.html" if fragment else "inbox/queue.html"
    return render_template(
        template,
        queue=queue,
        page=result,
        counts=queries.queue_counts(officer),
        count_label=queries.count_label,
        filters=filters,
        filter_args=args,
        categories=list(categories),
        statuses=list(TicketStatus),
        types=list(TicketType),
        channels=channel_terms(),
        assignees=[] if fragment else _assignees(),
    )
