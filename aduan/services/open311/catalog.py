"""An agency's services for Open311: one per active category (``service_code`` = the
category's code), each with the same attributes, which are the web form's own fields
(type, state, district, priority group) — what ``intake.web_channel`` turns into ticket
fields, so an attribute sent means exactly what the form's field means."""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from aduan.models import Agency, Category
from aduan.models.org import STATE_CODES
from aduan.services.citizen import agency_pages
from aduan.vocabulary import PriorityGroup, TicketType


@dataclass(frozen=True)
class Attribute:
    code: str
    description: object  # a lazy string: read in the request's language
    values: tuple[tuple[str, object], ...] = ()  # (key, name); empty for free text


STATE_NAMES = {
    "01": "Johor", "02": "Kedah", "03": "Kelantan", "04": "Melaka", "05": "Negeri Sembilan",
    "06": "Pahang", "07": "Pulau Pinang", "08": "Perak", "09": "Perlis", "10": "Selangor",
    "11": "Terengganu", "12": "Sabah", "13": "Sarawak", "14": "W.P. Kuala Lumpur",
    "15": "W.P. Labuan", "16": "W.P. Putrajaya",
}  # fmt: skip
ATTRIBUTES = (
    Attribute("type", _l("What kind of matter is this?"),
              tuple((t.value, t) for t in TicketType)),
    Attribute("state_code", _l("Which state is the matter in?"),
              tuple((code, STATE_NAMES[code]) for code in STATE_CODES)),
    Attribute("district", _l("Which district or area is the matter in?")),
    Attribute("priority_group", _l("Is the complainant in a priority group?"),
              tuple((p.value, p) for p in PriorityGroup)),
)  # fmt: skip
MAX_DISTRICT = 100
SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"
# When this endpoint's document last changed (GeoReport's sortable ``changeset``): move it on
# with any change to what the endpoint offers.
CHANGESET = "2026-12-03T00:00:00Z"


def discovery(endpoint_url: str) -> dict:
    """GeoReport's service discovery: this deployment's one production endpoint, its
    formats, and where a filer gets an ``api_key``. The same for every jurisdiction."""
    return {
        "changeset": CHANGESET,
        "contact": _("Each jurisdiction is an agency (jurisdiction_id = its code); ask the "
                     "agency's complaints unit about its service."),
        "key_service": _("An api_key is an API token with the citizen scope, issued by the "
                         "agency's administrator."),
        "endpoints": [{
            "specification": SPECIFICATION, "url": endpoint_url, "changeset": CHANGESET,
            "type": "production", "formats": ["text/xml", "application/json"],
        }],
    }  # fmt: skip


def services(agency: Agency, locale: str) -> list[dict]:
    """The agency's services, as GeoReport's ``GET services`` lists them."""
    return [_service(category, agency, locale) for category in agency_pages.categories(agency)]


def find(agency: Agency, code: str) -> Category | None:
    """The agency's active category with this service code, else None."""
    return next((c for c in agency_pages.categories(agency) if c.code == code), None)


def definition(category: Category, locale: str) -> dict:
    """``GET services/{code}``: the service's attributes (the form's optional fields)."""
    return {
        "service_code": category.code,
        "attributes": [_attribute(a, order, locale) for order, a in enumerate(ATTRIBUTES, 1)],
    }


def _service(category: Category, agency: Agency, locale: str) -> dict:
    names = dict.fromkeys([category.name(locale), category.name_ms, category.name_en])
    return {
        "service_code": category.code,
        "service_name": category.name(locale),
        "description": _("%(name)s, handled by %(agency)s.", name=category.name(locale),
                         agency=agency.name),
        "metadata": True,
        "type": "realtime",
        "keywords": ", ".join(n for n in names if n),
        "group": agency.name,
    }  # fmt: skip


def _attribute(attribute: Attribute, order: int, locale: str) -> dict:
    listed = bool(attribute.values)
    return {
        "variable": True,
        "code": attribute.code,
        "datatype": "singlevaluelist" if listed else "string",
        "required": False,
        "datatype_description": "" if listed else _("At most %(n)d characters.", n=MAX_DISTRICT),
        "order": order,
        "description": str(attribute.description),
        "values": [{"key": key, "name": _label(name, locale)} for key, name in attribute.values],
    }


def _label(name, locale: str) -> str:
    return name.label(locale) if hasattr(name, "label") else str(name)


def attribute_fields(given: dict[str, str]) -> tuple[dict, dict[str, list[str]]]:
    """The form fields that ``attribute[code]`` values stand for, and the errors of those
    that are not one of the attribute's values (unknown codes are errors too)."""
    known = {a.code: a for a in ATTRIBUTES}
    fields: dict = {}
    errors: dict[str, list[str]] = {}
    for code, value in given.items():
        attribute = known.get(code)
        value = value.strip()
        if attribute is None:
            errors[f"attribute[{code}]"] = [_("Not an attribute of this service.")]
        elif attribute.values and value not in {k for k, _n in attribute.values}:
            errors[f"attribute[{code}]"] = [_("Not one of the attribute's values.")]
        elif len(value) > MAX_DISTRICT:
            errors[f"attribute[{code}]"] = [_("At most %(n)d characters.", n=MAX_DISTRICT)]
        elif value:
            fields[code] = value
    return fields, errors
