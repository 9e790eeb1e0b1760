"""The status-first overview: the verdict rule without Streamlit, the first block on the page, numbers as numbers,
dates one way, and a change log that keeps account events for administrators."""

from datetime import date

import pandas as pd
import pytest

from mobility import activities
from mobility.auth import save_account
from mobility.i18n import local_today, t
from mobility.overview import VERDICTS, area_status, date_label, plan_texts, short_title
from tests.conftest import ADMIN, EDITOR, texts
from tests.html_tables import read_tables

AS_OF = date(2017, 3, 15)


def rows(*items) -> pd.DataFrame:
    """(status, start, end) triples → the columns area_status reads."""
    return pd.DataFrame(items, columns=["status", "start_month", "end_used"])


def test_a_late_activity_makes_the_area_need_attention():
    """Past its end month and not done: late, whatever the status says."""
    card = area_status(code="A", as_of=AS_OF, activities=rows(
        ("ongoing", date(2016, 2, 1), date(2017, 1, 1)), ("done", date(2016, 1, 1), date(2016, 6, 1)),
        ("planned", date(2017, 9, 1), None)))
    assert card.verdict == "attention" and "late" in card.reasons
    assert card.buckets == {"done": 1, "ongoing": 0, "late": 1, "not_started": 1, "cancelled": 0}


def test_a_target_at_risk_or_spending_over_the_allocation_needs_attention_a_target_behind_is_watched():
    work = rows(("ongoing", date(2016, 2, 1), date(2017, 12, 1)))
    at_risk = area_status(code="A", as_of=AS_OF, activities=work, target={"status": "at_risk"})
    over = area_status(code="B", as_of=AS_OF, activities=work, allocated_ore=100_00, spent_ore=100_01)
    behind = area_status(code="A", as_of=AS_OF, activities=work, target={"status": "behind"})
    fine = area_status(code="A", as_of=AS_OF, activities=work, allocated_ore=100_00, spent_ore=50_00,
                       target={"status": "on_track"})
    assert (at_risk.verdict, over.verdict, behind.verdict, fine.verdict) == (
        "attention", "attention", "watch", "on_track")
    assert over.over_budget and fine.used_pct == 50.0


def test_a_planned_activity_whose_start_has_come_is_watched_nothing_due_is_not_started_all_closed_is_done():
    due = area_status(code="E", as_of=AS_OF, activities=rows(("planned", date(2016, 9, 1), date(2017, 12, 1))))
    early = area_status(code="E", as_of=AS_OF, activities=rows(("planned", date(2018, 1, 1), None)))
    closed = area_status(code="C", as_of=AS_OF, activities=rows(
        ("done", date(2016, 1, 1), date(2016, 6, 1)), ("cancelled", date(2016, 1, 1), None)))
    assert (due.verdict, due.due_not_started) == ("watch", 1)
    assert early.verdict == "not_started"
    assert closed.verdict == "done"
    assert {due.verdict, early.verdict, closed.verdict} <= set(VERDICTS)


def test_an_activity_given_only_a_start_is_late_on_the_card_as_in_the_table(engine):
    """A5 starts "2017" with no end: the plan's rule gives it an end, and at the plan's end it is late in the
    activity table, in the report's list and in area A's count alike."""
    from mobility.overview import area_cards

    end = date(2018, 12, 31)
    table = activities.activity_table(engine, end)
    a5 = table[table["code"] == "A5"].iloc[0]
    assert a5["end_month"] is None or pd.isna(a5["end_month"])
    assert a5["end_assumed"] and a5["overdue"]
    card = next(c for c in area_cards(engine, end) if c.code == "A")
    assert card.buckets["late"] == int(table[table["area"] == "A"]["overdue"].sum()) >= 1


