"""The page shell: the first call of every page (page config, language, role gate, sidebar navigation, login).

Every page calls ``page(...)`` itself, so a deep link to ``pages/x.py`` on a fresh server, which Streamlit can run
without ``app.py``, still gets the same config and gate. (The server's start-up also routes every run through
app.py, ``startup.route_through_app_py``; the gate in every page stays as the second lock, and for AppTest.)
"""

from dataclasses import dataclass
from datetime import date
from pathlib import Path

import streamlit as st

from mobility import auth
from mobility.asof import PlanPeriod, default_as_of, has_ended, latest_as_of, parse_as_of, plan_period
from mobility.i18n import DEFAULT_LANG, LANGS, fmt_date, local_today, t
from mobility.service import VIEWER, Actor
from mobility.ui import cookies
from mobility.ui.data import after_write, cached_query, current_version, engine
from mobility.ui.widgets import url_segmented


@dataclass(frozen=True)
class PageSpec:
    key: str  # also the i18n key "page.<key>" and the URL path
    path: str
    role: str = "viewer"  # who may open it at all


ICON = Path(__file__).with_name("icon.png")  # the tab icon, served by the app itself (works offline)

# The app's pages in menu order. A domain adds its page here.
PAGES = [
    PageSpec("overview", "pages/overview.py"),
    PageSpec("targets", "pages/targets.py"),
    PageSpec("budget", "pages/budget.py"),
    PageSpec("checklists", "pages/checklists.py"),
    PageSpec("press", "pages/press.py"),
    PageSpec("followup", "pages/followup.py"),
    PageSpec("counts", "pages/counts.py", role="editor"),
    PageSpec("runs", "pages/runs.py", role="editor"),
    PageSpec("history", "pages/history.py"),
    PageSpec("accounts", "pages/accounts.py", role="admin"),
    PageSpec("deliverables", "pages/deliverables.py"),
    PageSpec("communications", "pages/communications.py"),
    PageSpec("about", "pages/about.py"),
    PageSpec("spending", "pages/spending.py", role="editor"),
]


@dataclass(frozen=True)
class PageContext:
    key: str
    lang: str
    actor: Actor
    today: date  # the calendar's today: for entry forms' defaults and limits
    as_of: date  # the date the view describes: every figure that depends on time uses this
    period: PlanPeriod

    def t(self, key: str, /, **values) -> str:
        return t(key, self.lang, **values)

    @property
    def showing_end_state(self) -> bool:
        """The plan has ended and the view shows its last day by default (no date chosen)."""
        return has_ended(self.period, self.today) and self.as_of == self.period.last \
            and "as_of" not in st.query_params

    @property
    def as_of_line(self) -> str:
        return self.t("asof.caption", date=fmt_date(self.as_of, self.lang))

    def heading(self, title: str, *, note: bool = True) -> None:
        """The page title with the date it describes under it — one way for every page. ``note=False``: the page
        places ``as_of_line`` itself (a one-screen view has no room for the end-state note and its button)."""
        st.title(title)
        line = self.as_of_line
        if not note:
            return
        if not self.showing_end_state:
            st.caption(line)
            return
        with st.container(horizontal=True, vertical_alignment="center", gap="small"):
            st.caption(f"{line} · {self.t('asof.ended', date=fmt_date(self.period.last, self.lang))}")
            st.button(self.t("asof.show_today"), type="tertiary", icon=":material/today:", key="_as_of_today",
                      on_click=_set_as_of_param, args=(self.today.isoformat(),))

    def source_line(self, data_date: date | None = None, *, source_key: str = "print.source.io") -> None:
        """The page's one source line, at its foot (issue 10.8): the source and the data date are said once per
        page, not under every chart or table. Chart images keep their own (an exported image stands alone)."""
        st.divider()
        st.caption(self.t("print.source_line", source=self.t(source_key),
                          date=fmt_date(data_date or self.as_of, self.lang)))


# The router's pages by path, for links: a link to a Page object skips Streamlit's lookup of the file on disk
# (a realpath per link). Filled by the first router run; until then links name the path.
_ROUTED: dict[str, st.Page] = {}

