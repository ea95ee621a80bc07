"""The one module-level app: ``gunicorn wsgi:app`` and ``flask --app wsgi ...``."""

from aduan import create_app

app = create_app()
