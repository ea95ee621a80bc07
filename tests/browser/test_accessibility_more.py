"""The pages added since the first accessibility pass (issue #17), in Chromium: the admin pages,
reports, exports, the officer's account, the service-quality staff pages, the citizen
service-quality pages and the error pages, in Bahasa Malaysia and English (citizen pages also
in Chinese and Tamil). axe-core finds no critical or serious violation, the console shows no
CSP refusal, and at 390 px no officer page scrolls sideways.

One browser page per role and language visits every URL; the failures are gathered so that one
run names them all."""

from __future__ import annotations

import hashlib
from urllib.parse import urlsplit

import pytest

from aduan.models import Agency, Unit
from aduan.models.exports import Export
from aduan.models.quality import Exercise, ServicePoint, StudyInvitation
from tests.browser.audit import axe_violations, csp_errors, sideways_overflow, watch_console
from tests.browser.conftest import TIMEZONE
from tests.browser.test_inbox import sign_in
from tests.builders import gen_officer, gen_ticket, gen_totp, totp_code
from tests.builders_quality import gen_shopper
from tests.web.tenant_world import seed

LOCALES = {"ms": "ms-MY", "en": "en-GB"}
CITIZEN_LANGS = ("ms", "en", "zh", "ta")
CHANNELS = ("email", "instagram", "messenger", "sms", "telegram", "voice", "web", "whatsapp",
            "whatsapp_cloud", "x")  # fmt: skip
POSTER = "/kualiti/titik/{point}/poster"  # a print sheet in the four citizen languages, lang="ms"
STUDY_TOKEN = "kajian-axe-" + "t" * 24

ADMIN_PAGES = [
    "/admin/", "/admin/agency", "/admin/agency/logo", "/admin/units", "/admin/units/new",
    "/admin/units/{unit}", "/admin/units/{branch}", "/admin/officers", "/admin/officers/new",
    "/admin/officers/{officer}", "/admin/roster", "/admin/roster/{unit}", "/admin/categories",
    "/admin/categories/new", "/admin/categories/{category}", "/admin/sla-profiles",
    "/admin/sla-profiles/new",
    "/admin/sla-profiles/{profile}", "/admin/routing-rules", "/admin/routing-rules/new",
    "/admin/routing-rules/{rule}", "/admin/holidays", "/admin/holidays/new",
    "/admin/holidays/{closure}", "/admin/channels", "/admin/channels/{account}",
    "/admin/channels/{plain_account}", "/admin/quarantine", "/admin/audit",
    "/admin/audit?log=access", "/admin/canned-responses", "/admin/canned-responses/new",
    "/admin/canned-responses/{canned}", "/admin/api-tokens", "/admin/webhooks",
    *(f"/admin/channels/new/{channel}" for channel in CHANNELS),
]  # fmt: skip
OTHER_OFFICER_PAGES = [
    "/reports", "/exports", "/exports/bpa", "/exports/{export}", "/account",
    "/kualiti/titik", "/kualiti/titik/baru", "/kualiti/titik/{point}",
    POSTER, "/kualiti/penilaian", "/kualiti/senarai-semak",
    "/kualiti/senarai-semak/baru", "/kualiti/senarai-semak/{checklist}", "/kualiti/latihan",
    "/kualiti/latihan/baru", "/kualiti/latihan/{exercise}", "/kualiti/kajian",
    "/kualiti/kajian/baru", "/kualiti/kajian/{study}", "/kualiti/angka",
]  # fmt: skip
OFFICER_PAGES = ADMIN_PAGES + OTHER_OFFICER_PAGES
CITIZEN_PAGES = [
    "/", "/aduan/baru", "/semak", "/piagam", "/a/{code}/aduan/baru", "/a/{code}/semak",
    "/a/{code}/piagam", "/a/{code}/n/{point_code}", "/a/{code}/mp/{shopper_token}",
    "/a/{code}/kajian/{study_token}",
]  # fmt: skip
NOT_FOUND = "/tiada-halaman-ini"  # no blueprint's: an officer's page (BM or EN)
CITIZEN_NOT_FOUND = "/a/{code}/n/tiada-kaunter"  # a citizen's 404, in the four languages


