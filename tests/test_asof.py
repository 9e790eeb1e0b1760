"""The as-of date: one date per view, from the URL, bounded by the plan period, refused aloud if it cannot be."""

import json
import re
from datetime import date, datetime, time

import pytest

from mobility.asof import PlanPeriod, default_as_of, parse_as_of, plan_period
from mobility.i18n import TIMEZONE, t
from mobility.ui.shell import PAGES
from tests.conftest import EDITOR, texts

PERIOD = PlanPeriod.from_years(2016, 2018)
AFTER = date(2026, 11, 30)  # a today long after the plan ended
DURING = date(2017, 5, 10)  # a today while the plan runs


def url(at, key: str) -> str | None:
    """The URL parameter as the reader's link holds it."""
    value = at.query_params.get(key)
    return value[0] if isinstance(value, list) else value


def test_the_plan_period_comes_from_the_plan_data(engine):
    assert plan_period(engine) == PlanPeriod(date(2016, 1, 1), date(2018, 12, 31))


def test_the_default_is_today_while_the_plan_runs_and_its_last_day_after():
    assert default_as_of(DURING, PERIOD) == DURING
    assert default_as_of(AFTER, PERIOD) == date(2018, 12, 31)


@pytest.mark.parametrize(("text", "today", "expected"), [
    (None, AFTER, (date(2018, 12, 31), None)),
    ("", DURING, (DURING, None)),
    ("2017-03-15", AFTER, (date(2017, 3, 15), None)),
    ("2016-01-01", DURING, (date(2016, 1, 1), None)),
    ("2020-06-01", AFTER, (date(2020, 6, 1), None)),  # after the plan, before today: what happened since
    ("2017-13-01", AFTER, (date(2018, 12, 31), "asof.problem.malformed")),
    ("20170315", AFTER, (date(2018, 12, 31), "asof.problem.malformed")),
    ("mars", DURING, (DURING, "asof.problem.malformed")),
    ("2015-12-31", AFTER, (date(2018, 12, 31), "asof.problem.before_plan")),
    ("2017-05-11", DURING, (DURING, "asof.problem.future")),
    ("2027-01-01", AFTER, (date(2018, 12, 31), "asof.problem.future")),
])
def test_a_date_is_read_or_refused_with_a_reason_never_silently_replaced(text, today, expected):
    assert parse_as_of(text, PERIOD, today) == expected


def test_a_finished_plan_opens_at_its_end_state_with_a_note_and_one_click_to_today(app):
    at = app("overview")
    assert at.date_input(key="_url_as_of").value == date(2018, 12, 31)
    assert "Per datum 2018-12-31 · Planen slutade 2018-12-31; visar dess slutläge" in texts(at)
    at.button(key="_as_of_today").click().run()
    assert url(at, "as_of") == at.date_input(key="_url_as_of").value.isoformat()
    assert "slutläge" not in texts(at)


def test_a_chosen_date_is_shown_in_the_heading_in_both_languages(app):
    at = app("overview", as_of="2017-03-15")
    assert "Per datum 2017-03-15" in texts(at)
    at = app("budget", lang="en", as_of="2017-03-15")
    assert "As of 15 Mar 2017" in texts(at)


def menu_switch(at, page: str):
    """A click in Streamlit's sidebar menu: its links carry no parameters, so the page arrives with a bare URL."""
    at.query_params.clear()
    return at.switch_page(f"pages/{page}.py").run()


@pytest.mark.parametrize("page", [p.key for p in PAGES])
def test_every_page_shows_the_as_of_date_and_keeps_it_and_the_language_after_a_switch_by_the_menu(app, page):
    at = app("about", actor=EDITOR, lang="en", as_of="2017-03-15")
    menu_switch(at, page)
    assert (url(at, "lang"), url(at, "as_of")) == ("en", "2017-03-15")  # back in the URL: the link to share
    assert at.date_input(key="_url_as_of").value == date(2017, 3, 15)
    if page != "accounts":  # the accounts page asks an admin to log in first
        assert "As of 15 Mar 2017" in texts(at)
    links = [e.proto for e in at.get("page_link")]  # the pages' own links carry them too
    assert all("as_of=2017-03-15" in link.query_string and "lang=en" in link.query_string for link in links)


def test_a_date_moved_back_to_the_default_or_a_language_switched_back_stays_so_after_a_switch(app):
    at = app("overview", lang="en", as_of="2017-03-15")
    at.date_input(key="_url_as_of").set_value(date(2018, 12, 31)).run()
    at.segmented_control(key="_url_lang").set_value("sv").run()
    menu_switch(at, "budget")
    assert "as_of" not in at.query_params and url(at, "lang") in (None, "sv")
    assert "Per datum 2018-12-31" in texts(at)


def test_moving_the_date_writes_it_to_the_url_and_back_to_the_default_drops_it(app):
    at = app("overview", lang="en")
    at.date_input(key="_url_as_of").set_value(date(2016, 6, 30)).run()
    assert url(at, "as_of") == "2016-06-30"
    assert "As of 30 Jun 2016" in texts(at)
    at.date_input(key="_url_as_of").set_value(date(2018, 12, 31)).run()
    assert "as_of" not in at.query_params


