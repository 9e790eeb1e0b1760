"""Checklists: the plan's templates, versions and diffs, runs, the staff-visit figure, exports, CLI and pages."""

import io
import json
from datetime import date, timedelta

import pytest
from docx import Document

from mobility import checklist_documents, checklist_runs
from mobility import checklists as cl
from mobility.activities import activity_detail
from mobility.audit import audit_entries
from mobility.cli import main
from mobility.i18n import local_today
from mobility.service import VIEWER, ConcurrentEditError, NotAllowed, ValidationError
from tests.conftest import EDITOR, texts

C2 = "c2-staff-partner-visit"
B3 = "b3-outgoing-teacher"


@pytest.fixture
def engine(bare_engine):
    """Runs are counted from an empty list: without the example C2 visits."""
    return bare_engine


def start(engine, key=C2, label="Staff visit, partner X, May 2027", reference=date(2027, 5, 3)) -> int:
    return checklist_runs.start_run(engine=engine, actor=EDITOR, key=key, label=label, reference_date=reference)


def finish(engine, run_id: int) -> None:
    for item in checklist_runs.run_detail(engine, run_id, date.today())["items"]:
        checklist_runs.tick_item(engine=engine, actor=EDITOR, run_id=run_id, item_id=item["id"])
    checklist_runs.complete_run(engine=engine, actor=EDITOR, run_id=run_id)


# The plan's checklists ---------------------------------------------------------------------------------------------
def test_every_checklist_the_plan_names_is_in_the_library_and_linked(engine):
    """A4 (countries + questionnaire), B3, B4, B5 (agreements + partner visits), C2, C3: present, linked, drafts."""
    table = cl.template_table(engine)
    by_activity = {}
    for row in table.itertuples():
        for code in row.activities:
            by_activity.setdefault(code, []).append(row.key)
            assert activity_detail(engine, code) is not None, f"{row.key} links to {code}, which is not in the plan"
    assert {"A4", "B3", "B4", "B5", "C2", "C3"} <= set(by_activity)
    countries = table[table["country_code"].notna()]
    assert len(countries) >= 3 and set(countries["activities"].map(tuple)) == {("A4",)}
    assert "a4-returning-questionnaire" in by_activity["A4"]
    assert {"b5-agreement-writing", "b5-partner-visit"} <= set(by_activity["B5"])
    assert set(table["status"]) == {"draft"} and set(table["version"]) == {1}


@pytest.mark.parametrize("path", cl.template_files(), ids=lambda p: p.stem)
def test_each_template_is_worth_printing(path):
    """At least a solid page: 15+ items, in both languages, over before/during/after, marked as a draft in the file."""
    raw = cl.load_template_file(path)
    assert len(raw["items"]) >= 15
    assert sum(len(i["text_sv"]) for i in raw["items"]) > 1200
    assert all(i["text_sv"] != i["text_en"] for i in raw["items"])
    phases = {i["phase"] for i in raw["items"]}
    assert phases <= set(cl.PHASES) and {"before", "after"} <= phases  # "during" where it fits
    assert "utkast" in path.read_text(encoding="utf-8").lower()


def test_country_checklists_share_one_structure():
    """Every country checklist has the same phases and the same kinds of practical information."""
    countries = [cl.load_template_file(p) for p in cl.template_files() if p.stem.startswith("a4-country-")]
    for raw in countries:
        text = " ".join(i["text_sv"] for i in raw["items"]).lower()
        for topic in ("learning agreement" if raw["country"] != "AU" else "kurser", "boende", "försäkring",
                      "vardagskostnader", "transcript of records", "frågeformulär"):
            assert topic in text, (raw["key"], topic)


def test_seeding_twice_changes_nothing(engine):
    """Start-up loads the files once; a second start keeps what editors did."""
    cl.publish(engine=engine, actor=EDITOR, key=C2)
    assert cl.seed_checklists(engine) == 0
    assert cl.template_detail(engine, C2)["status"] == "published"


