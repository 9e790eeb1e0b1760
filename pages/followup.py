from dataclasses import replace
from datetime import date
from html import escape

import streamlit as st

from mobility import followup, meetings, report
from mobility.i18n import fmt_date, fmt_int
from mobility.service import ConcurrentEditError, NotAllowed, ValidationError
from mobility.text import plain
from mobility.ui import drawn, shell
from mobility.ui.data import cached_build, cached_query, engine
from mobility.ui.exports import table_with_downloads
from mobility.ui.widgets import url_date_input, url_selectbox

ctx = shell.page("followup")
SECTION_ROWS = 100  # rows of one report section drawn on the page
lang, t = ctx.lang, ctx.t

ctx.heading(t("page.followup"))
st.caption(t("followup.lead"))

recorded = cached_query(meetings.meetings)()
OTHER = "other"
# The report is for the as-of date (this meeting) and follows up a meeting held before it.
choices = [m["held_on"].isoformat() for m in recorded if m["held_on"] < ctx.as_of] + [OTHER]
notes_of = {m["held_on"].isoformat(): m["notes"] for m in recorded}
left, right = st.columns([2, 1])


def meeting_label(choice: str) -> str:
    if choice == OTHER:
        return t("followup.since.other")
    text = t("followup.since.meeting", date=fmt_date(date.fromisoformat(choice), lang))
    return f"{text} – {notes_of[choice][:60]}" if notes_of[choice] else text


# A link with only ?since=… means that date, not the last meeting.
default = OTHER if "since" in st.query_params and "meeting" not in st.query_params else choices[0]
chosen = url_selectbox(t("followup.since"), choices, key="meeting", lang=lang, default=default, container=left,
                       format_func=meeting_label)
if chosen == OTHER:
    if len(choices) == 1:
        st.info(t("followup.no_earlier_meeting", date=fmt_date(ctx.as_of, lang)) if recorded else
                t("followup.no_meetings_editor" if ctx.actor.can_edit else "followup.no_meetings"))
    first_of_month = max(ctx.as_of.replace(day=1), ctx.period.first)
    since = url_date_input(t("followup.since.date"), key="since", lang=lang, default=first_of_month,
                           min_value=ctx.period.first, max_value=ctx.as_of, container=right)
else:
    since = date.fromisoformat(chosen)

data = cached_build(followup.followup_report)(since=since, as_of=ctx.as_of)  # shared: read, never changed
st.markdown(f"**{report.dates_line(data, lang)}**")
meeting = next((m for m in recorded if m["held_on"] == since), None)
if meeting and (meeting["chair"] or meeting["attendees"]):
    st.markdown(f"*{t('meetings.chair')}:* {plain(meeting['chair']) or '–'} · "
                f"*{t('meetings.present')}:* {plain(', '.join(meeting['attendees'])) or '–'}")
if data["meeting_notes"]:
    st.markdown(f"*{t('followup.report.notes')}:* {plain(data['meeting_notes'])}")
missed = cached_query(meetings.missed_months)(as_of=ctx.as_of)
if missed:
    earlier = t("meetings.missed_earlier", n=len(missed) - 1) if len(missed) > 1 else ""
    st.warning(f"**{meetings.missed_month_text(missed[-1], lang)}** {earlier}", icon=":material/event_busy:")

downloads = st.container(horizontal=True)
for fmt, icon in (("docx", ":material/description:"), ("pdf", ":material/picture_as_pdf:"),
                  ("md", ":material/markdown:")):
    downloads.download_button(
        t(f"followup.download_{fmt}"), data=lambda fmt=fmt: report.render(data, fmt, lang),
        file_name=report.file_name(data, fmt, lang), mime=report.MIME[fmt], on_click="ignore", icon=icon,
        type="primary" if fmt == "pdf" else "secondary",
    )

if report.examples(data):
    st.warning(t("report.example"), icon=":material/science:")
st.header(t("report.summary"), divider="gray")
header, rows = report.summary_table(data, lang)
drawn.table([dict(zip(header, row, strict=True)) for row in rows], lang=lang, label=t("report.summary"))
st.markdown("  \n".join(report.summary_lines(data, lang)))