@pytest.mark.parametrize(("value", "words"), [
    ("2017-02-30", "cannot be read"),
    ("2015-06-01", "before the plan began (1 Jan 2016)"),
    ("2099-01-01", "in the future"),
])
def test_a_bad_url_date_gives_a_clear_message_and_a_valid_view(app, value, words):
    at = app("overview", lang="en", as_of=value)
    assert not at.exception
    assert words in at.warning[0].value and "The page shows 31 Dec 2018 instead" in at.warning[0].value
    assert at.date_input(key="_url_as_of").value == date(2018, 12, 31)
    assert all("as_of" not in e.proto.query_string for e in at.get("page_link"))
    menu_switch(at, "budget")
    assert "as_of" not in at.query_params  # a refused date is not carried to the next page either


# A crafted history evaluated at five dates: the page, the CLI JSON and the report say the same ---------------------
FIVE = {  # as-of date → expected status of A1/B4/C1, late codes among them, spent (kr), target year, C visits
    "2016-06-30": ({"A1": "ongoing", "B4": "planned", "C1": "planned"}, [], 1000, 2016, 0),
    "2017-03-15": ({"A1": "ongoing", "B4": "ongoing", "C1": "ongoing"}, ["A1"], 3500, 2017, 1),
    "2017-07-10": ({"A1": "done", "B4": "ongoing", "C1": "delayed"}, ["B4", "C1"], 3500, 2017, 1),
    "2018-01-15": ({"A1": "done", "B4": "done", "C1": "delayed"}, ["C1"], 7500, 2018, 2),
    "2018-12-31": ({"A1": "done", "B4": "done", "C1": "done"}, [], 7500, 2018, 2),
}
CRAFTED = ("A1", "B4", "C1")


@pytest.fixture
def crafted(bare_engine):
    """Statuses with effective dates, ledger entries, counts for 2016–2018 (none for 2017 HT yet) and C2 runs."""
    from sqlalchemy import select
    from sqlmodel import Session

    from mobility.activities import refresh_latest_status
    from mobility.counts import Cell, save_counts
    from mobility.models import Activity, ChecklistRun, ChecklistTemplate, Spend, StatusChange

    def stamp(day: str):
        return datetime.combine(date.fromisoformat(day), time(12), TIMEZONE)

    with Session(bare_engine) as session, session.begin():
        ids = dict(session.execute(select(Activity.code, Activity.id)).all())
        for code, day, status in [("A1", "2016-02-15", "ongoing"), ("A1", "2017-03-20", "done"),
                                  ("B4", "2016-12-05", "ongoing"), ("B4", "2017-08-01", "done"),
                                  ("C1", "2016-11-14", "ongoing"), ("C1", "2017-06-26", "delayed"),
                                  ("C1", "2018-03-01", "done")]:
            session.add(StatusChange(activity_id=ids[code], status=status, changed_by="io.editor",
                                     changed_at=stamp("2026-01-10"), effective_on=date.fromisoformat(day)))
        for code, day, kronor in [("A1", "2016-03-10", 1000), ("B4", "2017-01-20", 2500),
                                  ("C1", "2017-09-01", 4000)]:
            session.add(Spend(activity_id=ids[code], spent_on=date.fromisoformat(day), amount_ore=kronor * 100,
                              reference=f"T-{day}", entered_by="io.editor", entered_at=stamp("2026-01-10")))
        c2 = session.execute(select(ChecklistTemplate.id).where(ChecklistTemplate.key == "c2-staff-partner-visit"))
        c2 = c2.scalar()
        for visit, completed in [("2017-02-01", "2017-02-10"), ("2017-09-20", "2017-10-02")]:
            session.add(ChecklistRun(template_id=c2, version_number=1, version_status="draft", label=f"Visit {visit}",
                                     reference_date=date.fromisoformat(visit), status="completed",
                                     started_at=stamp(visit), started_by="io.editor", completed_at=stamp(completed),
                                     completed_by="io.editor"))
        session.flush()
        refresh_latest_status(session)
    cells = [Cell(year, "", "student", "out", "erasmus", "", "", n)
             for year, n in [(2015, 100), (2016, 105), (2017, 112), (2018, 120)]]
    save_counts(engine=bare_engine, actor=EDITOR, cells=cells, source="form")
    return bare_engine