# Versions ----------------------------------------------------------------------------------------------------------
def test_publishing_freezes_a_version_and_editing_opens_the_next_draft(engine):
    """Publish v1, edit → v2 draft, publish v2: v1 stays readable as it was, with a diff between them."""
    v1 = cl.template_detail(engine, B3)
    assert cl.publish(engine=engine, actor=EDITOR, key=B3, note="Reviewed by IO") == 1
    items = v1["items"][1:] + [{"phase": "after", "text_sv": "Ny punkt", "text_en": "New item", "due_days": 14}]
    items[0] = {**items[0], "text_sv": items[0]["text_sv"] + " (ändrad)"}
    assert cl.save_draft(engine=engine, actor=EDITOR, key=B3, items=items) == 2
    assert cl.publish(engine=engine, actor=EDITOR, key=B3, note="Second round") == 2

    old = cl.template_detail(engine, B3, 1)
    assert old["items"] == v1["items"] and old["status"] == "published" and old["note"] == "Reviewed by IO"
    assert [v["number"] for v in cl.version_list(engine, B3)] == [2, 1]
    diff = cl.diff_versions(engine, B3, 1, 2)["items"]
    assert [c.op for c in diff] == ["removed", "changed", "added"]
    assert diff[1].new["text_sv"].endswith("(ändrad)") and diff[2].new["text_en"] == "New item"
    actions = list(audit_entries(engine, entity="checklist")["action"])
    assert actions.count("publish_checklist") == 2 and "edit_checklist" in actions


def test_the_diff_pairs_reworded_items_but_not_unrelated_ones():
    item = {"phase": "before", "text_en": "x", "due_days": None}
    old = [{**item, "text_sv": "Boka resa och hotell via upphandlad resebyrå i god tid före avresan"},
           {**item, "text_sv": "Ta med EU-kortet"}]
    new = [{**item, "text_sv": "Boka resa och hotell via upphandlad resebyrå"}, {**item, "text_sv": "Ny"}]
    assert [(c.op, (c.old or c.new)["text_sv"][:4]) for c in cl.diff_items(old, new)] == [
        ("changed", "Boka"), ("removed", "Ta m"), ("added", "Ny")]


def test_a_checklist_in_progress_keeps_its_version(engine):
    """A run started on v1 shows v1's items after v2 is published; a new run gets v2."""
    cl.publish(engine=engine, actor=EDITOR, key=C2)
    first = start(engine)
    items = cl.template_detail(engine, C2)["items"]
    cl.save_draft(engine=engine, actor=EDITOR, key=C2, items=items[:5])
    cl.publish(engine=engine, actor=EDITOR, key=C2)
    running = checklist_runs.run_detail(engine, first, date.today())
    assert running["version_number"] == 1 and len(running["items"]) == len(items)
    assert [i["text_sv"] for i in running["items"]] == [i["text_sv"] for i in items]
    second = checklist_runs.run_detail(engine, start(engine), date.today())
    assert second["version_number"] == 2 and len(second["items"]) == 5


def test_a_stale_form_is_refused(engine):
    """Two editors open the same template; the second save is refused, not silently merged."""
    drawn = cl.template_detail(engine, B3)["edit_version"]
    items = cl.template_detail(engine, B3)["items"]
    cl.save_draft(engine=engine, actor=EDITOR, key=B3, items=items[:3], expected_version=drawn)
    with pytest.raises(ConcurrentEditError):
        cl.save_draft(engine=engine, actor=EDITOR, key=B3, items=items, expected_version=drawn)
    with pytest.raises(ConcurrentEditError):
        cl.publish(engine=engine, actor=EDITOR, key=B3, expected_version=drawn)
    assert len(cl.template_detail(engine, B3)["items"]) == 3


