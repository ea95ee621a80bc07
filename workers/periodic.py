"""The periodic jobs of the product (see workers.schedule). Each entry's function is a job in
``workers/`` that is safe to run twice."""

from workers.schedule import Periodic, register_periodic, register_watch

register_periodic(Periodic("worker-heartbeat", "workers.jobs:scheduled_heartbeat", 60))
register_watch("workers.intake_jobs:wake_forgotten_slots")  # every tick: see its module
register_periodic(
    Periodic("requeue-stale-events", "workers.intake_jobs:requeue_stale_events", 60, queue="ingest")
)
register_periodic(
    Periodic("poll-mailboxes", "workers.intake_jobs:poll_mailboxes", 60, queue="ingest")
)
register_periodic(
    Periodic("resend-queued-outbound", "workers.outbound_jobs:resend_queued", 60, queue="outbound")
)
register_periodic(
    Periodic("redrive-webhooks", "workers.webhook_jobs:redrive_webhooks", 60, queue="outbound")
)
register_periodic(
    Periodic("expire-held-whatsapp", "workers.outbound_jobs:expire_held", 900, queue="outbound")
)
register_periodic(Periodic("sla-sweep", "workers.sla_jobs:sweep_sla", 300))
register_periodic(Periodic("reconcile-open-counts", "workers.sla_jobs:reconcile_open_counts", 600))
register_periodic(Periodic("handling-reminders", "workers.sla_jobs:handling_reminders", 1800))
register_periodic(Periodic("morning-digest", "workers.sla_jobs:morning_digest", 1800))
register_periodic(Periodic("survey-sweep", "workers.citizen_jobs:survey_sweep", 600))
register_periodic(Periodic("charter-review", "workers.citizen_jobs:charter_review_reminder", 86400))
register_periodic(Periodic("notice-digest", "workers.inbox_jobs:notice_digest", 1800))
register_periodic(Periodic("report-rollups", "workers.report_jobs:refresh_rollups", 60))
register_periodic(
    Periodic("report-reconcile", "workers.report_jobs:reconcile_recent_days", 6 * 3600)
)
register_periodic(Periodic("monthly-report", "workers.report_jobs:monthly_reports", 3600))
register_periodic(Periodic("expire-exports", "workers.export_jobs:expire_exports", 3600))
