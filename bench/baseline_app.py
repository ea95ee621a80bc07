"""The raw baseline: a minimal Flask endpoint doing one INSERT + COMMIT on the same database,
through the same SQLAlchemy pool settings Aduan uses."""

import os

from flask import Flask, request
from sqlalchemy import create_engine, text

app = Flask(__name__)
engine = create_engine(
    os.environ["BENCH_DATABASE_URL"].replace("postgresql://", "postgresql+psycopg://"),
    pool_pre_ping=True,
)


@app.get("/healthz")
def healthz():
    return "ok"


@app.post("/insert")
def insert():
    with engine.begin() as conn:
        conn.execute(
            text("INSERT INTO bench_baseline (provider_id, payload) VALUES (:p, :b)"),
            {"p": request.form.get("MessageSid", ""), "b": request.get_data(as_text=True)},
        )
    return "", 200