@pytest.mark.parametrize(("items", "message"), [
    ([{"phase": "before", "text_sv": "  ", "text_en": "x"}], "item 1: the sv text is empty"),
    ([{"phase": "before", "text_sv": "ok", "text_en": "ok"}, {"phase": "before", "text_sv": "x" * 501,
                                                                "text_en": "ok"}], "item 2: the sv text is 501"),
    ([{"phase": "soon", "text_sv": "ok", "text_en": "ok"}], "item 1: phase 'soon'"),
    ([{"phase": None, "text_sv": "ok", "text_en": "ok", "due_days": 5000}], "item 1: due days"),
    ([], "at least one item"),
])
def test_bad_items_are_refused_and_nothing_is_written(engine, items, message):
    """An empty or over-long item names its row; the draft and the log are untouched."""
    before = cl.template_detail(engine, B3)
    log = len(audit_entries(engine))
    with pytest.raises(ValidationError, match=message):
        cl.save_draft(engine=engine, actor=EDITOR, key=B3, items=items)
    assert cl.template_detail(engine, B3)["items"] == before["items"] and len(audit_entries(engine)) == log


def test_saving_without_a_change_makes_no_new_version(engine):
    cl.publish(engine=engine, actor=EDITOR, key=B3)
    with pytest.raises(ValidationError, match="nothing changed since version 1"):
        cl.save_draft(engine=engine, actor=EDITOR, key=B3, items=cl.template_detail(engine, B3)["items"])
    assert [v["number"] for v in cl.version_list(engine, B3)] == [1]


def test_a_reader_cannot_edit_or_start(engine):
    with pytest.raises(NotAllowed):
        cl.publish(engine=engine, actor=VIEWER, key=B3)
    with pytest.raises(NotAllowed):
        checklist_runs.start_run(engine=engine, actor=VIEWER, key=B3, label="x", reference_date=date(2027, 1, 1))


# Library -----------------------------------------------------------------------------------------------------------
def test_search_finds_swedish_and_english_words_and_filters_combine(engine):
    templates, index = cl.template_table(engine), cl.library_index(engine)
    visa_sv = cl.search_library(templates, index, text="VISUM")
    visa_en = cl.search_library(templates, index, text="visa")
    assert "a4-country-au" in set(visa_sv["key"]) and "a4-country-au" in set(visa_en["key"])
    assert (visa_sv.set_index("key").loc["a4-country-au", "hits"]) >= 2
    c_staff = cl.search_library(templates, index, areas=["C"], audiences=["staff"])
    assert set(c_staff["key"]) == {C2, "c3-outgoing-staff-manual"}
    assert cl.search_library(templates, index, text="visum", activities=["B5"]).empty
    during = cl.search_library(templates, index, phases=["during"], activities=["A4"])
    assert "a4-returning-questionnaire" not in set(during["key"])


def test_due_offsets_read_and_print_both_ways():
    assert [cl.parse_due(x) for x in ("-8w", "+3d", "0d", "", None)] == [-56, 3, 0, None, None]
    assert cl.fmt_due(-56, "sv") == "8 veckor före" and cl.fmt_due(-56, "en") == "8 weeks before"
    assert cl.fmt_due(1, "sv") == "1 dag efter" and cl.fmt_due(0, "en") == "on the reference date"
    with pytest.raises(ValueError):
        cl.parse_due("soon")


def test_docx_export_opens_and_holds_every_item(engine):
    """Word is where IO works: the file opens with python-docx and holds the title, every item and the draft mark."""
    for lang in ("sv", "en"):
        detail = cl.template_detail(engine, B3)
        doc = Document(io.BytesIO(checklist_documents.to_docx(detail, lang)))
        body = "\n".join(p.text for p in doc.paragraphs)
        assert detail[f"title_{lang}"] in body
        assert all(item[f"text_{lang}"] in body for item in detail["items"])
        assert ("UTKAST" if lang == "sv" else "DRAFT") in body
        assert [p.text for p in doc.paragraphs if p.style.name == "Heading 2"] == [
            cl.phase_label(p, lang) for p in cl.PHASES]


