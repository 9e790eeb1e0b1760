"""Goal E's communication log: entries, counts per channel and term, refusals — through the service layer."""

from datetime import date

import pytest
from sqlalchemy import select
from sqlmodel import Session

from mobility import communications
from mobility.communications import TermCount
from mobility.models import AuditEntry
from mobility.service import VIEWER, NotAllowed, ValidationError
from tests.conftest import EDITOR


def log(engine, day: date, channel: str, note: str = "told", **extra) -> int:
    return communications.add_communication(engine=engine, actor=EDITOR, held_on=day, channel=channel, note=note,
                                            **extra)


def test_the_channels_are_the_plans(engine):
    assert list(communications.channels()) == ["mittuppslaget", "staff_pages", "studentportalen",
                                               "department_meeting", "department_visit", "school_visit",
                                               "partner_newsletter", "other"]
    assert communications.channel_name("partner_newsletter", "sv") == "Nyhetsbrev till partneruniversitet (B6)"


def test_counts_per_channel_and_term_at_the_term_edges(engine):
    """30 June is VT, 1 July and 31 December are HT, 1 January the next VT; as_of cuts off later entries."""
    log(engine, date(2017, 6, 30), "mittuppslaget")
    log(engine, date(2017, 7, 1), "mittuppslaget")
    log(engine, date(2017, 12, 31), "mittuppslaget")
    log(engine, date(2017, 12, 31), "department_visit", audience="Avdelningen för design", activity="E2")
    log(engine, date(2018, 1, 1), "studentportalen")
    counts = communications.counts_by_channel_and_term(engine)
    assert counts == [TermCount(2017, "VT", "mittuppslaget", 1), TermCount(2017, "HT", "mittuppslaget", 2),
                      TermCount(2017, "HT", "department_visit", 1), TermCount(2018, "VT", "studentportalen", 1)]
    assert communications.counts_by_channel_and_term(engine, as_of=date(2017, 12, 30)) == [
        TermCount(2017, "VT", "mittuppslaget", 1), TermCount(2017, "HT", "mittuppslaget", 1)]
    assert communications.summary_line(counts, "sv") == "VT 2018: 1 Studentportalen"
    assert communications.summary_line(counts, "en", term=(2017, "HT")) == (
        "HT 2017: 2 Mittuppslaget (the pro-vice-chancellor's lines) · 1 Visit to a department (E2)")
    table = communications.table_by_term(counts, "sv")
    assert list(table) == ["Kanal", "VT 2017", "HT 2017", "VT 2018"]
    assert table["HT 2017"] == [2, 0, 1]


def test_an_entry_is_audited_and_can_be_taken_back(engine):
    entry = log(engine, date(2017, 3, 2), "staff_pages", note="Nyhet om A1", link="https://www.miun.se/a")
    communications.remove_communication(engine=engine, actor=EDITOR, entry_id=entry)
    assert communications.entries(engine) == []
    with Session(engine) as session:
        logged = session.execute(select(AuditEntry).where(AuditEntry.entity == "communication")).scalars().all()
    assert [e.action for e in logged] == ["add_communication", "remove_communication"]
    assert "Nyhet om A1" in logged[1].before


@pytest.mark.parametrize(("changes", "says"), [
    ({"channel": "tiktok"}, "channel"),
    ({"note": ""}, "note"),
    ({"note": "x" * 501}, "at most 500"),
    ({"link": "ftp://x"}, "https"),
    ({"activity": "Z9"}, "Z9 is not in the plan"),
    ({"held_on": date(2017, 5, 2), "today": date(2017, 5, 1)}, "future"),
])
def test_bad_entries_are_refused_and_change_nothing(engine, changes, says):
    values = {"held_on": date(2017, 3, 2), "channel": "other", "note": "ok", **changes}
    with pytest.raises(ValidationError, match=says):
        communications.add_communication(engine=engine, actor=EDITOR, **values)
    assert communications.entries(engine) == []


def test_readers_read_but_cannot_write(engine):
    with pytest.raises(NotAllowed):
        communications.add_communication(engine=engine, actor=VIEWER, held_on=date(2017, 3, 2), channel="other",
                                         note="x")
    assert communications.communications_json(engine)["counts"] == []
