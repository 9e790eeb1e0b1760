import streamlit as st

from mobility import auth, throttle
from mobility.service import NotAllowed, ValidationError
from mobility.text import plain
from mobility.ui import shell
from mobility.ui.data import engine

ctx = shell.page("accounts")
lang, t = ctx.lang, ctx.t

ctx.heading(t("page.accounts"))
if shell.sso_configured():
    st.info(t("accounts.sso"))
    st.stop()

st.caption(t("accounts.lead"))
accounts = shell.local_accounts()
st.dataframe(
    {t("accounts.username"): list(accounts),
     t("accounts.role"): [t(f"role.{a.get('role')}") for a in accounts.values()]},
    hide_index=True, alt=t("page.accounts"),
)

with st.form("account", clear_on_submit=True):
    st.markdown(f"**{t('accounts.save')}**")
    username = st.text_input(t("auth.username"), max_chars=auth.USERNAME_MAX)
    role = st.selectbox(t("accounts.role"), auth.EDIT_ROLES, format_func=lambda r: t(f"role.{r}"))
    password = st.text_input(t("accounts.password"), type="password", autocomplete="new-password")
    if st.form_submit_button(t("accounts.save"), type="primary"):
        try:
            auth.save_account(engine(), ctx.actor, shell.secrets_path(), username, role=role, password=password or None)
        except (ValidationError, NotAllowed) as exc:
            shell.show_write_error(exc, lang)
        else:
            shell.saved(t("accounts.saved", name=username.strip().lower()))

others = [name for name in accounts if name != ctx.actor.name]
if others:
    with st.form("remove-account"):
        name = st.selectbox(t("accounts.remove_pick"), others)
        if st.form_submit_button(t("accounts.remove")):
            try:
                auth.delete_account(engine(), ctx.actor, shell.secrets_path(), name)
            except (ValidationError, NotAllowed) as exc:
                shell.show_write_error(exc, lang)
            else:
                shell.saved(t("accounts.removed", name=name))

# Names that have to wait before their next login attempt, per client address (a stranger's guesses slow only them)
st.subheader(t("accounts.throttled"))
waiting = throttle.throttled(engine())


def where(address: str) -> str:
    return address or t("accounts.address_unknown")


if not waiting:
    st.caption(t("accounts.throttled_none"))
else:
    st.dataframe(
        {t("accounts.username"): [r["username"] for r in waiting],
         t("accounts.address"): [where(r["address"]) for r in waiting],
         t("accounts.failures"): [r["failures"] for r in waiting],
         t("accounts.wait"): [r["wait_seconds"] for r in waiting]},
        hide_index=True, alt=t("accounts.throttled"),
    )
    with st.form("clear-throttle"):
        name, address = st.selectbox(t("accounts.clear_pick"), [(r["username"], r["address"]) for r in waiting],
                                     format_func=lambda pair: f"{pair[0]} · {where(pair[1])}")
        if st.form_submit_button(t("accounts.clear")):
            try:
                throttle.clear(engine(), ctx.actor, name, address)
            except NotAllowed as exc:
                shell.show_write_error(exc, lang)
            else:
                shell.saved(t("accounts.cleared", name=plain(name), address=plain(where(address))))