def test_markdown_export_is_a_checklist(engine):
    detail = cl.template_detail(engine, C2)
    md = checklist_documents.to_markdown(detail, "en")
    assert md.startswith(f"# {detail['title_en']}") and md.count("- [ ] ") == len(detail["items"])
    assert "(16 weeks before)" in md


# Runs --------------------------------------------------------------------------------------------------------------
def test_ticks_progress_and_overdue(engine):
    """Due dates count from the reference date; ticking records who and when; late open items are overdue."""
    reference = date(2027, 5, 3)
    run_id = start(engine, reference=reference)
    today = reference - timedelta(weeks=9)  # the items due 10 weeks or more before are late
    run = checklist_runs.run_detail(engine, run_id, today)
    first = run["items"][0]
    assert first["due_date"] == reference - timedelta(weeks=16)
    late = [i for i in run["items"] if i["overdue"]]
    assert late and all(i["due_date"] < today for i in late)
    checklist_runs.tick_item(engine=engine, actor=EDITOR, run_id=run_id, item_id=first["id"])
    run = checklist_runs.run_detail(engine, run_id, today)
    assert run["items"][0]["done_by"] == "io.editor" and run["items"][0]["done_at"] is not None
    assert run["done"] == 1 and run["progress"] == pytest.approx(1 / len(run["items"]))
    row = checklist_runs.run_table(engine, today).set_index("id").loc[run_id]
    assert (row["done"], row["overdue"]) == (1, len(late) - 1)
    checklist_runs.tick_item(engine=engine, actor=EDITOR, run_id=run_id, item_id=first["id"], done=False)
    assert checklist_runs.run_detail(engine, run_id, today)["done"] == 0


def test_a_run_is_closed_only_when_every_item_is_ticked_then_archived(engine):
    run_id = start(engine)
    with pytest.raises(ValidationError, match="still open"):
        checklist_runs.complete_run(engine=engine, actor=EDITOR, run_id=run_id)
    finish(engine, run_id)
    with pytest.raises(ValidationError, match="only open runs"):
        checklist_runs.tick_item(engine=engine, actor=EDITOR, run_id=run_id,
                     item_id=checklist_runs.run_detail(engine, run_id, date.today())["items"][0]["id"], done=False)
    checklist_runs.archive_run(engine=engine, actor=EDITOR, run_id=run_id)
    assert run_id not in set(checklist_runs.run_table(engine, date.today())["id"])
    assert run_id in set(checklist_runs.run_table(engine, date.today(), include_archived=True)["id"])


@pytest.mark.parametrize(("label", "reference", "message"), [
    ("", date(2027, 1, 1), "label: a run needs a label"),
    ("   ", date(2027, 1, 1), "label: a run needs a label"),
    ("x" * 121, date(2027, 1, 1), "at most 120"),
    ("Teacher, partner X", None, "reference date"),
])
def test_a_run_without_a_label_or_date_is_refused(engine, label, reference, message):
    with pytest.raises(ValidationError, match=message):
        checklist_runs.start_run(engine=engine, actor=EDITOR, key=B3, label=label, reference_date=reference)
    assert checklist_runs.run_table(engine, date.today()).empty


def test_refusals_on_a_swedish_page_are_in_swedish(engine):
    """The page passes its language: an editor reading Swedish gets Swedish messages, still naming the field."""
    with pytest.raises(ValidationError) as refused:
        checklist_runs.start_run(engine=engine, actor=EDITOR, key=B3, label=" ", reference_date=None, lang="sv")
    assert refused.value.problems == ["etikett: ärendet behöver en etikett (t.ex. ”Utresande lärare, partner X, "
                                      "mars 2027”)", "referensdatum: välj ett datum (t.ex. avresan)"]
    run_id = start(engine)
    with pytest.raises(ValidationError, match="punkt\\(er\\) är fortfarande öppna"):
        checklist_runs.complete_run(engine=engine, actor=EDITOR, run_id=run_id, lang="sv")
    with pytest.raises(ValidationError, match="punkt 1: texten \\(sv\\) är tom"):
        cl.save_draft(engine=engine, actor=EDITOR, key=B3, items=[{"phase": None, "text_sv": "", "text_en": "x"}],
                      lang="sv")


