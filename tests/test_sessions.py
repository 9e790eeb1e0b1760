"""Session cookies without a browser: what logs in, what does not, and how logout ends it everywhere."""

from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

from mobility import sessions
from mobility.auth import read_secrets
from mobility.service import VIEWER
from tests.conftest import EDITOR

T0 = datetime(2026, 11, 30, 8, 0, tzinfo=UTC)


def _cookie(key: str, ticket: str, at=T0) -> str:
    value, _max_age = sessions.cookie_for_ticket(key, ticket, at=at)
    return value


def test_the_secret_is_made_once_and_kept_in_the_secrets_file(secrets_file):
    """First use writes `[session] secret` beside the accounts; every later call (any process) reads the same."""
    with ThreadPoolExecutor(4) as pool:
        keys = set(pool.map(lambda _: sessions.secret(secrets_file), range(8)))
    assert len(keys) == 1 and len(keys.pop()) >= 40
    data = read_secrets(secrets_file)
    assert data["session"]["secret"] and EDITOR.name in data["users"]  # the accounts are still there


def test_a_ticket_gives_a_cookie_that_logs_the_editor_in_for_a_working_day(engine):
    """Login → ticket → cookie → the editor again; after 12 hours the same cookie is a reader."""
    _session_id, ticket = sessions.start(engine, "k", EDITOR, at=T0)
    cookie = _cookie("k", ticket)
    assert sessions.actor_for(engine, "k", cookie, at=T0 + timedelta(hours=11))[0] == EDITOR
    assert sessions.actor_for(engine, "k", cookie, at=T0 + timedelta(hours=12, minutes=1)) == (VIEWER, None)


def test_a_ticket_expires_within_minutes_and_cannot_pose_as_a_cookie(engine):
    _session_id, ticket = sessions.start(engine, "k", EDITOR, at=T0)
    assert sessions.cookie_for_ticket("k", ticket, at=T0 + timedelta(minutes=3)) is None
    assert sessions.actor_for(engine, "k", ticket, at=T0) == (VIEWER, None)


def test_tampered_foreign_or_garbage_cookies_are_readers(engine):
    _session_id, ticket = sessions.start(engine, "k", EDITOR, at=T0)
    cookie = _cookie("k", ticket)
    sid, expires, signature = cookie.split(".")
    later = f"{sid}.{int(expires) + 86400}.{signature}"  # a longer life, same signature
    foreign = sessions._pack("another installation", "cookie", sid, T0 + timedelta(hours=1))
    tampered = cookie[:-1] + ("x" if cookie[-1] != "x" else "y")
    for value in (later, tampered, foreign, "", None, "a.b", "a.b.c.d", "..."):
        assert sessions.actor_for(engine, "k", value, at=T0) == (VIEWER, None), value


def test_logout_ends_every_session_of_the_account_and_no_other(engine):
    """Two browsers of the editor, one of someone else: logout ends both of the editor's, not the other's."""
    cookies = [_cookie("k", sessions.start(engine, "k", EDITOR, at=T0)[1]) for _ in range(2)]
    other = _cookie("k", sessions.start(engine, "k", sessions.Actor("bertil", "editor"), at=T0)[1])
    assert sessions.end_everywhere(engine, EDITOR.name, at=T0 + timedelta(hours=1)) == 2
    for cookie in cookies:
        assert sessions.actor_for(engine, "k", cookie, at=T0 + timedelta(hours=1)) == (VIEWER, None)
    assert sessions.actor_for(engine, "k", other, at=T0 + timedelta(hours=1))[0].name == "bertil"