@pytest.fixture
def world(db):
    """The tenant matrix's agency (``tests/web/tenant_world.py``: one of every admin object,
    a ticket, an export, service-quality rows), plus per language an officer who is also its
    admin and complaint manager (two-factor on), their own export, a shopper's link and a
    study invitation's link."""
    side = seed("Axe", "10", "+60123456789")
    agency = db.session.get(Agency, side.agency_id)
    unit = db.session.get(Unit, side.ids["unit"])
    officers = {
        lang: gen_officer(
            agency,
            [unit],
            roles=("officer", "admin", "complaint_manager"),
            username=f"axm.{lang}",
            locale=lang,
        )  # fmt: skip
        for lang in LOCALES
    }
    for lang in LOCALES:  # no two-factor yet: its set-up page
        gen_officer(agency, [unit], username=f"axm.plain.{lang}", locale=lang)
    exports = {}
    for lang, officer in officers.items():
        gen_totp(officer)
        exports[lang] = Export(agency_id=agency.id, officer_id=officer.id, kind="queue",
                               format="csv", params={"queue": "unit"}, state="queued")  # fmt: skip
    db.session.add_all(exports.values())
    point = db.session.get(ServicePoint, side.ids["service_point"])
    exercise = db.session.get(Exercise, side.ids["exercise"])
    _, shopper_token = gen_shopper(exercise, name="Puan Salmah")
    digest = hashlib.sha256(STUDY_TOKEN.encode()).hexdigest()
    invited = gen_ticket(agency, unit, subject="Longkang tersumbat")  # a study's unanswered link
    db.session.add(StudyInvitation(study_id=side.ids["study"], ticket_id=invited.id,
                                   token_hash=digest))  # fmt: skip
    db.session.commit()
    ids = {
        **side.ids, "code": agency.code, "point": point.id, "point_code": point.code,
        "shopper_token": shopper_token, "study_token": STUDY_TOKEN,
    }  # fmt: skip
    return officers, {lang: {**ids, "export": e.id} for lang, e in exports.items()}


def _sign_in_with_code(page, base: str, officer) -> None:
    sign_in(page, base, officer.username)
    page.wait_for_url("**/login/two-factor*")
    page.fill("#code", totp_code(officer))
    page.click("form button[type=submit]")
    page.wait_for_url("**/inbox*")


def _problems(page, url: str, seen: list[str], status: int = 200) -> list[str]:
    response = page.goto(url)
    if response is None or response.status != status:
        return [f"{url}: HTTP {response and response.status}"]
    if urlsplit(page.url).path != urlsplit(url).path:  # not sent elsewhere (sign-in, two-factor)
        return [f"{url}: landed on {page.url}"]
    page.wait_for_load_state("networkidle")
    problems = [f"{url}: {v}" for v in axe_violations(page)]
    problems += [f"{url}: {e}" for e in csp_errors(seen)]
    seen.clear()
    return problems


def _lang_params(langs):
    return [pytest.param(lang, {"locale": LOCALES.get(lang, "ms-MY")}, id=lang) for lang in langs]


@pytest.mark.parametrize(("lang", "page"), _lang_params(LOCALES), indirect=["page"])
def test_every_new_officer_page_passes_axe_without_csp_errors(
    page, browser, live_server, world, lang
):
    officers, ids_by_lang = world
    ids = ids_by_lang[lang]
    seen = watch_console(page)
    _sign_in_with_code(page, live_server, officers[lang])
    problems = []
    for path in OFFICER_PAGES:
        problems += _problems(page, live_server + path.format(**ids), seen)
        if path != POSTER:
            assert page.locator("html").get_attribute("lang") == lang, path
    problems += _problems(page, live_server + NOT_FOUND, seen, status=404)
    context = browser.new_context(locale=LOCALES[lang], timezone_id=TIMEZONE)
    try:  # the two-factor set-up page, seen by an officer who has not switched it on
        other = context.new_page()
        other_seen = watch_console(other)
        sign_in(other, live_server, f"axm.plain.{lang}")
        other.wait_for_url("**/inbox*")
        problems += _problems(other, f"{live_server}/account/two-factor", other_seen)
    finally:
        context.close()
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize(("lang", "page"), _lang_params(CITIZEN_LANGS), indirect=["page"])
def test_every_citizen_page_in_four_languages_passes_axe(page, live_server, world, lang):
    _, ids_by_lang = world
    ids = ids_by_lang["ms"]
    seen = watch_console(page)
    problems = []
    # The sign-in page is an officer's (BM or EN): tests/browser/test_accessibility.py has it.
    for path in [*CITIZEN_PAGES, CITIZEN_NOT_FOUND]:
        url = live_server + path.format(**ids)
        url += ("&" if "?" in url else "?") + f"lang={lang}"
        problems += _problems(page, url, seen, status=404 if path == CITIZEN_NOT_FOUND else 200)
        assert page.locator("html").get_attribute("lang") == lang, path
    assert not problems, "\n".join(problems)


PHONE_VIEW = {"viewport": {"width": 390, "height": 844}, "locale": "ms-MY"}


@pytest.mark.parametrize("page", [PHONE_VIEW], indirect=True)
def test_no_new_officer_page_scrolls_sideways_on_a_phone(page, live_server, world):
    officers, ids_by_lang = world
    ids = ids_by_lang["ms"]
    _sign_in_with_code(page, live_server, officers["ms"])
    wide = {}
    for path in [*OFFICER_PAGES, NOT_FOUND]:
        response = page.goto(live_server + path.format(**ids))
        assert response.status == (404 if path == NOT_FOUND else 200), path
        overflow = sideways_overflow(page)
        if overflow > 0:
            wide[path] = overflow
    assert not wide, f"wider than 390 px: {wide}"
