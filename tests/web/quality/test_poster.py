"""The QR poster of a service point renders to PDF: the page images show a code that a
decoder (zbar) reads as the point's short link, and the sheet asks in all four languages."""

from __future__ import annotations

import shutil
import subprocess

import pytest

from aduan.extensions import db
from tests.builders import gen_agency, gen_officer, gen_unit, login
from tests.builders_quality import gen_service_point

TOOLS = ("pdftoppm", "pdftotext", "zbarimg")


@pytest.fixture
def tools():
    missing = [t for t in TOOLS if shutil.which(t) is None]
    if missing:
        pytest.fail(f"{missing} missing: run scripts/ensure-browser.sh", pytrace=False)


def test_the_poster_pdf_holds_a_qr_code_of_the_short_link_and_four_languages(
    client, tools, tmp_path
):
    agency = gen_agency(code="MBX")
    unit = gen_unit(agency)
    point = gen_service_point(agency, code="kaunter-3", name="Kaunter Lesen 3")
    login(client, gen_officer(agency, units=[unit], roles=("admin",)))
    db.session.commit()
    response = client.get(f"/kualiti/titik/{point.id}/poster.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    pdf = tmp_path / "poster.pdf"
    pdf.write_bytes(response.data)
    subprocess.run(["pdftoppm", "-r", "150", "-png", str(pdf), str(tmp_path / "page")],
                   check=True)  # fmt: skip
    [image] = sorted(tmp_path.glob("page*.png"))
    decoded = subprocess.run(["zbarimg", "-q", "--raw", str(image)], capture_output=True,
                             text=True, check=True).stdout.split()  # fmt: skip
    assert decoded == ["https://aduan.test/a/MBX/n/kaunter-3"]
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True,
                          check=True).stdout  # fmt: skip
    assert "Kaunter Lesen 3" in text
    for line in ("Bagaimana layanan kami hari ini?", "How was our service today?",
                 "今天我们的服务如何", "சேவை"):  # fmt: skip
        assert line in text, line


def test_the_poster_page_and_pdf_are_the_agencys_own(client):
    a = gen_agency(code="MBA")
    point = gen_service_point(a)
    b = gen_agency(code="MBB")
    login(client, gen_officer(b, units=[gen_unit(b)], roles=("admin",)))
    db.session.commit()
    assert client.get(f"/kualiti/titik/{point.id}/poster").status_code == 404
    assert client.get(f"/kualiti/titik/{point.id}/poster.pdf").status_code == 404
