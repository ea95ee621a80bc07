"""Service quality in a real browser on a phone (issue #18): a citizen rates a counter by its
QR link in BM and in English; a mystery shopper fills the 8S checklist with the network off,
reconnects, and the visit arrives once; a complaint manager reads the analysis and adds an
action to the plan."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from aduan.extensions import db
from aduan.models.quality import Action, Rating, Visit
from tests.browser.conftest import TIMEZONE
from tests.browser.test_inbox import sign_in
from tests.builders import gen_agency, gen_officer, gen_unit
from tests.builders_quality import gen_checklist, gen_exercise, gen_service_point, gen_shopper

PHONE = {"width": 390, "height": 844}


def _agency():
    agency = gen_agency(code="MBX")
    unit = gen_unit(agency)
    agency.triage_unit_id = unit.id
    return agency, unit


def _count(model) -> int:
    db.session.expire_all()
    return db.session.scalar(db.select(db.func.count(model.id)))


@pytest.mark.parametrize("page", [{"viewport": PHONE, "locale": "ms-MY"}], indirect=True)
def test_a_citizen_rates_a_counter_by_its_qr_link_in_bm_and_another_in_english(
    page, browser, live_server, app_ctx
):
    agency, _unit = _agency()
    gen_service_point(agency, code="kaunter-3", name="Kaunter Lesen 3")
    db.session.commit()
    page.goto(f"{live_server}/a/MBX/n/kaunter-3")
    expect(page.locator("h1")).to_have_text("Bagaimana layanan kami hari ini?")
    page.click("label.face:has(input[value='5'])")
    page.fill("#comment", "Pantas dan mesra.")
    page.click("button[type=submit]")
    expect(page.locator("[data-thanked]")).to_have_text(
        "Terima kasih! Anda memberi kami 5 daripada 5."
    )
    # Another citizen's phone, in English.
    other = browser.new_context(viewport=PHONE, locale="en-GB", timezone_id=TIMEZONE)
    try:
        phone = other.new_page()
        phone.goto(f"{live_server}/a/MBX/n/kaunter-3")
        expect(phone.locator("h1")).to_have_text("How was our service today?")
        phone.click("button[type=submit]")  # no face chosen: told, nothing lost
        expect(phone.locator("#score-error")).to_have_text("Choose one of the five faces.")
        phone.fill("#comment", "Long queue.")
        phone.click("label.face:has(input[value='2'])")
        phone.click("button[type=submit]")
        expect(phone.locator("[data-thanked]")).to_have_text("Thank you! You rated us 2 out of 5.")
    finally:
        other.close()
    db.session.expire_all()
    rows = db.session.scalars(db.select(Rating).order_by(Rating.id)).all()
    assert [(r.score, r.language, r.comment) for r in rows] == [
        (5, "ms", "Pantas dan mesra."), (2, "en", "Long queue.")
    ]  # fmt: skip


@pytest.mark.parametrize("page", [{"viewport": PHONE, "locale": "ms-MY"}], indirect=True)
def test_a_shopper_fills_the_8s_checklist_offline_and_it_arrives_once(page, live_server, app_ctx):
    agency, _unit = _agency()
    point = gen_service_point(agency, name="Kaunter Satu")
    exercise = gen_exercise(gen_checklist(agency), [point])
    _shopper, token = gen_shopper(exercise)
    db.session.commit()
    page.goto(f"{live_server}/a/MBX/mp/{token}")
    expect(page.locator("legend").first).to_have_text("Senyum")
    # The page is kept on the phone (service worker), so the link opens again with no signal.
    page.evaluate("navigator.serviceWorker.ready")
    page.reload()  # now controlled by the worker, which keeps a copy of what it serves
    page.wait_for_function("navigator.serviceWorker.controller !== null")
    page.wait_for_function(f"caches.match('{live_server}/a/MBX/mp/{token}').then(r => !!r)")
    page.context.set_offline(True)  # the network is gone at the counter
    assert page.reload().from_service_worker  # the link still opens, from the phone's copy
    expect(page.locator("legend").first).to_have_text("Senyum")
    page.check("input[name=q1][value=yes]")
    page.check("input[name=q2][value=no]")
    page.check("input[name=q3][value='4']")
    page.fill("#q5", "45")
    page.fill("#q13", "Kaunter sesak pada waktu tengah hari")
    page.fill("#place", "Ibu Pejabat, Jalan Kenanga")
    page.click("#shopper-form button[type=submit]")
    status = page.locator("#shopper-status")
    expect(status).to_have_attribute("data-state", "queued")
    expect(status).to_contain_text("Disimpan dalam telefon ini")
    assert _count(Visit) == 0
    page.context.set_offline(False)  # back online: the queue is sent by itself
    expect(status).to_have_attribute("data-state", "sent", timeout=25_000)
    expect(status).to_have_text("Dihantar. Terima kasih!")
    page.reload()  # nothing left queued on the phone, nothing sent again
    page.wait_for_timeout(500)
    assert page.evaluate("Object.keys(localStorage).filter(k => "
                         "localStorage.getItem(k) !== '[]').length") == 0  # fmt: skip
    assert _count(Visit) == 1
    visit = db.session.scalar(db.select(Visit))
    assert visit.answers == {"q1": True, "q2": False, "q3": 4, "q5": 45,
                             "q13": "Kaunter sesak pada waktu tengah hari"}  # fmt: skip
    assert visit.place == "Ibu Pejabat, Jalan Kenanga" and visit.service_point_id == point.id


@pytest.mark.parametrize("page", [{"viewport": PHONE, "locale": "ms-MY"}], indirect=True)
def test_a_manager_reads_the_analysis_and_adds_an_action(page, live_server, app_ctx):
    from aduan.services.quality import exercises
    from tests.web.quality.test_shopping import _visit

    agency, unit = _agency()
    point = gen_service_point(agency, name="Kaunter Satu")
    exercise = gen_exercise(gen_checklist(agency), [point], name="Latihan Mac")
    shopper, _token = gen_shopper(exercise)
    for smile in ("yes", "no"):
        exercises.submit_visit(shopper, _visit(point, q1=smile, q2="yes"))
    gen_officer(agency, units=[unit], roles=("complaint_manager",), username="pengurus",
                name="Puan Aini")  # fmt: skip
    db.session.commit()
    sign_in(page, live_server, "pengurus")
    page.goto(f"{live_server}/kualiti/latihan/{exercise.id}")
    row = page.locator("tr[data-point='kaunter-1']")
    expect(row.locator("td[data-cell='Senyum']")).to_have_text("50%")
    expect(row.locator("td[data-cell='Salam']")).to_have_text("100%")
    form = page.locator("form[data-new-action]")
    form.locator("#description").fill("Kursus Senyum untuk pegawai kaunter")
    form.locator("#owner_id").select_option(label="Puan Aini")
    form.locator("#due_on").fill("2099-01-31")
    form.locator("button[type=submit]").click()
    expect(page.locator("[role=status]").first).to_contain_text("Tindakan ditambah ke pelan")
    action_row = page.locator("table[data-actions] tr[data-action]")
    expect(action_row).to_contain_text("Kursus Senyum untuk pegawai kaunter")
    expect(action_row).to_contain_text("Puan Aini")
    action_row.locator("button").click()
    expect(page.locator("table[data-actions] [data-done]")).to_be_visible()
    db.session.expire_all()
    [action] = db.session.scalars(db.select(Action)).all()
    assert action.done_at is not None and re.fullmatch(r"2099-01-31", action.due_on.isoformat())


def test_a_kiosk_tablet_hides_the_site_and_clears_itself_after_each_rating(
    page_tablet, live_server, app_ctx
):
    from aduan.services.quality import service_points

    agency, unit = _agency()
    point = gen_service_point(agency, name="Kaunter Lesen 3")
    key = service_points.new_kiosk_key(gen_officer(agency, units=[unit], roles=("admin",)), point)
    db.session.commit()
    page = page_tablet
    page.goto(f"{live_server}/a/MBX/n/kaunter-1/kiosk?k={key}")
    expect(page.locator(".site-header")).to_be_hidden()  # nothing to wander off to
    for score in ("4", "1"):  # one person after another on the same tablet
        page.click(f"label.face:has(input[value='{score}'])")
        page.click("button[type=submit]")
        expect(page.locator("[data-thanked]")).to_have_attribute("data-thanked", score)
        expect(page.locator("form.rate-form")).to_be_visible(timeout=15_000)  # cleared itself
        expect(page.locator("input[name=score]:checked")).to_have_count(0)
    db.session.expire_all()
    rows = db.session.scalars(db.select(Rating).order_by(Rating.id)).all()
    assert [(r.score, r.source) for r in rows] == [(4, "kiosk"), (1, "kiosk")]
