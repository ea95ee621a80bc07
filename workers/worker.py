"""The worker class: non-forking (the measured cost of a fork per job caps intake far below
what the database takes), one Flask app per process, a fresh app context per job.

Run with ``flask --app wsgi worker`` or ``rq worker -w workers.worker.AppWorker <queues>``.
"""

from __future__ import annotations

import logging

from rq import SimpleWorker

log = logging.getLogger(__name__)


class AppWorker(SimpleWorker):
    """A ``SimpleWorker`` that runs every job inside an app context of one app per process."""

    _app = None

    @classmethod
    def flask_app(cls):
        if cls._app is None:
            from aduan import create_app

            cls._app = create_app()
        return cls._app

    def perform_job(self, job, queue):
        app = self.flask_app()
        with app.app_context():
            return super().perform_job(job, queue)
