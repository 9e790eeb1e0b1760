"""Typed markup viewed anonymously: no request leaves the app's origin and nothing renders as an image or a link."""

from datetime import date

import pytest
from playwright.sync_api import expect

from mobility import checklist_runs, checklists, meetings
from mobility.activities import activity_detail, set_status
from mobility.budget import change_allocation
from mobility.db import make_engine
from mobility.i18n import local_today
from mobility.plan import init_database
from mobility.service import Actor
from tests.e2e.conftest import _run_server, assert_no_exception, open_page

TYPED = ('![x](http://evil.invalid/x.png) <img src="http://evil.invalid/y.png"> [link](http://evil.invalid/z) '
         "http://evil.invalid/w :red[red] **bold**")
EDITOR = Actor("io.editor", "editor")
APP_ICONS = "https://fonts.gstatic.com/s/i/short-term/release/materialsymbolsrounded/"


@pytest.fixture(scope="module")
def seeded_server(tmp_path_factory):
    """A server whose database holds the injection in every free-text field an editor fills in."""
    tmp = tmp_path_factory.mktemp("injected")
    engine = make_engine(f"sqlite:///{tmp / 'mobility.db'}")
    init_database(engine)
    today = date(2018, 12, 20)  # late in the plan: what a reader sees by default (its end state) shows all of it
    set_status(engine=engine, actor=EDITOR, code="A1", status="ongoing", comment=TYPED, effective_on=today,
               expected_version=activity_detail(engine, "A1")["version"])
    meetings.record_meeting(engine=engine, actor=EDITOR, held_on=today, notes=TYPED)
    change_allocation(engine=engine, actor=EDITOR, code="B2", amount=1000, decided_on=today, note=TYPED,
                      expected_changes=0)
    key = checklists.template_table(engine)["key"].iloc[0]
    detail = checklists.template_detail(engine, key)
    items = [{k: i[k] for k in ("phase", "text_sv", "text_en", "due_days")} for i in detail["items"]]
    items[0] = {**items[0], "text_sv": TYPED, "text_en": TYPED}
    checklists.save_draft(engine=engine, actor=EDITOR, key=key, items=items, intro_sv=TYPED, intro_en=TYPED)
    checklists.publish(engine=engine, actor=EDITOR, key=key, note=TYPED)
    run = checklist_runs.start_run(engine=engine, actor=EDITOR, key=key, label=TYPED[:100], reference_date=today)
    engine.dispose()
    for url in _run_server(tmp):
        yield url, {"key": key, "run": run, "today": local_today().isoformat()}


# Every page an anonymous reader can open that shows typed text (the runs page is for editors only; its texts go
# through the same helper).
# The change log is read up to today: its entries were made today, after the plan's end (the default date).
PAGES = ["followup?lang=en", "history?lang=en&as_of={today}", "checklists?checklist={key}&print=1",
         "checklists?checklist={key}",
         "budget"]


@pytest.mark.parametrize("path", PAGES)
def test_typed_markup_stays_text_for_an_anonymous_reader(seeded_server, page, path):
    """The page shows the typed characters; the browser fetches nothing from evil.invalid."""
    url, ids = seeded_server
    outside = []
    page.on("request", lambda r: outside.append(r.url) if not r.url.startswith((url, "data:", "blob:")) else None)
    open_page(page, f"{url}/{path.format(**ids)}")
    assert_no_exception(page)
    app = page.get_by_test_id("stApp")
    if "budget" not in path:  # the budget page shows allocation notes to editors only
        expect(app.get_by_text("evil.invalid/x.png", exact=False).first).to_be_visible()
    bad = app.locator("img[src*='evil'], a[href*='evil'], [data-testid='stMarkdown'] strong:text('bold')")
    assert bad.count() == 0, [bad.nth(i).evaluate("e => e.outerHTML") for i in range(min(bad.count(), 3))]
    # The app's own icons are not typed text (serving them offline is issue #15's); anything else must stay home.
    assert [u for u in outside if not u.startswith(APP_ICONS)] == []