VIEW_PARAMS = "_view_params"  # the language and as-of date the session's view shows, carried across page switches


def route():
    """app.py's router: Streamlit's own menu in the sidebar, readers' pages first, then those of editors.

    The menu is one element drawn with Streamlit's own scripts: ten ``st.page_link`` in the sidebar add 71 ms to a
    page's ready time in the browser, the menu with ten pages 39 ms (scripts/bench_elements.py, 1 Dec 03:01 UTC). Its
    links carry no query parameters, so a switch arrives with a bare URL: the view's language and date are put back
    from the session before the page runs.
    """
    for name, value in st.session_state.get(VIEW_PARAMS, {}).items():
        if name not in st.query_params:
            st.query_params[name] = value
    lang = st.query_params.get("lang")
    lang = lang if lang in LANGS else DEFAULT_LANG
    actor = _current_actor()
    readers = [_router_page(p, lang) for p in PAGES if p.role == "viewer"]
    editors = [_router_page(p, lang) for p in PAGES if p.role != "viewer" and _allowed(actor, p.role)]
    # Routable but not in the menu: the overview's own name (links in mails, bookmarks: Streamlit answers a default
    # page's url_path with "page not found"), and the pages this reader may not open (a deep link shows the hint).
    hidden = [_router_page(PAGES[0], lang, alias=True)]
    hidden += [_router_page(p, lang, hidden=True) for p in PAGES if p.role != "viewer" and not _allowed(actor, p.role)]
    # One list, the editors' pages last: Streamlit's menu with section headings fails axe's list rules
    return st.navigation(readers + editors + hidden, position="sidebar", expanded=True)


def _router_page(spec: PageSpec, lang: str, *, hidden: bool = False, alias: bool = False):
    """A Page object, made once per session, language and visibility (each checks its file on disk: 1.4 ms of a
    profiled run for all). Not shared between sessions: ``st.navigation`` marks the chosen one callable until it has
    run, and a session runs one script at a time."""
    made = st.session_state.setdefault("_router_pages", {})
    key = (spec.key, lang, hidden, alias)
    if (page := made.get(key)) is None:
        home = spec is PAGES[0]
        # No icon: the page's material icon would become the tab's icon, fetched by the browser from a font host
        page = made[key] = st.Page(spec.path, title=t(f"page.{spec.key}", lang),
                                   url_path=spec.key if alias or not home else "", default=home and not alias,
                                   visibility="hidden" if hidden or alias else "visible")
    if not alias:
        _ROUTED[spec.path] = page
    return page


def link_target(path: str):
    """What ``st.page_link`` gets for a page file: its Page (same url and script hash in every run) or the path."""
    return _ROUTED.get(path, path)


def page(key: str) -> PageContext:
    spec = next(p for p in PAGES if p.key == key)
    st.set_page_config(layout="wide", page_icon=str(ICON), initial_sidebar_state="expanded")
    current_version()
    with st.sidebar:  # under Streamlit's menu (app.py's router)
        lang = url_segmented(
            "Språk / Language", LANGS, key="lang", lang=DEFAULT_LANG, default=DEFAULT_LANG,
            format_func=lambda code: {"sv": "Svenska", "en": "English"}[code],
        ) or DEFAULT_LANG
        st.set_page_config(page_title=f"{t(f'page.{key}', lang)} · {t('app.name', lang)}")
        document_language(lang)
        today = local_today()
        period = cached_query(plan_period)()
        as_of, refused = _as_of_input(today, period, lang)
        actor = _current_actor()
        _login_box(actor, lang)
        st.caption(f"**{t('app.name', lang)}** · {t('app.plan', lang)}")  # whose dashboard this is
    ctx = PageContext(key, lang, actor, today, as_of, period)
    st.session_state[VIEW_PARAMS] = view_params(lang)
    if refused:
        st.warning(refused, icon=":material/event_busy:")
    if st.query_params.get("present") == "1":
        _presentation_mode()
    show_pending_toast()
    if not _allowed(actor, spec.role):
        st.title(t(f"page.{key}", lang))
        st.info(t("auth.needs_role", lang, role=t(f"role.{spec.role}", lang)))
        st.stop()
    return ctx


