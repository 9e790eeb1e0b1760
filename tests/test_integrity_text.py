"""What people type is shown as that text: the one helper, and the reports that use it."""

import re
from datetime import date

import pytest

from mobility import report
from mobility.text import control_character, plain

INJECTIONS = [
    "![x](http://evil.invalid/x.png)",
    '<img src="http://evil.invalid/y.png">',
    "[link](http://evil.invalid/z)",
    "http://evil.invalid/w www.evil.invalid",
    ":red[red] :material/warning: $x^2$ **bold** `code` # heading",
    "<script>alert(1)</script> &amp; &#60;",
]


@pytest.mark.parametrize("typed", INJECTIONS)
def test_every_markup_character_is_escaped_so_markdown_sees_only_text(typed):
    escaped = plain(typed)
    # Every character that makes markup carries a backslash: Markdown's own way to say "this character, as it is".
    unescaped = [c for i, c in enumerate(escaped) if (c in "[]()<>!*`#$|&" or c == ":" and escaped[i + 1:i + 2].strip())
                 and escaped[i - 1] != "\\"]
    assert unescaped == []
    assert escaped.replace("\\", "").replace("\u2060", "") == typed


def test_names_and_references_read_as_typed_and_list_markers_do_not_start_a_list():
    typed = "io.editor V-2017-77 example_spending, role: editor"
    assert plain(typed) == typed
    assert plain("- not a list\n1. nor this") == "\\- not a list  \n1\\. nor this"


def test_typed_lines_stay_lines_and_cells_stay_one_line():
    assert plain("first\n    second") == "first  \nsecond"
    assert plain("first\r\nsecond", inline=True) == "first second"


def test_control_characters_are_named():
    assert control_character("a\x07b") == "U+0007" and control_character("tab\tand\nline") is None


def test_the_markdown_report_keeps_typed_text_as_text(bare_engine):
    from mobility import followup, meetings
    from mobility.activities import activity_detail, set_status
    from tests.conftest import EDITOR

    engine, typed, day = bare_engine, " ".join(INJECTIONS), date(2017, 3, 20)
    set_status(engine=engine, actor=EDITOR, code="A1", status="ongoing", comment=typed, effective_on=day,
               expected_version=activity_detail(engine, "A1")["version"])
    meetings.record_meeting(engine=engine, actor=EDITOR, held_on=day, notes=typed)
    data = followup.followup_report(engine, since=date(2017, 3, 1), as_of=day)
    assert typed.split()[0] in str(data["sections"])  # the status change is in the report
    markdown = report.to_markdown(data, "en")
    assert not re.search(r"(?<!\\)(\]\(|<img|<script|\bhttp:)", markdown)  # nothing unescaped
    assert plain(typed, inline=True) in markdown
    for fmt in ("docx", "pdf"):  # the paper formats take the text as it is, and do not break on it
        assert report.render(data, fmt, "en")


@pytest.mark.parametrize("typed", ["Mötet\x07 ringde", "nul\x00byte", "del\x7f"])
def test_a_control_character_in_typed_text_is_refused_wherever_it_is_typed(engine, typed):
    """Such text would break the XLSX and Word exports: refused with the character named, nothing stored."""
    from datetime import date

    from mobility import checklists, communications, counts, deliverables, meetings
    from mobility.audit import audit_entries
    from mobility.meetings import ActionItem
    from mobility.service import ValidationError
    from tests.conftest import EDITOR

    before, meetings_before = len(audit_entries(engine)), meetings.meetings(engine)  # the example meetings
    code = re.escape(control_character(typed))
    with pytest.raises(ValidationError, match=f"styrtecken \\({code}\\)"):
        meetings.record_meeting(engine=engine, actor=EDITOR, held_on=date(2017, 3, 6), notes=typed, lang="sv")
    with pytest.raises(ValidationError, match=code):
        meetings.record_meeting(engine=engine, actor=EDITOR, held_on=date(2017, 3, 6), actions=[ActionItem(typed)])
    with pytest.raises(ValidationError, match=f"control character \\({code}\\)"):
        communications.add_communication(engine=engine, actor=EDITOR, held_on=date(2017, 3, 2), channel="other",
                                         note=typed)
    with pytest.raises(ValidationError, match=code):
        checklists.publish(engine=engine, actor=EDITOR, key="b3-outgoing-teacher", note=typed)
    with pytest.raises(ValidationError, match=code):
        deliverables.update_deliverable(engine=engine, actor=EDITOR, key="C1-strategy", state="approved",
                                        approved_on=date(2017, 6, 20), approved_by=typed)
    with pytest.raises(ValidationError, match=f"row 2.*{code}"):
        counts.validate_records([{"year": 2017, "term": "VT", "group": "student", "direction": "out",
                                  "programme": "erasmus", "level": "first", "faculty": "NMT", "count": 3,
                                  "note": typed}])
    assert meetings.meetings(engine) == meetings_before and communications.entries(engine) == []
    assert len(audit_entries(engine)) == before
