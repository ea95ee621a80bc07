"""The citizens' blueprint: complaint form, status page, survey and client charter."""

from aduan.web.public import routes  # noqa: F401  (routes on ``bp``)
from aduan.web.public.blueprint import bp

__all__ = ["bp"]