# WCAG 2.1 AA where the theme cannot reach: captions and the sidebar's faded text at ≥ 4.5:1, a visible focus
# ring on every control, and less empty space above a page's title.
HOUSE_CSS = (
    "<style>"
    "[data-testid='stCaptionContainer'],[data-testid='stCaptionContainer'] *,"
    "[data-testid='stWidgetLabel'] p,[data-testid='stMarkdownContainer'] small{color:#4a5260 !important}"
    "[data-testid='stCaptionContainer']{opacity:1 !important}"
    "[data-testid='stSidebar'] [data-testid='stCaptionContainer'] *{color:#3f4754 !important}"
    "a:focus-visible,button:focus-visible,input:focus-visible,textarea:focus-visible,[role='button']:focus-visible,"
    "[role='tab']:focus-visible,[role='combobox']:focus-visible,[tabindex]:focus-visible,summary:focus-visible"
    "{outline:3px solid #00487a !important;outline-offset:2px !important}"
    # A lower header bar (its menu button stays, centred) and the title right under it, not under the bar
    "[data-testid='stHeader'],[data-testid='stToolbar'],[data-testid='stSidebarHeader']"
    "{height:2.25rem !important;min-height:2.25rem !important}"
    "[data-testid='stMainBlockContainer']{padding-top:2.5rem !important}"
    "#skip-to-fields{position:absolute;left:-9999px;top:0.5rem;z-index:1000000;background:#fff;color:#00487a;"
    "padding:0.5rem 1rem;border:2px solid #00487a;font-weight:600}#skip-to-fields:focus{left:0.5rem}"
    "h1{padding-top:0 !important}"
    # drawn.table: a table to read, in the look of Streamlit's own (st.table), scrolling sideways when it must
    ".read-table{overflow-x:auto;margin-bottom:1rem}"
    ".read-table table{border-collapse:collapse;width:100%;font-size:0.875rem}"
    ".read-table th,.read-table td{border-bottom:1px solid #d5dbe1;padding:0.25rem 0.375rem;text-align:left;"
    "vertical-align:top}.read-table th{font-weight:600;color:#1f2a37}.read-table .num{text-align:right;"
    "white-space:nowrap}.read-note{font-size:0.875rem;color:#4a5260;margin:0.25rem 0 1rem}"
    "</style>"
)


def document_language(lang: str) -> None:
    """``<html lang>`` follows the page (Streamlit hardcodes "en"), and the browser formats numbers in it too.

    Numeric table columns use ``format="localized"``, which reads ``navigator.languages``; pinning it to the page
    language makes a Swedish page show Swedish numbers in any browser.
    """
    locale = {"sv": "sv-SE", "en": "en-GB"}[lang]
    skip = t("shell.skip_to_filters", lang)
    st.html(  # one element with the house style: every element costs a page ~10 ms in the browser
        HOUSE_CSS + "<script>"
        f"document.documentElement.lang='{lang}';"
        # A skip link, the first stop of the Tab key: straight to the page's first field (a filter, mostly)
        "let a=document.getElementById('skip-to-fields');"
        "if(!a){a=document.createElement('a');a.id='skip-to-fields';a.href='#';document.body.prepend(a);"
        # (a chart's print-size picker is not a filter: skip it)
        "a.addEventListener('click',e=>{e.preventDefault();const f=Array.from(document.querySelectorAll("
        "\"[data-testid='stMain'] input:not([type=hidden]),[data-testid='stMain'] textarea\"))"
        ".find(x=>!x.closest(\"[class*='st-key-print-size']\"));if(f)f.focus();});}"
        f"a.textContent={skip!r};"
        f"Object.defineProperty(navigator,'languages',{{get:()=>['{locale}','{lang}'],configurable:true}});"
        f"Object.defineProperty(navigator,'language',{{get:()=>'{locale}',configurable:true}});"
        "</script>",
        unsafe_allow_javascript=True, width="content",
    )


