"""Minuted meetings: chair, attendees, decisions, actions that carry over until done, months without a meeting."""

from datetime import date

import pytest
from sqlalchemy import select
from sqlmodel import Session

from mobility import followup, meetings
from mobility.meetings import ActionItem
from mobility.models import AuditEntry
from mobility.service import VIEWER, NotAllowed, ValidationError
from tests.conftest import EDITOR


@pytest.fixture
def engine(bare_engine):
    """Meetings of our own, without the shipped example meetings."""
    return bare_engine


def section(engine, key: str, *, since: date, today: date) -> list[tuple]:
    data = followup.followup_report(engine, since=since, as_of=today)
    return next(s for s in data["sections"] if s.key == key).rows


def test_a_meeting_keeps_its_chair_attendees_decisions_and_actions(engine):
    meetings.record_meeting(engine=engine, actor=EDITOR, held_on=date(2017, 3, 6), chair="Avdelningschefen",
                            attendees=["Cathrine Gladh", "Monica Nyholm", "Gäst från KOM", "Monica Nyholm"],
                            notes="Mars", decisions=["B9 får 50 000 kr", ""],
                            actions=[ActionItem("Skriv utkast till C1", "Maria Laven", date(2017, 4, 1))])
    [m] = meetings.meetings(engine)
    assert m["chair"] == "Avdelningschefen"
    assert m["attendees"] == ["Cathrine Gladh", "Monica Nyholm", "Gäst från KOM"]
    assert meetings.decisions(engine) == [{"held_on": date(2017, 3, 6), "text": "B9 får 50 000 kr"}]
    with Session(engine) as session:
        entry = session.execute(select(AuditEntry).where(AuditEntry.action == "record_meeting")).scalar_one()
    assert "Skriv utkast till C1" in entry.after and "Gäst från KOM" in entry.after
    assert meetings.working_group() == ["Cathrine Gladh", "Monica Nyholm", "Maria Laven", "Kristina Albertsson"]


def test_open_actions_carry_to_the_next_meetings_report_until_done(engine):
    """Set in March; open in April's and May's reports; closed on 10 May: gone from the report as of 10 May."""
    meetings.record_meeting(engine=engine, actor=EDITOR, held_on=date(2017, 3, 6), decisions=["Starta C1"],
                            actions=[ActionItem("Skriv utkast till C1", "Maria Laven", date(2017, 4, 1)),
                                     ActionItem("Boka lokal")])
    meetings.record_meeting(engine=engine, actor=EDITOR, held_on=date(2017, 4, 3))
    april = section(engine, "open_actions", since=date(2017, 4, 3), today=date(2017, 4, 20))
    assert [(r[0], r[1], r[2]) for r in april] == [(date(2017, 3, 6), "Skriv utkast till C1", "Maria Laven"),
                                                    (date(2017, 3, 6), "Boka lokal", "")]
    assert section(engine, "decisions", since=date(2017, 4, 3), today=date(2017, 4, 20)) == []  # March's decision
    first = meetings.actions(engine, as_of=date(2017, 4, 20))[0]
    assert first["overdue"] and april[0][3].sv == "2017-04-01 (försenad)" and april[1][3] == "–"
    meetings.close_action(engine=engine, actor=EDITOR, action_id=first["id"], done_on=date(2017, 5, 10))
    assert len(section(engine, "open_actions", since=date(2017, 4, 3), today=date(2017, 5, 9))) == 2  # not yet
    assert [r[1] for r in section(engine, "open_actions", since=date(2017, 4, 3), today=date(2017, 5, 10))] == [
        "Boka lokal"]
    with pytest.raises(ValidationError, match="already done"):
        meetings.close_action(engine=engine, actor=EDITOR, action_id=first["id"], done_on=date(2017, 5, 11))
    with pytest.raises(ValidationError, match="not before the meeting"):
        meetings.close_action(engine=engine, actor=EDITOR, action_id=first["id"] + 1, done_on=date(2017, 3, 1))
    with pytest.raises(NotAllowed):
        meetings.close_action(engine=engine, actor=VIEWER, action_id=first["id"] + 1, done_on=date(2017, 5, 1))
    with Session(engine) as session:
        closed = session.execute(select(AuditEntry).where(AuditEntry.action == "close_action")).scalars().all()
    assert [e.entity_key for e in closed] == ["2017-03-06#1"]


def test_missed_months_at_the_first_and_last_month_of_the_plan(engine):
    """January 2016 is flagged on its last day, not before; December 2018 likewise; a meeting clears its month."""
    assert meetings.missed_months(engine, as_of=date(2016, 1, 30)) == []
    assert meetings.missed_months(engine, as_of=date(2016, 1, 31)) == [date(2016, 1, 1)]
    meetings.record_meeting(engine=engine, actor=EDITOR, held_on=date(2016, 1, 31))
    assert meetings.missed_months(engine, as_of=date(2016, 2, 28)) == []
    for year in (2016, 2017, 2018):
        for month in range(1, 13):
            if (year, month) not in {(2016, 1), (2017, 3), (2018, 12)}:
                meetings.record_meeting(engine=engine, actor=EDITOR, held_on=date(year, month, 15))
    assert meetings.missed_months(engine, as_of=date(2018, 12, 30)) == [date(2017, 3, 1)]
    assert meetings.missed_months(engine, as_of=date(2018, 12, 31)) == [date(2017, 3, 1), date(2018, 12, 1)]
    assert meetings.missed_months(engine, as_of=date(2020, 1, 1))[-1] == date(2018, 12, 1)  # nothing after the plan
    rows = section(engine, "missed_months", since=date(2018, 12, 1), today=date(2018, 12, 31))
    assert [r[0].sv for r in rows] == ["inget uppföljningsmöte i mars 2017", "inget uppföljningsmöte i december 2018"]
    assert rows[0][0].en == "no follow-up meeting in March 2017"


@pytest.mark.parametrize(("changes", "says"), [
    ({"actions": [ActionItem("x", due_on=date(2017, 3, 1))]}, "before the meeting"),
    ({"decisions": ["x" * 501]}, "at most 500"),
    ({"chair": "x" * 121}, "at most 120"),
])
def test_bad_minutes_are_refused_and_nothing_is_saved(engine, changes, says):
    with pytest.raises(ValidationError, match=says):
        meetings.record_meeting(engine=engine, actor=EDITOR, held_on=date(2017, 3, 6), **changes)
    assert meetings.meetings(engine) == []


def test_meetings_json_lists_minutes_open_actions_and_missed_months(engine):
    meetings.record_meeting(engine=engine, actor=EDITOR, held_on=date(2016, 2, 1), chair="AC", decisions=["D"],
                            actions=[ActionItem("A", "B", date(2016, 3, 1))])
    data = meetings.meetings_json(engine, as_of=date(2016, 3, 31))
    assert data["meetings"][0]["decisions"] == ["D"] and data["meetings"][0]["actions"][0]["due"] == "2016-03-01"
    assert data["open_actions"] == 1 and data["missed_months"] == ["2016-01", "2016-03"]
