"""AppTest: every page in Swedish and English, as a viewer, an editor and an admin, showing what a user would see."""

import json
import re

import pytest
from streamlit.testing.v1 import AppTest

from mobility.activities import activity_detail
from mobility.i18n import local_today, strings, t
from mobility.ui.shell import PAGES
from tests.conftest import ADMIN, EDITOR, EDITOR_PASSWORD, ROOT, open_login_box, texts
from tests.html_tables import read_tables, tables_in

RAW_KEY = re.compile(r"[a-z_]+\.[a-z_.]+")
# Proto fields that hold no reader-facing text (ids, paths, icons, chart JSON read separately, defaults).
NOT_TEXT = {"id", "form_id", "page", "page_script_hash", "icon", "spec", "config", "columns", "default", "format",
            "type", "deferred_file_id", "tag", "url", "color", "direction", "element_type", "min", "max"}
CHART_TEXT = {"text", "name", "ticktext", "ticksuffix", "tickprefix"}


def _proto_texts(message) -> list[str]:
    found = []
    for field, value in message.ListFields():
        if field.name in NOT_TEXT:
            continue
        repeated = not isinstance(value, str) and not hasattr(value, "ListFields") and hasattr(value, "__len__")
        for v in value if repeated else [value]:
            if isinstance(v, str):
                found.append(v)
            elif hasattr(v, "ListFields"):
                found += _proto_texts(v)
    return found


def _chart_texts(node, key: str | None = None) -> list[str]:
    if isinstance(node, dict):
        return [s for k, v in node.items() for s in _chart_texts(v, k)]
    if isinstance(node, list):
        return [s for v in node for s in _chart_texts(v, key)]
    return [node] if isinstance(node, str) and key in CHART_TEXT else []


def visible_strings(at: AppTest) -> list[str]:
    """Every text a reader can see: element bodies and labels, options, help, tables' headers and cells, charts."""
    found, stack = [], [at._tree]
    while stack:
        node = stack.pop()
        proto = getattr(node, "proto", None)
        if proto is not None and hasattr(proto, "ListFields"):
            found += _proto_texts(proto)
            if getattr(node, "type", "") == "plotly_chart":
                found += _chart_texts(json.loads(proto.spec))
        frames = [node.value] if node.type in ("dataframe", "table", "arrow_data_frame") else []
        frames += tables_in(node.value) if node.type == "html" else []  # drawn.table: a table to read
        for frame in frames:
            found += [str(c) for c in frame.columns]
            found += [v for col in frame.columns for v in frame[col].tolist() if isinstance(v, str)]
        children = getattr(node, "children", None)
        if isinstance(children, dict):
            stack += list(children.values())
    return found


def _looks_like_a_key(text: str) -> bool:
    """Shaped like a key and in one of the locales' namespaces ("entity.", "budget.", …), so a user name such as
    "io.editor" in the audit log is data, not a missing string."""
    namespaces = {key.split(".")[0] for key in strings()}
    return bool(RAW_KEY.fullmatch(text)) and text.split(".")[0] in namespaces


def assert_no_raw_i18n_key(at: AppTest) -> None:
    """A missing string shows its key ("entity.count"); no reader should ever see one."""
    raw = set()
    for text in visible_strings(at):
        for line in [text, *text.splitlines()]:
            for candidate in (line.strip(), line.strip().strip("*_`#>:- ").strip()):
                if _looks_like_a_key(candidate):
                    raw.add(candidate)
    assert not raw, f"raw i18n keys on the page: {sorted(raw)}"


def _may_open(actor, role: str) -> bool:
    return role == "viewer" or (actor is not None and (actor.role == "admin" or role == actor.role == "editor"))


def visible_widgets(block) -> list[str]:
    """Everything in ``block`` a user could act on (inputs, buttons, editors, uploaders, forms)."""
    found, stack = [], [block]
    while stack:
        node = stack.pop()
        if node.type == "form" or (getattr(node, "proto", None) is not None and hasattr(node.proto, "id")
                                   and node.proto.id):
            found.append(f"{node.type}: {getattr(node, 'label', '')}")
        children = getattr(node, "children", None)
        if isinstance(children, dict):
            stack += list(children.values())
    return found