def _presentation_mode() -> None:
    """``?present=1``: no sidebar, header or toolbar, less padding — the page as it goes on a screen or in print."""
    st.html(
        "<style>"
        "[data-testid='stSidebar'],[data-testid='stSidebarCollapsedControl'],[data-testid='stHeader'],"
        "[data-testid='stToolbar'],[data-testid='stExpandSidebarButton']{display:none !important}"
        "[data-testid='stMainBlockContainer']{padding:1.25rem 2.5rem 0.5rem !important;max-width:none !important}"
        "</style>"
    )


def _as_of_input(today: date, period: PlanPeriod, lang: str) -> tuple[date, str | None]:
    """The sidebar's "Per datum": the URL's ``?as_of=`` is the truth; a date it cannot show is refused aloud.

    Returns the date to show and, for a refused URL date, the message that says so.
    """
    raw = st.query_params.get("as_of")
    as_of, problem = parse_as_of(raw, period, today)
    refused = problem and t(problem, lang, value=raw, first=fmt_date(period.first, lang),
                            last=fmt_date(latest_as_of(today, period), lang), shown=fmt_date(as_of, lang))
    # Only a date the reader chose (and that is valid) travels in links; the default needs no parameter.
    st.session_state["_as_of_param"] = None if problem or raw is None else as_of.isoformat()
    st.session_state["_url_as_of"] = as_of  # set before the widget is drawn: the URL, not the widget, decides
    # In a box that says the date: a closed popover's content is not mounted in the browser, so no page pays for
    # the date picker until someone opens it (in the sidebar +69 ms, in a closed popover +19: bench_elements.py).
    with st.popover(f"{t('asof.label', lang)} {fmt_date(as_of, lang)}", icon=":material/calendar_month:",
                    help=t("asof.help", lang), width="stretch"):
        st.date_input(t("asof.label", lang), key="_url_as_of", min_value=period.first,
                      max_value=latest_as_of(today, period), format="YYYY-MM-DD", help=t("asof.help", lang),
                      on_change=_as_of_changed, args=(default_as_of(today, period),))
    return as_of, refused


def _as_of_changed(default: date) -> None:
    chosen = st.session_state.get("_url_as_of")
    _set_as_of_param(None if chosen in (None, default) else chosen.isoformat())


def _set_as_of_param(value: str | None) -> None:
    carried = st.session_state.setdefault(VIEW_PARAMS, {})
    if value is None:
        st.query_params.pop("as_of", None)
        carried.pop("as_of", None)  # or the router would put it back
    else:
        st.query_params["as_of"] = carried["as_of"] = value


def view_params(lang: str) -> dict:
    """What every link between pages carries: the language and the as-of date, when they are not the default."""
    params = {} if lang == DEFAULT_LANG else {"lang": lang}
    if as_of := st.session_state.get("_as_of_param"):
        params["as_of"] = as_of
    return params


lang_param = view_params  # the older name: links written with it carry the as-of date too


def _allowed(actor: Actor, role: str) -> bool:
    return role == "viewer" or (actor.is_admin if role == "admin" else actor.can_edit)


def sso_configured() -> bool:
    try:
        return "auth" in st.secrets
    except FileNotFoundError:
        return False


def _secrets_section(name: str) -> dict:
    try:
        return st.secrets.get(name, {}).to_dict() if name in st.secrets else {}
    except FileNotFoundError:
        return {}


def secrets_path() -> Path:
    """The project's own secrets file (the last of Streamlit's ``secrets.files``): local accounts live there."""
    return Path(st.get_option("secrets.files")[-1])


def local_accounts() -> dict:
    """Read from the file on every login, so an account added by the CLI or an admin works at once."""
    return auth.read_secrets(secrets_path()).get("users", {})


def _current_actor() -> Actor:
    if sso_configured():
        if not st.user.is_logged_in:
            return VIEWER
        email = st.user.get("email")
        return Actor(email or "?", auth.role_for_email(email, _secrets_section("roles")))
    return cookies.current_actor(local_accounts)  # this tab's login, or the session cookie after a reload


def client_address() -> str | None:
    """The browser's address, for login throttling per name and address. None on localhost and under AppTest (where
    Streamlit's runtime is a mock): all such clients share one throttling bucket."""
    address = st.context.ip_address
    return address if isinstance(address, str) else None