@cached_build
def _sections(engine, since: date, as_of: date, lang: str) -> list:
    """Each group's sections as drawn — title and table, or the line that says it is empty — as one element, once
    per data version, period and language (every element costs a page's browser time: scripts/bench_elements.py).

    On screen a section shows its first rows; the downloaded report holds them all (a busy period or a bulk import
    can add tens of thousands, and a page that draws them all takes seconds)."""
    built = []
    for group, sections in report.grouped(cached_build(followup.followup_report)(since=since, as_of=as_of)):
        parts = []
        for section in sections:
            if not section.rows:  # an empty section takes one line, as on paper
                parts.append(f'<p class="read-note">{escape(report.empty_line(section, lang))}</p>')
                continue
            header, rows = report.table(replace(section, rows=section.rows[:SECTION_ROWS]), lang)
            title = report.section_title(section, lang)
            parts.append(f"<h3>{escape(title)}</h3>" + drawn.table_markup(
                [dict(zip(header, row, strict=True)) for row in rows], lang=lang, label=title))
            if len(section.rows) > len(rows):
                more = t("followup.section.more", shown=fmt_int(len(rows), lang),
                         total=fmt_int(len(section.rows), lang))
                parts.append(f'<p class="read-note">{escape(more)}</p>')
        built.append((group, "".join(parts)))
    return built


# The report is read (and printed) like the document it downloads as: its sections are tables to read.
for group, markup in _sections(since, ctx.as_of, lang):
    st.header(t(f"followup.group.{group}"), divider="gray")
    drawn.html(markup)

st.header(t("followup.meetings"), divider="gray")
if recorded:
    all_decisions = cached_query(meetings.decisions)(until=ctx.as_of)
    table_with_downloads(
        {
            t("followup.form.date"): [fmt_date(m["held_on"], lang) for m in recorded],
            t("meetings.chair"): [m["chair"] for m in recorded],
            t("meetings.present"): [", ".join(m["attendees"]) for m in recorded],
            t("followup.form.notes"): [m["notes"] for m in recorded],
            t("meetings.col.decisions"): ["; ".join(d["text"] for d in all_decisions if d["held_on"] == m["held_on"])
                                          for m in recorded],
        },
        stem="moten" if lang == "sv" else "meetings", sheet="meetings", lang=lang, static=True,
        label=t("followup.meetings"),
    )

open_actions = cached_query(meetings.actions)(as_of=ctx.as_of)  # listed in the report above, under "late"
ctx.source_line()
shell.editors_only_below(ctx)
if open_actions:
    with st.form("close-action", clear_on_submit=True):
        st.markdown(f"**{t('meetings.close_title')}**")
        by_id = {a["id"]: a for a in open_actions}
        left, right = st.columns([3, 1])
        action_id = left.selectbox(t("meetings.close_pick"), list(by_id), format_func=lambda i: (
            f"{fmt_date(by_id[i]['held_on'], lang)}: {by_id[i]['what'][:80]}"))
        done_on = right.date_input(t("meetings.close_date"), value=ctx.as_of, min_value=ctx.period.first,
                                   max_value=ctx.today, format="YYYY-MM-DD")  # dated like the page
        if st.form_submit_button(t("meetings.close")):
            try:
                meetings.close_action(engine=engine(), actor=ctx.actor, action_id=action_id, done_on=done_on,
                                      lang=lang)
            except (ValidationError, ConcurrentEditError, NotAllowed) as exc:
                shell.show_write_error(exc, lang)
            else:
                shell.saved(t("meetings.closed"))

with st.form("meeting", clear_on_submit=True):
    st.markdown(f"**{t('followup.form.title')}**")
    left, right = st.columns([1, 2])
    held_on = left.date_input(t("followup.form.date"), value=ctx.as_of, format="YYYY-MM-DD",
                              min_value=ctx.period.first, max_value=ctx.today)  # past meetings too
    chair = right.text_input(t("meetings.chair"), max_chars=meetings.NAME_MAX)
    group = st.multiselect(t("meetings.attendees"), meetings.working_group())
    others = st.text_area(t("meetings.others"), height=68)
    notes = st.text_area(t("followup.form.notes"), max_chars=meetings.NOTES_MAX)
    decided = st.text_area(t("meetings.decisions"))
    action_text = st.text_area(t("meetings.actions"), help=t("meetings.actions_help"),
                               placeholder=t("meetings.actions_help"))
    if st.form_submit_button(t("followup.form.save"), type="primary"):
        try:
            meetings.record_meeting(engine=engine(), actor=ctx.actor, held_on=held_on, notes=notes, chair=chair,
                                    attendees=group + others.splitlines(), decisions=decided.splitlines(),
                                    actions=meetings.parse_action_lines(action_text, lang), lang=lang)
        except (ValidationError, ConcurrentEditError, NotAllowed) as exc:
            shell.show_write_error(exc, lang)
        else:
            shell.saved(t("followup.form.saved", date=fmt_date(held_on, lang)))
