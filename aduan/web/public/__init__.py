"""The citizens' blueprint: complaint form, status page, survey and client charter."""

from flask import Blueprint

bp = Blueprint("public", __name__)

from aduan.web.public import routes  # noqa: E402,F401
