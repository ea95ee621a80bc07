"""The citizens' blueprint: complaint form, status page, survey and client charter; the
service-quality pages (rating by QR code, kiosk, shopper and study forms)."""

from aduan.web.public import quality, routes, shopping, study  # noqa: F401  (routes on ``bp``)
from aduan.web.public.blueprint import bp

__all__ = ["bp"]
