import multiprocessing as mp
import re

import pytest

from aduan.services.tickets import references
from aduan.services.tickets.opening import find_by_reference
from tests.builders import gen_ticket

PATTERN = re.compile(r"^ADU-2026-[0-9A-HJKMNP-TV-Z]{6}$")


def test_format_is_short_readable_and_valid():
    for _ in range(200):
        ref = references.new_reference(2026)
        assert PATTERN.match(ref)
        assert references.normalise_reference(ref) == ref


def test_check_character_catches_every_single_character_error():
    ref = references.new_reference(2026)
    body = ref.split("-")[2]
    for i, original in enumerate(body):
        for char in references.ALPHABET:
            if char != original:
                typo = body[:i] + char + body[i + 1 :]
                assert not references.is_valid_body(typo)


@pytest.mark.parametrize(
    "typed",
    ["adu-2026-{b}", "ADU 2026 {b}", "adu2026{b}", "  ADU/2026/{b}  ", "ADU-2026-{lo}"],
)
def test_lookup_tolerates_case_separators_and_confusables(typed):
    ref = "ADU-2026-1B0KAC"  # contains 1 and 0, to be typed as I/L and O
    assert references.is_valid_body("1B0KAC")
    body = ref.split("-")[2]
    confused = body.replace("1", "I").replace("0", "O").lower()
    assert references.normalise_reference(typed.format(b=body, lo=confused)) == ref


@pytest.mark.parametrize("junk", ["", "ADU-2026", "ADU-26-ABCDEF", "hello", "ADU-2026-ABCDEF"])
def test_garbage_is_not_a_reference(junk):
    assert references.normalise_reference(junk) is None


def test_references_are_found_in_free_text():
    ref = references.new_reference(2026)
    text = f"Re: [{ref}] aduan saya belum selesai; rujukan lain XYZ-2026-AAAAAA"
    assert references.find_references(text) == [ref]


def test_find_by_reference_is_tolerant(db):
    ticket = gen_ticket()
    typed = ticket.reference.lower().replace("-", " ").replace("0", "o")
    assert find_by_reference(typed) is ticket


def _create_references(database_url, instance_dir, count, queue):
    from pathlib import Path

    from aduan.extensions import db
    from tests.builders import gen_agency, gen_unit
    from tests.conftest import make_app

    app = make_app(database_url, Path(instance_dir))
    refs = []
    with app.app_context():
        agency = gen_agency(code="CONC")  # the same agency in every process
        db.session.commit()
        unit = gen_unit(agency)
        db.session.commit()
        from aduan.services.tickets.opening import open_ticket

        for _ in range(count):
            ticket = open_ticket(agency=agency, unit=unit, origin_channel="web", description="x")
            db.session.commit()
            refs.append(ticket.reference)
    queue.put(refs)


def test_1000_references_created_concurrently_by_four_processes_are_unique(
    app, db, database_url, tmp_path
):
    from tests.builders import gen_agency

    gen_agency(code="CONC")
    db.session.commit()
    ctx = mp.get_context("spawn")
    queue = ctx.Queue()
    procs = [
        ctx.Process(target=_create_references, args=(database_url, tmp_path, 250, queue))
        for _ in range(4)
    ]
    for p in procs:
        p.start()
    refs = [r for _ in procs for r in queue.get(timeout=240)]
    for p in procs:
        p.join(timeout=30)
    assert len(refs) == 1000
    assert len(set(refs)) == 1000
    stored = db.session.scalar(db.text("SELECT count(DISTINCT reference) FROM tickets"))
    assert stored == 1000
