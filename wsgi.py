"""The one module-level app: ``gunicorn wsgi:app`` and ``flask --app wsgi ...``."""

from aduan import create_app
from workers.cli import register as register_process_commands

app = create_app()
register_process_commands(app)
