import json
from datetime import timedelta

import streamlit as st

from mobility.audit import audit_choices, audit_count, audit_entries
from mobility.i18n import fmt_date, fmt_datetime, strings
from mobility.ui import drawn, shell
from mobility.ui.data import cached_build, cached_query, engine
from mobility.ui.exports import table_downloads
from mobility.ui.widgets import url_selectbox

ctx = shell.page("history")
lang, t = ctx.lang, ctx.t

ctx.heading(t("page.history"))
st.caption(t("history.lead"))

private = ctx.actor.is_admin  # account events name people and their access
choices = cached_query(audit_choices)(private=private)
c1, c2, c3, c4 = st.columns(4)
actor = url_selectbox(t("history.actor"), choices["actor"], key="h_actor", lang=lang, container=c1,
                      placeholder=t("common.all"))
entity = url_selectbox(t("history.entity"), choices["entity"], key="h_entity", lang=lang, container=c2,
                       placeholder=t("common.all"), format_func=lambda e: t(f"entity.{e}"))
action = url_selectbox(t("history.action"), choices["action"], key="h_action", lang=lang, container=c3,
                       placeholder=t("common.all"), format_func=lambda a: t(f"action.{a}"))
since = c4.date_input(t("history.since"), value=None, key="h_since", bind="query-params", format="YYYY-MM-DD",
                      min_value=ctx.period.first, max_value=ctx.today)

SHOWN = 200  # one page of the log; the downloads hold the whole selection
filters = {"actor": actor, "entity": entity, "action": action, "since": since, "until": ctx.as_of, "private": private}
total = cached_query(audit_count)(**filters)
pages = max(1, -(-total // SHOWN))
page_no = 1
if pages > 1:
    page_no = int(st.number_input(t("history.page", pages=pages), min_value=1, max_value=pages, value=1, step=1,
                                  key="h_page", bind="query-params"))
entries = cached_query(audit_entries)(**filters, limit=SHOWN, offset=(page_no - 1) * SHOWN)


def known(key: str) -> bool:
    return key in strings()


def field_value(name: str, value) -> str:
    """A stored value as a reader would say it: statuses and yes/no in their language, lists as a count."""
    if isinstance(value, bool):
        return t("history.yes" if value else "history.no")
    if isinstance(value, list):
        return str(len(value)) if value and isinstance(value[0], dict) else ", ".join(map(str, value)) or "–"
    if name == "role" and known(f"role.{value}"):
        return t(f"role.{value}")
    if name in ("status", "source"):
        for prefix in ("status.", "runs.status.", "history.value."):
            if known(prefix + str(value)):
                return t(prefix + str(value))
    return "–" if value is None or value == "" else str(value)


def readable(raw) -> str:
    if not isinstance(raw, str):
        return ""
    return ", ".join(f"{t(f'history.field.{k}') if known(f'history.field.{k}') else k}: {field_value(k, v)}"
                     for k, v in json.loads(raw).items())


if entries.empty:  # e.g. a finished plan's end state: everything in the log was entered after it
    st.info(t("history.none", date=fmt_date(ctx.as_of, lang)))
    later = cached_query(audit_entries)(actor=actor, entity=entity, action=action,
                                        since=max(since or ctx.as_of, ctx.as_of) + timedelta(days=1), limit=1,
                                        private=private)
    if not later.empty:
        st.caption(t("history.later"))
    st.stop()

first = (page_no - 1) * SHOWN + 1
st.caption(t("history.count", n=total) + (" · " + t("history.shown", first=first, last=first + len(entries) - 1)
                                          if pages > 1 else ""))


@cached_build
def _log_page(engine, filters: tuple, offset: int, lang: str) -> str:
    """One page of the log as drawn (a table to read), once per data version, filter, page and language (a miss is
    built by a run in ``lang``: this run's ``t``)."""
    shown = audit_entries(engine, **dict(filters), limit=SHOWN, offset=offset)
    return drawn.table_markup({
        t("history.at"): [fmt_datetime(at, lang) for at in shown["at"]],
        t("history.actor"): list(shown["actor"]),
        t("history.action"): [t(f"action.{a}") for a in shown["action"]],
        t("history.entity"): [t(f"entity.{e}") for e in shown["entity"]],
        t("history.key"): list(shown["entity_key"]),
        t("history.before"): [readable(x) for x in shown["before"]],
        t("history.after"): [readable(x) for x in shown["after"]],
    }, lang=lang, label=t("page.history"))


# A table to read: the log is read and printed, not sorted.
drawn.html(_log_page(tuple(sorted(filters.items())), (page_no - 1) * SHOWN, lang))
table_downloads(lambda: audit_entries(engine(), **filters, limit=None),  # every page, read when asked for
                stem="andringslogg" if lang == "sv" else "change-log", sheet="audit", lang=lang)