@pytest.mark.parametrize("lang", ["sv", "en"])
@pytest.mark.parametrize("actor", [None, EDITOR, ADMIN], ids=["viewer", "editor", "admin"])
@pytest.mark.parametrize("spec", PAGES, ids=[p.key for p in PAGES])
def test_every_page_opens_without_an_exception(app, spec, lang, actor):
    """No exception box and no raw string key in either language for any role; a gated page says why, no form."""
    at = app(spec.key, lang=lang, actor=actor)
    assert not at.exception, at.exception
    assert at.title, "every page has a title"
    assert_no_raw_i18n_key(at)
    if not _may_open(actor, spec.role):
        role = t(f"role.{spec.role}", lang)
        assert [i.value for i in at.main.info] == [t("auth.needs_role", lang, role=role)]
        widgets = visible_widgets(at.main)
        assert not widgets, f"as {actor.role if actor else 'viewer'}: controls on {spec.key}: {widgets}"
    elif spec.role != "viewer":
        assert visible_widgets(at.main), f"{spec.key} offers its {actor.role} nothing to do"


def test_the_raw_key_check_catches_a_missing_string(app):
    """The check above can fail: a key without a translation shows itself and is reported."""
    at = app("overview")
    assert_no_raw_i18n_key(at)
    at.markdown[0].proto.body = t("entity.no_such_thing")
    with pytest.raises(AssertionError, match="entity.no_such_thing"):
        assert_no_raw_i18n_key(at)


def test_overview_speaks_swedish_by_default_and_english_on_request(app):
    """Kronor the Swedish way; the English page is English."""
    sv = texts(app("overview"))
    assert "Handlingsplan för mobilitet 2016–2018" in sv
    assert "1\u00a0000\u00a0000" not in sv and "190\u00a0500\u00a0kr" in sv  # area A's allocation
    en = texts(app("overview", lang="en"))
    assert "Action plan for mobility 2016–2018" in en and "Student mobility" in en


def test_a_viewer_sees_no_edit_control(app):
    """Reading is open; the status form exists only for editors."""
    at = app("overview")
    assert "Spara status" not in [b.label for b in at.button]
    assert "Ny status" not in [s.label for s in at.selectbox]
    assert "Logga in som redigerare" in texts(at)


def test_editor_changes_a_status_and_sees_it(app, engine):
    """The form saves, the detail shows the new status, and the change is in the log."""
    today = local_today().isoformat()  # the change takes effect today: look at today
    at = app("overview", actor=EDITOR, activity="B8", as_of=today)
    assert "B8 · Planerad" in texts(at)
    next(s for s in at.selectbox if s.label == "Ny status").set_value("done")
    next(a for a in at.text_area if a.label.startswith("Kommentar")).input("Språkstöd på plats")
    next(b for b in at.button if b.label == "Spara status").click().run()
    assert not at.exception
    assert activity_detail(engine, "B8")["status"] == "done"
    assert "B8 · Klar" in texts(at)
    history = app("history", as_of=today)
    log = read_tables(history)[0]
    assert ("io.editor", "Status ändrad", "B8") in set(zip(log["Vem"], log["Händelse"], log["Post"], strict=True))


def test_the_accounts_page_is_for_admins_only(app):
    """An editor gets a clear message, no form."""
    at = app("accounts", actor=EDITOR)
    assert "administratör" in texts(at)
    assert not at.text_input


def test_login_with_a_local_account(app):
    """Right password: signed in as editor; wrong password: a clear message and still a reader."""
    at = app("overview")
    assert not at.sidebar.text_input  # closed: its form is not built
    open_login_box(at)
    at.sidebar.text_input[0].input("io.editor")
    at.sidebar.text_input[1].input("wrong password")
    next(b for b in at.sidebar.button if b.label == "Logga in").click().run()
    assert "Fel användarnamn eller lösenord" in texts(at)
    at.sidebar.text_input[1].input(EDITOR_PASSWORD)
    next(b for b in at.sidebar.button if b.label == "Logga in").click().run()
    assert "Inloggad som **io.editor**" in texts(at)


def test_single_sign_on_maps_the_university_email_to_a_role(engine):
    """With [auth] configured, a signed-in IO address is an editor and gets the status form; others only read."""
    def open_as(email):
        at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=30)
        at.secrets["auth"] = {"redirect_uri": "http://localhost/oauth2callback", "cookie_secret": "x" * 32,
                              "miun": {"client_id": "id", "client_secret": "s", "server_metadata_url": "http://idp"}}
        at.secrets["roles"] = {"editors": ["io@miun.se"], "admins": []}
        at.user = {"is_logged_in": True, "email": email}
        return at.run()

    editor = open_as("io@miun.se")
    assert "Inloggad som **io@miun.se** (redigerare)" in texts(editor)
    assert "Spara status" in [b.label for b in editor.button]
    reader = open_as("student@miun.se")
    assert "Spara status" not in [b.label for b in reader.button]
