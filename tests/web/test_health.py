from tests.conftest import make_app


def test_healthz_reports_database_redis_and_queues(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.get_json()
    assert body["status"] == "ok"
    assert body["database"] == {"ok": True, "dialect": "postgresql"}
    assert body["redis"]["ok"] is True
    assert set(body["queues"]["queues"]) == {"first", "ingest", "outbound", "sweeps", "default"}


def test_healthz_is_503_when_redis_is_down(database_url, tmp_path):
    app = make_app(database_url, tmp_path, REDIS_URL="redis://127.0.0.1:1/0")
    response = app.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.get_json()["redis"] == {"ok": False, "error": "ConnectionError"}