def test_deleting_a_run_removes_it_and_the_log_keeps_what_it_was(engine):
    run_id = start(engine, label="Started by mistake")
    checklist_runs.delete_run(engine=engine, actor=EDITOR, run_id=run_id)
    assert checklist_runs.run_table(engine, date.today(), include_archived=True).empty
    entry = audit_entries(engine, entity="checklist_run", action="delete_run").iloc[0]
    assert json.loads(entry["before"])["label"] == "Started by mistake"
    actions = set(audit_entries(engine, entity="checklist_run")["action"])
    assert actions == {"start_run", "delete_run"}


def test_completed_c2_runs_count_as_staff_visits_per_year(engine):
    """Per year of the visit; open runs and other checklists do not count; archived completed runs still do."""
    for reference in (date(2027, 3, 1), date(2027, 10, 1), date(2028, 2, 1)):
        finish(engine, start(engine, reference=reference))
    start(engine, reference=date(2027, 6, 1))  # still open
    finish(engine, start(engine, key=B3, reference=date(2027, 4, 1)))  # a teacher, not staff
    checklist_runs.archive_run(engine=engine, actor=EDITOR, run_id=1)
    assert checklist_runs.staff_visits_per_year(engine) == {2027: 2, 2028: 1}


# CLI ---------------------------------------------------------------------------------------------------------------
def test_cli_lists_the_templates_as_json(engine, capsys):
    cl.publish(engine=engine, actor=EDITOR, key=C2)
    assert main(["checklists", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)["templates"]
    assert {r["key"] for r in rows} >= {C2, B3}
    c2 = next(r for r in rows if r["key"] == C2)
    assert set(c2) == {"key", "title", "activities", "audience", "version", "status", "items"}
    assert (c2["activities"], c2["audience"], c2["version"], c2["status"]) == (["C2"], "staff", 1, "published")
    assert {i["phase"] for i in c2["items"]} <= {"before", "during", "after", None}
    assert all(set(i) == {"phase", "text"} and i["text"] for i in c2["items"])


# Pages -------------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("lang", ["sv", "en"])
@pytest.mark.parametrize("actor", [None, EDITOR], ids=["viewer", "editor"])
@pytest.mark.parametrize("page", ["checklists", "runs"])
def test_checklist_pages_open_without_an_exception(app, page, lang, actor):
    at = app(page, lang=lang, actor=actor)
    assert not at.exception, at.exception
    assert at.title


def test_a_reader_browses_the_library_without_edit_controls(app):
    """Everyone reads; the draft is marked; only editors see the edit and publish controls; runs need a login."""
    at = app("checklists", checklist=B3)
    shown = texts(at)
    assert "Checklista för utresande lärare – före, under och efter utbytet" in shown
    assert "Utkast – ej publicerad" in "\n".join(b.proto.label for b in at.get("badge")) or "Utkast" in shown
    assert "Före" in shown and "(16 veckor före)" in shown
    assert "Spara utkastet" not in [b.label for b in at.button]
    assert "redigerare" in texts(app("runs"))
    en = texts(app("checklists", lang="en", q="insurance"))
    assert "Checklists and manuals" in en and "of 10 checklists" in en


def test_an_editor_publishes_from_the_page(app, engine):
    at = app("checklists", actor=EDITOR, checklist=C2)
    next(b for b in at.button if b.label == "Publicera version 1").click().run()
    assert not at.exception
    assert cl.template_detail(engine, C2)["status"] == "published"
    assert "Version 1 är publicerad" in texts(at)


def test_an_editor_starts_and_ticks_a_run_and_goal_c_counts_it(app, engine):
    """Start from the form, tick the first item on the page, finish it: the overview's C card shows the visit."""
    at = app("runs", actor=EDITOR)
    assert not any(s.label == "Checklista" for s in at.selectbox)  # the start form is built when its box opens
    at.session_state["start-open"] = True
    at.run()
    next(s for s in at.selectbox if s.label == "Checklista").set_value(C2)
    next(i for i in at.text_input if i.label == "Etikett").input("Personal, bibliotek, partner X, maj 2027")
    next(d for d in at.date_input if d.label == "Referensdatum").set_value(date(2027, 5, 3))
    next(b for b in at.button if b.label == "Påbörja").click().run()
    assert not at.exception
    assert "Personal, bibliotek, partner X, maj 2027" in texts(at)
    at.checkbox[0].check().run()
    assert not at.exception
    assert "Avbockad av io.editor" in at.checkbox[0].label and at.checkbox[0].value  # said beside the item
    run = checklist_runs.run_detail(engine, int(at.query_params["run"]), date.today())
    assert run["done"] == 1 and run["items"][0]["done_by"] == "io.editor"
    for item in run["items"][1:]:
        checklist_runs.tick_item(engine=engine, actor=EDITOR, run_id=run["id"], item_id=item["id"])
    checklist_runs.complete_run(engine=engine, actor=EDITOR, run_id=run["id"])
    assert "2027: **1**" in texts(app("overview", as_of=local_today().isoformat()))  # completed today


def test_an_editor_rewords_removes_and_adds_items_then_reads_the_diff(app, engine):
    """Publish v1, edit in the table (reword, remove, add), save: a v2 draft, and the diff names each change."""
    at = app("checklists", actor=EDITOR, checklist=C2)
    next(b for b in at.button if b.label == "Publicera version 1").click().run()
    edit_version = cl.template_detail(engine, C2)["edit_version"]
    at.session_state[f"items-{C2}-{edit_version}"] = {
        "edited_rows": {0: {"text_sv": "Formulera vad du vill lära dig, och varför just den här partnern."}},
        "added_rows": [{"order": 1, "phase": "Före", "text_sv": "Läs förra årets besöksrapporter",
                        "text_en": "Read last year's visit reports", "due_days": -140}],
        "deleted_rows": [2],
    }
    next(b for b in at.button if b.label == "Spara utkastet").click().run()
    assert not at.exception and not at.error
    assert not any(m.value.startswith("- **") for m in at.markdown)  # the versions box is closed: no diff built
    at.session_state["versions-open"] = True
    at.run()
    draft = cl.template_detail(engine, C2)
    assert (draft["number"], draft["status"]) == (2, "draft")
    assert draft["items"][0]["text_sv"] == "Läs förra årets besöksrapporter"  # order 1 puts it first
    assert cl.template_detail(engine, C2, 1)["items"][2]["text_sv"].startswith("Hitta värd")
    assert all(not i["text_sv"].startswith("Hitta värd") for i in draft["items"])
    diff = next(m.value for m in at.markdown if m.value.startswith("- **"))
    assert [line.split("**")[1] for line in diff.splitlines()] == ["Tillagd", "Ändrad", "Borttagen"]
    assert ":red[~~dig~~] :green[**dig,**]" in diff and ":red[~~partnern \\(t.ex." in diff  # reworded words, as typed
    assert next(s for s in at.selectbox if s.label == "Version").value == 2
    reader = app("checklists", checklist=C2)
    assert next(s for s in reader.selectbox if s.label == "Version").value == 1
    assert "Den senaste versionen är v2 · utkast" in texts(reader)


def test_moved_and_added_rows_go_where_their_number_says():
    rows = [{"order": 1, "was": 1, "t": "a"}, {"order": 1, "was": 3, "t": "c"}, {"order": 2, "was": 2, "t": "b"},
            {"order": None, "was": None, "t": "new, no number"}, {"order": 2, "was": None, "t": "new at 2"}]
    assert [r["t"] for r in cl.apply_order(rows)] == ["c", "a", "new at 2", "b", "new, no number"]
