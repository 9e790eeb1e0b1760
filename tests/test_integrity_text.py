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
