"""The status write path: role, validation, concurrency, history and audit."""

from datetime import date

import pytest

from mobility.activities import activity_detail, activity_table, filter_activities, is_overdue, set_status
from mobility.audit import audit_entries
from mobility.service import VIEWER, ConcurrentEditError, NotAllowed, ValidationError, data_version
from tests.conftest import EDITOR

TODAY = date(2026, 11, 28)


@pytest.fixture
def engine(bare_engine):
    """These tests write statuses on a plan without the example history."""
    return bare_engine


def version(engine, code: str) -> int:
    return activity_detail(engine, code)["version"]


def test_editor_sets_a_status_and_history_and_audit_record_it(engine):
    """Who, when, before → after, with the comment."""
    set_status(engine=engine, actor=EDITOR, code="A1", status="done", comment="Fönster klara",
               expected_version=version(engine, "A1"), effective_on=date(2017, 3, 20))
    detail = activity_detail(engine, "A1")
    assert detail["status"] == "done"
    assert [(h["previous_status"], h["status"], h["changed_by"], h["comment"], h["effective_on"])
            for h in detail["history"]] == [("planned", "done", "io.editor", "Fönster klara", date(2017, 3, 20))]
    entry = audit_entries(engine, action="set_status").iloc[0]
    assert (entry.actor, entry.entity_key, entry.before, entry.after) == (
        "io.editor", "A1", '{"status": "planned"}',
        '{"comment": "Fönster klara", "effective_on": "2017-03-20", "status": "done"}'
    )


def test_a_viewer_cannot_write(engine):
    """The role is checked on the server, whatever the page showed."""
    with pytest.raises(NotAllowed):
        set_status(engine=engine, actor=VIEWER, code="A1", status="done", comment="", expected_version=1)
    assert activity_detail(engine, "A1")["status"] == "planned"


def test_a_stale_form_is_refused_and_nothing_is_overwritten(engine):
    """Two editors drew the form at version 1; the second save is refused."""
    drawn = version(engine, "B2")
    set_status(engine=engine, actor=EDITOR, code="B2", status="ongoing", comment="first", expected_version=drawn)
    with pytest.raises(ConcurrentEditError):
        set_status(engine=engine, actor=EDITOR, code="B2", status="cancelled", comment="second", expected_version=drawn)
    detail = activity_detail(engine, "B2")
    assert detail["status"] == "ongoing" and len(detail["history"]) == 1


@pytest.mark.parametrize(("code", "status"), [("A1", "finished"), ("ZZ", "done")])
def test_bad_input_changes_nothing(engine, code, status):
    """An unknown status or activity is named in the message, and the data version stays put."""
    before = data_version(engine)
    with pytest.raises(ValidationError, match="status|activity"):
        set_status(engine=engine, actor=EDITOR, code=code, status=status, comment="", expected_version=1)
    assert data_version(engine) == before


def test_every_write_bumps_the_data_version(engine):
    """Caches in every process key on it."""
    before = data_version(engine)
    set_status(engine=engine, actor=EDITOR, code="C1", status="done", comment="",
               expected_version=version(engine, "C1"))
    assert data_version(engine) == before + 1


def test_overdue_is_derived_from_the_end_month_and_status():
    """Past the last day of the end month and not done or cancelled."""
    assert not is_overdue(date(2017, 2, 1), "planned", date(2017, 2, 28))
    assert is_overdue(date(2017, 2, 1), "planned", date(2017, 3, 1))
    assert not is_overdue(date(2017, 2, 1), "done", date(2026, 1, 1))
    assert not is_overdue(None, "planned", date(2026, 1, 1))


def test_filters_combine(engine):
    """Area, responsible, status and year narrow the table together."""
    table = activity_table(engine, TODAY)
    shown = filter_activities(table, areas=["A"], year=2018)
    assert list(shown["code"]) == ["A8", "A9"]
    assert list(filter_activities(table, responsible="KOM")["code"]) == ["B7"]
    assert list(filter_activities(table, areas=["C"], year=2018)["code"]) == ["C3"]
