"""Fixtures for the process tests: a Redis server of the test's own."""

from tests.own_redis import own_redis  # noqa: F401  (fixture)
