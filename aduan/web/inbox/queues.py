"""``/inbox``: one queue of tickets with filters, search, sorting and keyset pages, and its
live refresh (``/inbox/live``, polled with an ETag). Thin views over ``services.inbox``."""

from __future__ import annotations

import datetime as dt

from flask import Response, current_app, render_template, request, url_for
from flask_login import current_user

from aduan.extensions import db
from aduan.models import Category
from aduan.services.inbox import live, ordering, saved_views
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
        everywhere=args.get("scope") == "all",
        unit_id=_int(args.get("unit")),
        assignee_id=_int(args.get("assignee")),
        complexity=_one_of(args.get("complexity"), Complexity.values()),
    )


LIST_ARGS = ("after", "queue")  # never carried into links that start a list afresh


def _order() -> tuple[ordering.Order, bool]:
    """The order asked for in the query string, and whether one was asked for at all."""
    queue = request.args.get("queue", queries.DEFAULT_QUEUE)
    sort, direction = request.args.get("sort"), request.args.get("dir")
    return ordering.order_for(queue, sort, direction), sort in ordering.SORT_KEYS


def _queue() -> str:
    queue = request.args.get("queue", queries.DEFAULT_QUEUE)
    return queue if queue in (*queries.QUEUES, queries.ALL) else queries.DEFAULT_QUEUE


def _args_without(*names: str) -> dict[str, str]:
    return {k: v for k, v in request.args.items() if k not in (*LIST_ARGS, *names)}


@bp.get("/inbox")
@officer_required
def inbox():
    officer = current_user._get_current_object()
    queue, filters = _queue(), filters_from(request.args)
    order, chosen = _order()
    result = queries.page(officer, queue, filters, request.args.get("after"), order=order)
    counts = queries.queue_counts(officer)
    context = {
        "queue": queue, "page": result, "counts": counts, "count_label": queries.count_label,
        "filters": filters, "filter_args": _args_without(), "order": order,
        "split": request.args.get("view") == "split", "page_size": queries.PAGE_SIZE,
    }  # fmt: skip
    if request.headers.get("HX-Request") and not request.headers.get("HX-Boosted"):
        return render_template("inbox/_rows.html", **context)
    categories = db.session.scalars(
        db.select(Category)
        .where(Category.agency_id == officer.agency_id, Category.active.is_(True))
        .order_by(Category.code)
    )
    return render_template(
        "inbox/queue.html",
        **context,
        order_chosen=chosen,
        sort_args=_args_without("sort", "dir"),
        view_args=_args_without("view"),
        filters_active=filters_active(filters),
        live_url=_live_url(queue, live.etag(result, counts)),
        poll_seconds=current_app.config.get("INBOX_POLL_SECONDS", 20),
        categories=list(categories),
        statuses=list(TicketStatus),
        types=list(TicketType),
        channels=channel_terms(),
        assignees=_assignees(),
        saved=saved_views.mine(officer),
        view_url=saved_views.url,
        current_query=request.query_string.decode(errors="replace"),
    )


def _live_url(queue: str, tag: str) -> str:
    return url_for("inbox.inbox_live", queue=queue, etag=tag, **_args_without("etag"))


def filters_active(filters: queries.Filters) -> int:
    """How many filters of the panel are set (the search box is not one of them)."""
    fields = ("status", "type", "category_id", "channel", "state", "received_from",
              "received_to", "priority")  # fmt: skip
    return sum(1 for name in fields if getattr(filters, name))


@bp.get("/inbox/live")
@officer_required
def inbox_live():
    """The list's first page and the queue counts, only when they changed since ``etag``
    (polled by the open inbox): 204 when nothing changed (htmx then leaves the page alone),
    304 for a client that sends If-None-Match, else the rows and counts to swap in."""
    officer = current_user._get_current_object()
    queue, filters = _queue(), filters_from(request.args)
    order, _ = _order()
    result = queries.page(officer, queue, filters, order=order)
    counts = queries.queue_counts(officer)
    tag = live.etag(result, counts)
    if request.if_none_match.contains(tag):
        return Response(status=304, headers={"ETag": f'"{tag}"'})
    if request.args.get("etag") == tag:
        return Response(status=204, headers={"ETag": f'"{tag}"'})
    html = render_template(
        "inbox/_live.html",
        queue=queue, page=result, counts=counts, count_label=queries.count_label,
        filters=filters, filter_args=_args_without("etag"), order=order,
        split=request.args.get("view") == "split", page_size=queries.PAGE_SIZE,
        live_url=_live_url(queue, tag),
        poll_seconds=current_app.config.get("INBOX_POLL_SECONDS", 20),
    )  # fmt: skip
    response = Response(html)
    response.headers["ETag"] = f'"{tag}"'
    response.headers["Cache-Control"] = "no-store"
    return response
