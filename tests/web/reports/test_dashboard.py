"""/reports: the dashboard's figures per role and agency, its links into the inbox, its
exports and its refusals."""

from __future__ import annotations

import csv
import io
import re

from openpyxl import load_workbook

from aduan.models import Agency
from aduan.services.sla.clock import local_today
from tests.builders import gen_officer, login
from tests.web.reports.builders import seed_quality, seed_reports


def _volume(page: str, measure: str) -> str:
    row = re.search(rf'data-measure="{measure}".*?class="value">(.*?)</td>', page, re.S)
    return re.sub(r"<[^>]+>", "", row.group(1)).strip()


def test_a_manager_sees_the_whole_agency_and_nothing_of_the_other(db, client):
    seeded = seed_reports()
    login(client, seeded.officers["manager"])
    page = client.get("/reports").get_data(as_text=True)
    assert _volume(page, "received") == "5"  # agency B's four are not here
    assert "Unit Kuarza" not in page and "Unit Sisa" in page
    assert _volume(page, "resolved") == "1" and "Cepat dan baik" in page
    assert _volume(page, "average") == "4.0"


def test_a_supervisor_sees_only_their_units(db, client):
    seeded = seed_reports()
    login(client, seeded.officers["supervisor"])
    page = client.get("/reports").get_data(as_text=True)
    assert _volume(page, "received") == "3"
    assert "Unit Sisa" not in page


def test_a_figure_links_to_the_matching_ticket_list(db, client):
    seeded = seed_reports()
    login(client, seeded.officers["manager"])
    page = client.get("/reports").get_data(as_text=True)
    channel_table = page.split('data-breakdown="channel"')[1].split("</table>")[0]
    sms_row = [r for r in channel_table.split("<tr") if "SMS" in r][0]
    link = re.search(r'href="([^"]+)"', sms_row).group(1).replace("&amp;", "&")
    assert "channel=sms" in link and "queue=all" in link
    inbox = client.get(link).get_data(as_text=True)
    assert seeded.references["sms"] in inbox
    assert seeded.references["resolved"] not in inbox


def test_the_csv_and_xlsx_exports_hold_the_page_figures(db, client):
    seeded = seed_reports()
    login(client, seeded.officers["manager"])
    response = client.get("/reports/export.csv")
    assert response.status_code == 200 and "attachment" in response.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    totals = {r[4]: r[5] for r in rows[1:] if r[1] == "total"}
    assert totals["received"] == "5" and totals["resolved"] == "1" and totals["responses"] == "1"
    book = load_workbook(io.BytesIO(client.get("/reports/export.xlsx").data))
    values = [[c.value for c in row] for row in book.active.iter_rows()]
    assert [r for r in values if r[1] == "total" and r[4] == "received"][0][5] == 5


def test_a_bad_period_is_refused_with_a_clear_message(db, client):
    seeded = seed_reports()
    login(client, seeded.officers["manager"])
    response = client.get("/reports?from=2026-05-01&to=2026-04-01")
    assert response.status_code == 422
    assert "berakhir sebelum" in response.get_data(as_text=True) or "ends before" in (
        response.get_data(as_text=True)
    )
    assert client.get("/reports?from=kelmarin").status_code == 422
    assert client.get("/reports/export.csv?from=kelmarin").status_code == 422


def test_an_officer_without_a_reporting_role_is_refused(db, client):
    seeded = seed_reports()
    login(client, seeded.officers["officer"])
    assert client.get("/reports").status_code == 403
    assert client.get("/reports/export.csv").status_code == 403


def test_the_queue_and_ticket_pages_show_the_officers_own_month(db, client):
    seeded = seed_reports()
    login(client, seeded.officers["officer"])
    for path in ("/inbox", f"/inbox/tickets/{seeded.references['resolved']}"):
        page = client.get(path).get_data(as_text=True)
        mine = page.split('id="my-month"')[1].split("</p>")[0]
        assert re.search(r'data-figure="handled">1<', mine), path
        assert re.search(r'data-figure="on-time">100.0%<', mine), path
        assert re.search(r'data-figure="rating">4.0<', mine), path
    login(client, seeded.officers["supervisor"])  # handled nothing: zero, no share, no rating
    mine = client.get("/inbox").get_data(as_text=True).split('id="my-month"')[1]
    assert 'data-figure="handled">0<' in mine and 'data-figure="rating">—<' in mine


def test_the_service_quality_section_shows_the_agencys_measures_and_not_the_others(db, client):
    seeded = seed_reports()
    seed_quality(seeded)
    login(client, seeded.officers["manager"])
    page = client.get("/reports").get_data(as_text=True)
    assert f'id="quality-{seeded.agency_id}"' in page
    assert f'id="quality-{seeded.other_agency_id}"' not in page
    assert _volume(page, "quality-ratings") == "3"  # B's rating is not counted
    assert _volume(page, "quality-mean_rating") == "3.67"
    assert _volume(page, "quality-satisfied") == "66.7%"
    assert _volume(page, "quality-low_with_comment") == "1"
    assert _volume(page, "quality-visits") == "1" and _volume(page, "quality-visit_score") == "50.0"
    assert _volume(page, "quality-actions") == "1 / 1 / 1"
    section = page.split(f'id="quality-{seeded.agency_id}"')[1].split("<h3>")[0]
    points = section.split('data-table="service-points"')[1].split("</table>")[0]
    assert "Kaunter Alfa" in points and "Kaunter Beta" not in page
    assert section.count("<svg") == 2 and 'data-value="3.67"' in section  # the trend lines
    month = local_today().strftime("%Y-%m")
    trend = section.split('data-table="quality-trend"')[1].split("</table>")[0]
    assert trend.count("<tr data-month=") == 12  # the twelve months to the period's end
    row = trend.split(f'<tr data-month="{month}">')[1].split("</tr>")[0]
    assert re.sub(r"<[^>]+>", " ", row).split() == [month, "3", "3.67", "66.7%", "1", "50.0"]


def test_a_supervisor_has_no_service_quality_section_and_the_platform_admin_sees_each(db, client):
    seeded = seed_reports()
    seed_quality(seeded)
    login(client, seeded.officers["supervisor"])
    assert 'id="quality-' not in client.get("/reports").get_data(as_text=True)
    admin = gen_officer(db.session.get(Agency, seeded.agency_id), roles=("officer",),
                        platform_admin=True, username="lp.platform")  # fmt: skip
    db.session.commit()
    login(client, admin)
    page = client.get("/reports").get_data(as_text=True)
    for agency_id, name in ((seeded.agency_id, "Kaunter Alfa"),
                            (seeded.other_agency_id, "Kaunter Beta")):  # fmt: skip
        section = page.split(f'id="quality-{agency_id}"')[1].split("<h3>")[0]
        assert name in section
    b = page.split(f'id="quality-{seeded.other_agency_id}"')[1]
    assert re.search(r'data-measure="quality-ratings".*?class="value">1<', b, re.S)