def test_the_plan_dates_are_written_one_way_in_each_language():
    """'feb-16', 'vt-16', 'Januari 2017', 'nov -16' and '2017' as the table shows them."""
    cases = [("feb-16", date(2016, 2, 1), "feb 2016", "Feb 2016"), ("vt-16", date(2016, 1, 1), "VT 2016",
             "Spring 2016"), ("ht-16", date(2016, 8, 1), "HT 2016", "Autumn 2016"),
             ("Januari 2017", date(2017, 1, 1), "jan 2017", "Jan 2017"), ("nov -16", date(2016, 11, 1),
             "nov 2016", "Nov 2016"), ("2017", date(2017, 1, 1), "2017", "2017"), ("", None, "", "")]
    for text, month, sv, en in cases:
        assert (date_label(text, month, "sv"), date_label(text, month, "en")) == (sv, en), text


def test_every_activity_has_a_short_title_in_both_languages():
    texts_ = plan_texts()
    assert len(texts_) == 28
    for code, entry in texts_.items():
        assert entry["short"].get("sv") and entry["short"].get("en"), code
    assert short_title("A1", texts_, "en") == "A1 Mobility windows"


def test_the_overviews_first_block_holds_a_status_in_words_for_every_area(app):
    """Before the schedule, the table or anything else: five rows, each with its area and a verdict."""
    for lang in ("sv", "en"):
        at = app("overview", lang=lang)
        def as_of_line(c) -> bool:  # the heading's date and the plan-ended note (shell.PageContext.heading)
            return any(getattr(x, "type", "") == "caption" and str(x.value).startswith(("Per datum", "As of"))
                       for x in getattr(c, "children", {}).values())

        first = next(c for c in at.main.children.values() if getattr(c, "type", "") not in ("markdown", "caption")
                     and c.type != "title" and c.type != "html" and not as_of_line(c))
        assert "area-status" in str(first.proto), "the status block comes right after the title and its date"
        block = "\n".join(m.value for m in first.markdown)
        words = [t(f"overview.verdict.{v}", lang) for v in VERDICTS]
        for code in "ABCDE":
            row = next(m.value for m in first.markdown if m.value.startswith(f"**{code} · "))
            assert any(w in row for w in words), row
        assert t("overview.card.target", lang, code="A", year=2018, value="", target="", status="").split(" (")[0] \
            in block


def test_the_activity_table_keeps_budget_numeric_and_dates_one_way(app):
    at = app("overview")
    frame = at.dataframe[0].value
    assert pd.api.types.is_integer_dtype(frame["Budget (kr)"])
    assert set(frame["Start"]) >= {"feb 2016", "VT 2016", "2017", "jan 2017", "HT 2016"}
    assert len(frame) == 28


def test_english_pages_show_the_plans_english_for_responsible_units(app):
    frame = app("overview", lang="en").dataframe[0].value
    assert "International Office in dialogue with NMT/HUV" in set(frame["Responsible"])
    assert "International Office i dialog med NMT/HUV" not in set(frame["Responsible"])


def test_an_editor_finds_the_status_form_at_the_top_of_the_activity(app):
    """The form comes right under the activity's heading, before what the plan says about it."""
    at = app("overview", actor=EDITOR, activity="B3")
    order = [(e.type, e.label if e.type == "selectbox" else e.value) for e in at.main
             if e.type in ("subheader", "markdown", "selectbox")]
    heading = order.index(("subheader", "B3 · Klar"))  # the example story's end state
    form = next(i for i, (_, text) in enumerate(order) if text == "Ny status")
    purpose = next(i for i, (_, text) in enumerate(order) if "**Beskrivning/syfte**" in text)
    assert heading < form < purpose


@pytest.fixture
def account_event(engine, secrets_file):
    save_account(engine, ADMIN, secrets_file, "new.colleague", role="editor", password="a-long-password-1")


