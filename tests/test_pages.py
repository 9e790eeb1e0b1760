"""AppTest: every page in Swedish and English, as a viewer and as an editor, showing what a user would see."""

import pytest
from streamlit.testing.v1 import AppTest

from mobility.activities import activity_detail
from tests.conftest import ADMIN, EDITOR, EDITOR_PASSWORD, ROOT, texts

PAGES = ["overview", "history", "accounts"]


@pytest.mark.parametrize("lang", ["sv", "en"])
@pytest.mark.parametrize("actor", [None, EDITOR, ADMIN], ids=["viewer", "editor", "admin"])
@pytest.mark.parametrize("page", PAGES)
def test_every_page_opens_without_an_exception(app, page, lang, actor):
    """No exception box in either language for any role."""
    at = app(page, lang=lang, actor=actor)
    assert not at.exception, at.exception
    assert at.title, "every page has a title"


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
    at = app("overview", actor=EDITOR, activity="B3")
    assert "B3 · Planerad" in texts(at)
    next(s for s in at.selectbox if s.label == "Ny status").set_value("done")
    at.text_area[0].input("Checklistan publicerad")
    next(b for b in at.button if b.label == "Spara status").click().run()
    assert not at.exception
    assert activity_detail(engine, "B3")["status"] == "done"
    assert "B3 · Klar" in texts(at)
    history = app("history")
    log = history.table[0].value
    assert ("io.editor", "Status ändrad", "B3") in set(zip(log["Vem"], log["Händelse"], log["Post"], strict=True))


def test_the_accounts_page_is_for_admins_only(app):
    """An editor gets a clear message, no form."""
    at = app("accounts", actor=EDITOR)
    assert "administratör" in texts(at)
    assert not at.text_input


def test_login_with_a_local_account(app):
    """Right password: signed in as editor; wrong password: a clear message and still a reader."""
    at = app("overview")
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
