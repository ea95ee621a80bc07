"""GeoReport v2's two formats: JSON (a list of objects; one object for a service
definition) and XML (a root element holding one element per item, as the standard's
examples shape them), and its error list (``code``, ``description``) in either."""

from __future__ import annotations

import datetime as dt
import json
from xml.etree import ElementTree as ET

from flask import Response

XML = "application/xml"
JSON = "application/json"
# List-valued fields and the element each of their items is written as.
ITEMS = {"attributes": "attribute", "values": "value", "endpoints": "endpoint", "formats": "format"}


def render(fmt: str, root: str, item: str | None, data, status: int = 200) -> Response:
    """``data`` as ``fmt``: a list of items under ``<root>``, each as ``<item>`` (or, with
    ``item`` None, one object as ``<root>`` itself)."""
    if fmt == "xml":
        element = ET.Element(root)
        if item is None:
            _fill(element, data)
        else:
            for row in data:
                _fill(ET.SubElement(element, item), row)
        body = '<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(element, "unicode")
        return Response(body, status=status, mimetype=XML)
    return Response(json.dumps(data, default=_text), status=status, mimetype=JSON)


def errors(fmt: str, status: int, description: str) -> Response:
    """GeoReport's error list, with the HTTP status as its ``code``."""
    rows = [{"code": status, "description": description}]
    return render(fmt, "errors", "error", rows, status)


def _fill(element: ET.Element, row: dict) -> None:
    for key, value in row.items():
        child = ET.SubElement(element, key)
        if isinstance(value, list):
            for entry in value:
                grandchild = ET.SubElement(child, ITEMS.get(key, "item"))
                if isinstance(entry, dict):
                    _fill(grandchild, entry)
                else:
                    grandchild.text = _text(entry)
        elif value is not None:
            child.text = _text(value)


def _text(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    return str(value)