def test_the_change_log_keeps_account_events_for_administrators(app, account_event):
    """A reader or an editor never sees who got an account or a password; an admin sees it in words."""
    today = local_today().isoformat()  # the account was made today: the log up to today
    for actor in (None, EDITOR):
        log = app("history", actor=actor, as_of=today)
        assert "new.colleague" not in set(read_tables(log)[0][t("history.key")])
        assert t("entity.account") not in [o for s in log.selectbox for o in s.options]
    admin = read_tables(app("history", actor=ADMIN, as_of=today))[0]
    row = admin[admin[t("history.key")] == "new.colleague"].iloc[0]
    assert "roll: redigerare" in row[t("history.after")] and "nytt lösenord: ja" in row[t("history.after")]
    assert "editor" not in row[t("history.after")] and "True" not in row[t("history.after")]
    english = read_tables(app("history", actor=ADMIN, lang="en", as_of=today))[0]
    assert "role: editor" in english[english["Item"] == "new.colleague"].iloc[0]["After"]


def test_a_status_saved_from_the_activity_reaches_the_area_row(app, engine):
    """Done is counted as done in the area's row right away (in force today, so viewed as of today)."""
    at = app("overview", actor=EDITOR, activity="C3", as_of=local_today().isoformat())
    next(s for s in at.selectbox if s.label == "Ny status").set_value("done")
    next(b for b in at.button if b.label == "Spara status").click().run()
    assert activities.activity_detail(engine, "C3")["status"] == "done"
    assert "3 klara" in texts(at)  # C1 and C2 were done in the example story


def test_xlsx_exports_hold_numbers_with_a_number_format():
    """A kronor column arrives in Excel as numbers (summable), formatted with thousands separators."""
    import io

    from openpyxl import load_workbook

    from mobility.exports import to_xlsx

    frame = pd.DataFrame({"Kod": ["A1", "A4"], "Förbrukat (kr)": pd.array([85_250, -450], dtype="Int64"),
                          "Belopp (kr)": [45_049.5, 12.25]})
    sheet = load_workbook(io.BytesIO(to_xlsx({"t": frame}))).active
    assert [sheet["B2"].value, sheet["B3"].value, sheet["C2"].value] == [85_250, -450, 45_049.5]
    assert (sheet["B2"].number_format, sheet["C2"].number_format) == ("#,##0", "#,##0.00")


def test_short_titles_keep_their_commas():
    """'Checklist, outgoing teachers' stays whole (a YAML flow mapping would split it at the comma)."""
    assert short_title("B3", plan_texts(), "en") == "B3 Checklist, outgoing teachers"


def test_the_counts_grid_opens_on_the_breakdown_that_holds_the_terms_counts(app, engine):
    """Not on an empty "all levels · all faculties" breakdown while the term's counts sit in another."""
    from mobility import counts_grid

    at = app("counts", actor=EDITOR)
    year = next(s for s in at.selectbox if s.label == t("counts.year")).value
    held = {(lvl, fac) for lvl, fac, _, _ in counts_grid.term_counts(engine, year=year, term="VT", group="student")}
    shown = {tuple(str(i).split("|")[:2]) for i in at.data_editor[0].value.index}
    assert shown == held, "the grid holds the term's breakdowns, and only those"


def test_a_long_change_log_pages_through_its_entries_and_downloads_them_all(app, engine):
    """450 entries: page 1 shows the newest 200, page 3 the oldest 50 of them; the CSV holds the whole selection."""
    from mobility.audit import audit_entries
    from mobility.service import audit, write_transaction

    with write_transaction(engine, EDITOR) as session:
        for n in range(450):
            audit(session, EDITOR, action="set_count", entity="count", key=f"cell-{n:03}", after={"count": n})
    today = local_today().isoformat()
    first = app("history", as_of=today, h_entity="count")
    assert len(read_tables(first)[0]) == 200 and "450 ändringar" in texts(first) and "nr 1–200 visas" in texts(first)
    last = app("history", as_of=today, h_entity="count", h_page="3")
    assert len(read_tables(last)[0]) == 50 and "nr 401–450 visas" in texts(last)
    assert read_tables(last)[0].iloc[-1].tolist()[4] == "cell-000"  # the oldest at the end of the last page
    assert len(audit_entries(engine, entity="count", until=local_today(), limit=None)) == 450