@pytest.mark.parametrize("day", list(FIVE))
def test_a_crafted_history_at_five_dates_in_the_domain_and_the_cli(crafted, day, capsys):
    """Statuses in force, late list, money spent, headline year and C visits, the same in the domain and the CLI."""
    from mobility import cli
    from mobility.activities import activity_table
    from mobility.budget import budget_report
    from mobility.checklist_runs import staff_visits_per_year
    from mobility.targets import targets_report

    statuses, late, spent, year, visits = FIVE[day]
    as_of = date.fromisoformat(day)
    table = activity_table(crafted, as_of).set_index("code").loc[list(CRAFTED)]
    assert table["status"].to_dict() == statuses
    assert list(table.index[table["overdue"]]) == late
    assert budget_report(crafted, as_of=as_of)["total"]["spent"] == spent
    assert targets_report(crafted, as_of=as_of)["year"] == year
    assert sum(staff_visits_per_year(crafted, as_of).values()) == visits

    assert cli.main(["activities", "--json", "--as-of", day]) == 0
    shown = {r["code"]: r for r in json.loads(capsys.readouterr().out)["activities"] if r["code"] in CRAFTED}
    assert {c: r["status"] for c, r in shown.items()} == statuses
    assert [c for c in CRAFTED if shown[c]["overdue"]] == late
    assert cli.main(["budget", "--json", "--as-of", day]) == 0
    assert json.loads(capsys.readouterr().out)["total"]["spent"] == spent
    assert cli.main(["targets", "--json", "--as-of", day]) == 0
    assert json.loads(capsys.readouterr().out)["year"] == year
    assert cli.main(["checklists", "--json", "--as-of", day]) == 0
    assert sum(json.loads(capsys.readouterr().out)["staff_visits"].values()) == visits


@pytest.mark.parametrize("day", ["2017-03-15", "2018-01-15"])
def test_the_crafted_history_reads_the_same_on_the_pages_and_in_the_report(crafted, app, day):
    """The overview's late count and status, the budget's spent and the report's late list agree with the domain."""
    from mobility import followup

    statuses, late, spent, _, _ = FIVE[day]
    overview = app("overview", as_of=day, activity="C1")
    assert f"C1 · {t('status.' + statuses['C1'])}" in [s.value for s in overview.subheader]
    budget = app("budget", as_of=day)
    assert f"Förbrukat {spent:,}".replace(",", "\u00a0") + "\u00a0kr" in texts(budget)
    report = followup.followup_report(crafted, since=date(2016, 1, 1), as_of=date.fromisoformat(day))
    overdue = next(s for s in report["sections"] if s.key == "overdue")
    assert [r[0] for r in overdue.rows if r[0] in CRAFTED] == late


def test_a_backdated_status_outside_the_range_is_refused_and_changes_nothing(bare_engine):
    """Before the plan began or in the future: a clear message, no history row, no audit entry, same version."""
    from mobility.activities import activity_detail, set_status
    from mobility.audit import audit_entries
    from mobility.service import ValidationError, data_version

    before = (activity_detail(bare_engine, "A1"), data_version(bare_engine), len(audit_entries(bare_engine)))
    for day, words in [(date(2015, 12, 31), "before the plan began (1 Jan 2016)"),
                       (date(2026, 12, 1), "is in the future (today is 30 Nov 2026)")]:
        with pytest.raises(ValidationError, match=re.escape(words)):
            set_status(engine=bare_engine, actor=EDITOR, code="A1", status="done", comment="",
                       expected_version=before[0]["version"], effective_on=day, today=date(2026, 11, 30))
    assert (activity_detail(bare_engine, "A1"), data_version(bare_engine), len(audit_entries(bare_engine))) == before
    set_status(engine=bare_engine, actor=EDITOR, code="A1", status="done", comment="Klart i maj",
               expected_version=before[0]["version"], effective_on=date(2017, 5, 31), today=date(2026, 11, 30))
    assert activity_detail(bare_engine, "A1", date(2017, 5, 30))["status"] == "planned"
    assert activity_detail(bare_engine, "A1", date(2017, 5, 31))["status"] == "done"


def test_the_example_story_moves_with_the_date_and_is_removable(engine):
    """Shipped examples: 2016 mostly planned, the end state mostly done with some late; all labelled and removable."""
    from mobility.activities import activity_table, status_counts
    from mobility.examples import example_counts, remove_example_data

    early, end = (status_counts(activity_table(engine, date.fromisoformat(d))) for d in ("2016-03-01", "2018-12-31"))
    assert early["planned"] > 20 and end["done"] >= 15 and end.get("planned", 0) <= 3
    assert {"statuschange", "checklistrun", "meeting", "spend", "mobilitycount"} <= set(example_counts(engine))
    remove_example_data(engine=engine, actor=EDITOR)
    assert example_counts(engine) == {}
    assert status_counts(activity_table(engine, date(2018, 12, 31))) == {"planned": 28}


def test_the_march_2017_meeting_lists_exactly_the_ledger_entries_after_the_previous_one(engine):
    """With the example meetings: the report for 13 March 2017 follows up 13 February and its spending."""
    from mobility import followup, meetings
    from mobility.budget import ledger_entries

    march = date(2017, 3, 13)
    previous = meetings.last_meeting_before(engine, march)
    assert previous == date(2017, 2, 13)
    report = followup.followup_report(engine, since=previous, as_of=march)
    listed = [r[4] for r in next(s for s in report["sections"] if s.key == "spend").rows]
    ledger = ledger_entries(engine, limit=None)
    expected = ledger[(ledger["spent_on"] > previous) & (ledger["spent_on"] <= march)].sort_values("spent_on")
    assert listed == list(expected["reference"]) == ["EX-17-008", "EX-17-009", "EX-17-010", "EX-17-011"]
    assert report["example"] is True