LOGIN_OPEN = "_login_open"  # the sidebar's login box is open (tests open it by setting this)


def _login_box(actor: Actor, lang: str) -> None:
    cookies.hand_over()
    if actor.role != "viewer" or (sso_configured() and st.user.is_logged_in):
        st.caption(t("auth.signed_in_as", lang, name=actor.name, role=t(f"role.{actor.role}", lang)))
        if st.button(t("auth.logout", lang), icon=":material/logout:"):
            cookies.forget(actor)  # every session of the account ends, in every tab and process
            st.session_state.pop(LOGIN_OPEN, None)  # the login box is closed again
            if sso_configured():
                st.logout()
            st.rerun()
        return
    if sso_configured():
        if st.button(t("auth.login_sso", lang), icon=":material/login:"):
            # [auth.<provider>] names the provider; a flat [auth] section is the single default one.
            providers = [k for k, v in _secrets_section("auth").items() if isinstance(v, dict)]
            st.login(providers[0] if providers else None)
        return
    # The form is built only when a reader opens the box (opening it reruns): every page view saves its elements
    with st.expander(t("auth.login", lang), icon=":material/login:", key=LOGIN_OPEN, on_change="rerun") as box:
        if not box.open:
            return
        with st.form("login", border=False):
            username = st.text_input(t("auth.username", lang), autocomplete="username", max_chars=auth.USERNAME_MAX)
            password = st.text_input(t("auth.password", lang), type="password", autocomplete="current-password")
            submitted = st.form_submit_button(t("auth.login", lang))
        if submitted:
            try:
                signed_in = auth.authenticate(engine(), local_accounts(), username, password, address=client_address())
            except auth.LoginThrottled as exc:
                st.error(t("auth.throttled", lang, seconds=exc.wait_seconds))  # ≤ 900: no separator
                return
            if signed_in is VIEWER:
                st.error(t("auth.failed", lang))
                return
            st.session_state["actor"] = (signed_in.name, signed_in.role)
            cookies.remember(signed_in)  # survives a reload: the next run hands the browser its cookie
            st.rerun()


def show_write_error(exc: Exception, lang: str) -> None:
    """One place that turns a refused write into a clear message."""
    from mobility.service import ConcurrentEditError, DatabaseBusy, NotAllowed, ValidationError

    if isinstance(exc, DatabaseBusy):
        st.error(t("write.busy", lang))
    elif isinstance(exc, ValidationError):
        st.error(t("write.invalid", lang) + "\n\n" + "\n".join(f"- {p}" for p in exc.problems))
    elif isinstance(exc, ConcurrentEditError):
        both = exc.yours is not None or exc.now is not None
        st.error(t("write.conflict", lang) + ("\n\n" + t("write.conflict_values", lang, yours=_value(exc.yours, lang),
                                                           now=_value(exc.now, lang)) if both else ""))
    elif isinstance(exc, NotAllowed):
        st.error(t("write.not_allowed", lang))
    else:
        raise exc


def _value(value, lang: str) -> str:
    """A value in a conflict message: a status code in words, anything else as it is (plain text, not Markdown)."""
    from mobility.text import plain

    if value is None:
        return "–"
    label = t(f"status.{value}", lang) if isinstance(value, str) else None
    return plain(label if label and label != f"status.{value}" else str(value))


def editors_only_below(ctx: PageContext) -> None:
    """End the page here for readers, with a hint; editors go on to the forms below."""
    if not ctx.actor.can_edit:
        st.caption(t("auth.edit_hint", ctx.lang))
        st.stop()


def version_seen(form: str, current):
    """The version the user saw when the form was last drawn (this run re-reads the data before it saves).

    A save compares this with the stored version, so a change by someone else in between is refused, not overwritten.
    """
    key = f"_seen_{form}"
    seen = st.session_state.get(key, current)
    st.session_state[key] = current
    return seen


def saved(message: str) -> None:
    """After a successful write: drop this run's data version and show the toast on the next run."""
    after_write()
    st.session_state["_toast"] = message
    st.rerun()


def show_pending_toast() -> None:
    if message := st.session_state.pop("_toast", None):
        st.toast(message, icon=":material/check_circle:")

