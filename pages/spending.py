"""Spending, where IO records it: one expenditure, a file of them, or a later allocation decision — no scrolling
past the budget's charts. The position itself stays on the budget page, one click away."""

from datetime import date

import pandas as pd
import streamlit as st

from mobility import budget, files, parsing, spending
from mobility.i18n import fmt_date, fmt_sek
from mobility.service import ConcurrentEditError, NotAllowed, ValidationError
from mobility.text import plain
from mobility.ui import drawn, shell
from mobility.ui.data import cached_build, cached_query, engine
from mobility.ui.numbers import kr_column

ctx = shell.page("spending")
lang, t = ctx.lang, ctx.t


def kr(ore, *, exact: bool = False) -> str:
    """Öre → ``1 560 500 kr``; ``exact`` keeps the öre when there are any."""
    if ore is None or pd.isna(ore):
        return ""
    return fmt_sek(int(ore) / 100, lang, ore=exact and int(ore) % 100 != 0)


def kronor(values):
    return pd.array([int(v) for v in values], dtype="Float64") / 100


ctx.heading(t("page.spending"))
st.page_link("pages/budget.py", label=t("spending.to_budget"), icon=":material/account_balance_wallet:",
             query_params=shell.lang_param(lang))
table = cached_build(budget.budget_table)(as_of=ctx.as_of)  # shared: read, never changed
titles = dict(zip(table["code"], table[f"title_{lang}"], strict=True))
all_codes = list(table["code"])
label = lambda c: f"{c} – {titles[c][:80]}"  # noqa: E731
# Only the open tab's contents are built (choosing a tab reruns the page)
record, upload_tab, allocation_tab = st.tabs([t("budget.form.title"), t("budget.import"), t("budget.alloc")],
                                             key="spending-tab", on_change="rerun")

with record:
    if record.open:
        with st.form("spend"):
            c1, c2, c3 = st.columns([1, 2, 1])
            # dated like the page, so the entry shows in it
            day = c1.date_input(t("budget.field.date"), value=ctx.as_of, min_value=date(2010, 1, 1),
                                max_value=ctx.today, format="YYYY-MM-DD")
            spend_code = c2.selectbox(t("budget.field.activity"), all_codes, index=None, format_func=label,
                                      placeholder=t("budget.field.activity"))
            amount_text = c3.text_input(t("budget.field.amount_sek"), placeholder="12 500,50",
                                        help=t("budget.form.help"))
            d1, d2 = st.columns([3, 1])
            description = d1.text_input(t("budget.field.description"), max_chars=spending.DESCRIPTION_MAX)
            reference = d2.text_input(t("budget.field.reference"), max_chars=spending.REFERENCE_MAX)
            if st.form_submit_button(t("budget.form.save"), type="primary"):
                try:
                    spending.add_spend(engine=engine(), actor=ctx.actor, spent_on=day, activity=spend_code or "",
                                     amount=amount_text, description=description, reference=reference, lang=lang)
                except (ValidationError, NotAllowed) as exc:
                    shell.show_write_error(exc, lang)
                else:
                    shell.saved(t("budget.form.saved", code=spend_code,
                                  amount=kr(parsing.parse_amount(amount_text), exact=True)))

