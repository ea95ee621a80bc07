"""Schemathesis over the whole OpenAPI document of /api/v1, against the app on real
PostgreSQL and Redis, authenticated with a token holding every scope: no server error and no
response that the document does not describe. Bounded examples keep it under a minute."""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from aduan.extensions import db
from tests.builders import gen_agency, gen_officer, gen_ticket, gen_unit
from tests.web.api.builders import bearer, gen_token

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


@pytest.fixture
def api_secret(app_ctx):
    """An agency with units, officers, tickets (one with a known reference), and a token."""
    agency = gen_agency()
    unit = gen_unit(agency)
    gen_officer(agency, units=[unit])
    for _ in range(3):
        gen_ticket(agency, unit)
    gen_agency()  # another agency beside it
    db.session.commit()
    _token, secret = gen_token(agency)
    return secret


def test_the_api_answers_every_generated_request_as_documented(app_ctx, api_secret):
    app_ctx.config["API_RATE_LIMIT"] = "100000 per minute"
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app_ctx)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) == 23
    try:
        for operation in operations:
            _exercise(operation, api_secret)
    finally:
        app_ctx.config.pop("API_RATE_LIMIT", None)


def _exercise(operation, secret: str) -> None:
    @given(case=operation.as_strategy())
    @settings(max_examples=12, deadline=None, derandomize=True,
              suppress_health_check=list(HealthCheck), database=None)  # fmt: skip
    def run(case):
        case.call_and_validate(headers=bearer(secret), checks=CHECKS)
        db.session.rollback()  # the test's session must not hold what a request left behind

    run()