with upload_tab:
    if upload_tab.open:
        st.markdown(t("budget.import.help"))
        upload_key = f"spend_upload_{st.session_state.get('_spend_uploads', 0)}"
        upload = st.file_uploader(t("budget.import.file"), type=["csv", "xlsx"], key=upload_key,
                                  help=files.limits_text(lang))
        if upload is not None:
            data = upload.getvalue()
            preview = spending.preview_import(engine(), data=data, filename=upload.name, lang=lang)
            if preview.problems:
                st.error(t("budget.import.errors") + "\n\n" + "\n".join(f"- {p}" for p in preview.problems))
            else:
                if preview.skipped:
                    st.warning(t("budget.import.skipped", n=len(preview.skipped),
                                 refs=plain(", ".join(r.reference for r in preview.skipped))))
                if preview.rows:
                    st.info(t("budget.import.preview", n=len(preview.rows), amount=kr(preview.total_ore, exact=True)))
                    st.dataframe(
                        {
                            t("budget.col.date"): [r.spent_on.isoformat() for r in preview.rows],
                            t("budget.col.code"): [r.activity for r in preview.rows],
                            t("budget.col.amount"): kronor([r.amount_ore for r in preview.rows]),
                            t("budget.col.description"): [r.description for r in preview.rows],
                            t("budget.col.reference"): [r.reference for r in preview.rows],
                        },
                        hide_index=True, width="stretch", alt=t("budget.import"),
                        column_config={t("budget.col.amount"): kr_column(t("budget.col.amount"), lang, ore=True)},
                    )
                    if st.button(t("budget.import.go", n=len(preview.rows)), type="primary"):
                        try:
                            result = spending.import_spend(engine=engine(), actor=ctx.actor, data=data,
                                                         filename=upload.name, lang=lang)
                        except (ValidationError, NotAllowed) as exc:
                            shell.show_write_error(exc, lang)
                        else:
                            st.session_state["_spend_uploads"] = st.session_state.get("_spend_uploads", 0) + 1
                            shell.saved(t("budget.import.saved", n=len(result.rows), skipped=len(result.skipped),
                                          amount=kr(result.total_ore, exact=True)))
                else:
                    st.info(t("budget.import.nothing"))

with allocation_tab:
    if allocation_tab.open:
        alloc_code = st.selectbox(t("budget.field.activity"), all_codes, format_func=label, key="alloc_code")
        history = cached_query(budget.allocation_history)(code=alloc_code)
        st.markdown(t("budget.alloc.current", plan=kr(history["plan_ore"]) or "–",
                      current=kr(history["current_ore"], exact=True) or "–"))
        for change in history["changes"]:
            st.caption(t("budget.alloc.history", date=fmt_date(change["decided_on"], lang),
                         amount=kr(change["amount_ore"], exact=True), note=plain(change["note"], inline=True),
                         who=plain(change["entered_by"])))
        with st.form(f"allocation-{alloc_code}"):
            a1, a2 = st.columns(2)
            new_amount = a1.text_input(t("budget.field.allocation"), placeholder="150 000")
            decided_on = a2.date_input(t("budget.field.decided_on"), value=ctx.as_of, min_value=ctx.period.first,
                                       max_value=ctx.today, format="YYYY-MM-DD")  # a decision lies in the plan period
            note = st.text_area(t("budget.field.note"), max_chars=budget.NOTE_MAX)
            seen_changes = shell.version_seen(f"allocation-{alloc_code}", len(history["changes"]))
            if st.form_submit_button(t("budget.alloc.save"), type="primary"):
                try:
                    saved_ore = budget.change_allocation(engine=engine(), actor=ctx.actor, code=alloc_code,
                                                         amount=new_amount, decided_on=decided_on, note=note,
                                                         expected_changes=seen_changes, lang=lang)
                except (ValidationError, ConcurrentEditError, NotAllowed) as exc:
                    shell.show_write_error(exc, lang)
                else:
                    shell.saved(t("budget.alloc.saved", code=alloc_code, amount=kr(saved_ore, exact=True)))


# What was recorded last, to check an entry at a glance -----------------------------------------------------------
@cached_build
def _latest(engine, lang: str) -> pd.DataFrame:
    """The last ten entries as drawn, once per data version and language (a miss is built by a run in ``lang``)."""
    entries = budget.ledger_entries(engine, area=None, limit=10)
    return pd.DataFrame({
        t("budget.col.date"): pd.to_datetime(entries["spent_on"]),
        t("budget.col.code"): entries["activity"],
        t("budget.col.amount"): kronor(entries["amount_ore"]),
        t("budget.col.description"): entries["description"],
        t("budget.col.reference"): entries["reference"],
        t("budget.col.entered_by"): entries["entered_by"],
    })


st.subheader(t("spending.latest"))
entries = _latest(lang)
if len(entries):
    drawn.dataframe(
        entries,
        hide_index=True, width="stretch", alt=t("spending.latest"),
        column_config={t("budget.col.date"): st.column_config.DateColumn(format="YYYY-MM-DD"),
                       t("budget.col.amount"): kr_column(t("budget.col.amount"), lang, ore=True)},
    )
else:
    st.caption(t("budget.ledger.empty"))
