"""Login throttling: per name and client address, growing delays, atomic counts, the same work for every name."""

import shutil
import statistics
import tempfile
import threading
import time
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import delete
from sqlmodel import Session, select

from mobility import auth, cli, throttle
from mobility.db import make_engine
from mobility.models import AuditEntry, LoginThrottle
from mobility.plan import init_database
from mobility.service import SYSTEM, VIEWER, NotAllowed, ValidationError, now
from tests.conftest import ADMIN, EDITOR, EDITOR_PASSWORD, open_login_box, texts

STRANGER, OFFICE = "203.0.113.66", "198.51.100.7"


class _AnyThrottled:
    def __eq__(self, other):
        return isinstance(other, auth.LoginThrottled)


ANY_THROTTLED = _AnyThrottled()


@pytest.fixture
def users(secrets_file) -> dict:
    return auth.read_secrets(secrets_file)["users"]


def _stored(engine) -> list[tuple]:
    with Session(engine) as session:
        return [(r.username, r.address, r.failures) for r in session.execute(select(LoginThrottle)).scalars()]


def _fail_until_throttled(engine, users, name: str, address: str | None, *, at) -> None:
    """Wrong passwords from ``address`` until the next attempt has to wait."""
    for n in range(throttle.FREE_FAILURES):
        assert auth.authenticate(engine, users, name, "guess", address=address, at=at + timedelta(microseconds=n)) \
            is VIEWER


def test_a_strangers_failures_never_make_the_editor_wait(engine, users):
    """Twelve wrong passwords for io.editor from another address: the stranger waits, the editor logs in at once."""
    at, failures = now(), 0
    while failures < 12:
        try:
            auth.authenticate(engine, users, "io.editor", "guess", address=STRANGER, at=at)
            failures += 1
        except auth.LoginThrottled as refused:
            at += timedelta(seconds=refused.wait_seconds)  # the stranger waits as told, and fails again
    with pytest.raises(auth.LoginThrottled):
        auth.authenticate(engine, users, "io.editor", EDITOR_PASSWORD, address=STRANGER, at=at)
    # The editor, at the same instant, from the office: a typo and then the right password, never a wait
    assert auth.authenticate(engine, users, "io.editor", "typo", address=OFFICE, at=at) is VIEWER
    assert auth.authenticate(engine, users, "io.editor", EDITOR_PASSWORD, address=OFFICE, at=at) == EDITOR
    assert ("io.editor", STRANGER, 12) in _stored(engine)


def test_delays_grow_from_the_last_failure_and_no_password_is_checked_while_waiting(engine, users, monkeypatch):
    start = now()
    _fail_until_throttled(engine, users, "io.editor", OFFICE, at=start)
    checks = []
    real_verify = auth.verify_password
    monkeypatch.setattr(auth, "verify_password", lambda *a: checks.append(1) or real_verify(*a))
    last = start + timedelta(microseconds=throttle.FREE_FAILURES - 1)
    waits = []
    for _ in range(4):
        with pytest.raises(auth.LoginThrottled) as refused:  # even the right password is not tried
            auth.authenticate(engine, users, "io.editor", EDITOR_PASSWORD, address=OFFICE,
                              at=last + timedelta(milliseconds=1))
        waits.append(refused.value.wait_seconds)
        last += timedelta(seconds=refused.value.wait_seconds)  # wait as told, then fail once more
        assert auth.authenticate(engine, users, "io.editor", "guess", address=OFFICE, at=last) is VIEWER
    assert waits == [1, 2, 4, 8]
    assert len(checks) == 4  # only the attempts that did not have to wait
    assert throttle.delay(1000) == throttle.MAX_DELAY
    # A day later the count starts again; the right password clears it
    day_after = last + throttle.FORGET_AFTER + timedelta(seconds=1)
    assert auth.authenticate(engine, users, "io.editor", EDITOR_PASSWORD, address=OFFICE, at=day_after) == EDITOR
    assert _stored(engine) == []


def _simultaneous(engine, users, attempts: int, *, at=None) -> list:
    """``attempts`` threads try a wrong password for io.editor from one address at the same instant."""
    barrier, answers = threading.Barrier(attempts), []

    def attempt():
        barrier.wait()
        try:
            answers.append(auth.authenticate(engine, users, "io.editor", "guess", address=STRANGER, at=at))
        except auth.LoginThrottled as refused:
            answers.append(refused)

    threads = [threading.Thread(target=attempt) for _ in range(attempts)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sorted(answers, key=lambda a: isinstance(a, auth.LoginThrottled))  # the counted ones first


def test_twenty_simultaneous_failures_are_twenty_counts(engine, users, monkeypatch):
    """No failure is lost when many are counted at once (throttling set high so that every attempt is checked)."""
    monkeypatch.setattr(throttle, "FREE_FAILURES", 100)
    answers = _simultaneous(engine, users, 20, at=now())
    assert answers == [VIEWER] * 20
    assert _stored(engine) == [("io.editor", STRANGER, 20)]


@pytest.fixture(scope="module")
def postgres_engine():
    """A migrated PostgreSQL database (pgserver, as in test_postgres.py), where an ORM insert's rowcount is -1."""
    pgserver = pytest.importorskip("pgserver", reason="pgserver not installed (pip install -r requirements-dev.txt)")
    data = Path(tempfile.mkdtemp(prefix="mobility-pg-"))  # outside pytest's basetemp: see test_postgres.py
    server = pgserver.get_server(data, cleanup_mode="stop")
    engine = make_engine(server.get_uri().replace("postgresql://", "postgresql+psycopg://"))
    init_database(engine)
    yield engine
    engine.dispose()
    server.cleanup()
    shutil.rmtree(data, ignore_errors=True)


def test_simultaneous_failures_are_counted_exactly_on_postgresql_too(postgres_engine, users, monkeypatch):
    with Session(postgres_engine) as session, session.begin():
        session.execute(delete(LoginThrottle))
    assert _simultaneous(postgres_engine, users, 20, at=now()) == [VIEWER] * 5 + [ANY_THROTTLED] * 15
    monkeypatch.setattr(throttle, "FREE_FAILURES", 100)
    with Session(postgres_engine) as session, session.begin():
        session.execute(delete(LoginThrottle))
    assert _simultaneous(postgres_engine, users, 20, at=now()) == [VIEWER] * 20
    assert _stored(postgres_engine) == [("io.editor", STRANGER, 20)]


def test_of_twenty_simultaneous_attempts_only_the_free_ones_check_a_password(engine, users, monkeypatch):
    """Each attempt is counted before its password is checked, so the sixth of twenty at once already waits."""
    checks = []
    real_verify = auth.verify_password
    monkeypatch.setattr(auth, "verify_password", lambda *a: checks.append(1) or real_verify(*a))
    answers = _simultaneous(engine, users, 20, at=now())
    assert answers.count(VIEWER) == len(checks) == throttle.FREE_FAILURES
    assert sum(isinstance(a, auth.LoginThrottled) for a in answers) == 20 - throttle.FREE_FAILURES
    assert _stored(engine) == [("io.editor", STRANGER, throttle.FREE_FAILURES)]


def test_simultaneous_attempts_each_reading_its_own_clock_all_get_their_free_tries(engine, users, monkeypatch):
    """A thread whose clock read a moment before another's counted failure is not made to wait for it."""
    checks = []
    real_verify = auth.verify_password
    monkeypatch.setattr(auth, "verify_password", lambda *a: checks.append(1) or real_verify(*a))
    answers = _simultaneous(engine, users, 20, at=None)
    (counted,) = [failures for _, _, failures in _stored(engine)]
    assert answers.count(VIEWER) == len(checks) == counted >= throttle.FREE_FAILURES


def test_a_known_and_an_unknown_name_take_the_same_time(engine, users):
    """Both count the attempt and run one scrypt, so the answer's timing does not tell which names exist.

    Back-to-back pairs (each from its own address, so none is throttled; the order alternates) see the same load on
    the machine; the median of their ratios is near 1, where an unknown name answered without the scrypt would take
    a tenth of the time or less.
    """
    def seconds(name: str, address: str) -> float:
        started = time.perf_counter()
        auth.authenticate(engine, users, name, "wrong password", address=address)
        return time.perf_counter() - started

    ratios = []
    for n in range(15):
        if n % 2:
            unknown, known = seconds("nobody.here", f"192.0.2.{n}"), seconds("io.editor", f"192.0.2.{n}")
        else:
            known, unknown = seconds("io.editor", f"192.0.2.{n}"), seconds("nobody.here", f"192.0.2.{n}")
        ratios.append(unknown / known)
    assert 0.8 < statistics.median(ratios) < 1.25, sorted(ratios)


@pytest.mark.parametrize("name", ["x" * 65, "x" * 100_000, "io.editor\x07", "io editor"])
def test_names_no_account_can_have_are_refused_and_nothing_is_stored(engine, users, name):
    assert auth.authenticate(engine, users, name, "pw", address=STRANGER) is VIEWER
    assert _stored(engine) == []


def test_a_name_of_the_longest_allowed_length_is_counted(engine, users):
    longest = "x" * auth.USERNAME_MAX
    assert auth.authenticate(engine, users, longest, "pw", address=STRANGER) is VIEWER
    assert _stored(engine) == [(longest, STRANGER, 1)]


def test_an_account_with_a_too_long_name_is_not_created(engine, tmp_path):
    path = tmp_path / "secrets.toml"
    with pytest.raises(ValidationError, match="2–64 characters"):
        auth.save_account(engine, SYSTEM, path, "x" * 65, role="editor", password="long-enough-pw")
    assert not path.exists()


def test_a_throttled_login_says_how_long_to_wait_in_the_readers_language(app, engine, users):
    """Under AppTest Streamlit knows no client address: such logins share one bucket (address "")."""
    start = now()
    _fail_until_throttled(engine, users, "io.editor", None, at=start)
    for after in (2, 5, 10, 19):  # four more, each after its wait: the next attempt waits 16 s after the last
        throttle.claim_attempt(engine, "io.editor", None, at=start + timedelta(seconds=after))
    for lang, expected in ((None, "Vänta"), ("en", "Wait")):
        at = open_login_box(app("overview", lang=lang))
        at.sidebar.text_input[0].input("io.editor")
        at.sidebar.text_input[1].input(EDITOR_PASSWORD)
        next(b for b in at.sidebar.button if b.label in ("Logga in", "Log in")).click().run()
        message = texts(at)
        assert expected in message and " s " in message
        assert "io.editor" not in " ".join(e.value for e in at.sidebar.caption)  # not signed in


def test_an_admin_sees_who_has_to_wait_and_lets_them_try_again(app, engine, users):
    _fail_until_throttled(engine, users, "io.editor", STRANGER, at=now())
    at = app("accounts", actor=ADMIN, lang="en")
    table = at.dataframe[-1].value
    assert list(table["Username"]) == ["io.editor"] and list(table["Client address"]) == [STRANGER]
    assert list(table["Failed attempts"]) == [throttle.FREE_FAILURES] and table["Next attempt in (s)"][0] >= 0
    next(b for b in at.button if b.label == "Clear").click().run()
    assert throttle.throttled(engine) == []
    assert "No username has to wait" in texts(at)
    with Session(engine) as session:
        entry = session.execute(select(AuditEntry).where(AuditEntry.action == "clear_login_throttle")).scalar_one()
    assert entry.actor == ADMIN.name and entry.entity_key == "io.editor" and STRANGER in entry.before


def test_an_editor_neither_sees_nor_clears_the_waits(app, engine, users):
    _fail_until_throttled(engine, users, "io.editor", STRANGER, at=now())
    at = app("accounts", actor=EDITOR, lang="en")
    assert not at.dataframe and STRANGER not in texts(at)
    with pytest.raises(NotAllowed):
        throttle.clear(engine, EDITOR, "io.editor", STRANGER)
    assert len(throttle.throttled(engine)) == 1


def test_the_cli_names_its_operating_system_user_unless_an_account_proves_itself(db_url, engine, secrets_file,
                                                                                 tmp_path, monkeypatch):
    """``--actor`` with a wrong password or no account changes nothing; the right password makes it the author."""
    csv = tmp_path / "counts.csv"

    def import_as(count: int, *actor_args, password=None):
        csv.write_text(f"year,term,group,direction,programme,level,faculty,count,note\n"
                       f"2014,VT,student,out,erasmus,first,NMT,{count},\n", encoding="utf-8")
        if password is None:
            monkeypatch.delenv("MOBILITY_PASSWORD", raising=False)
        else:
            monkeypatch.setenv("MOBILITY_PASSWORD", password)
        return cli.main(["import-counts", *actor_args, "--secrets", str(secrets_file), str(csv)])

    def authors():
        with Session(engine) as session:
            return set(session.execute(select(AuditEntry.actor).where(AuditEntry.action == "import_counts")).scalars())

    assert import_as(11, "--actor", "io.admin", password="not the password") == cli.EXIT_INPUT
    assert import_as(11, "--actor", "rektor", password="anything") == cli.EXIT_INPUT
    assert authors() == set()
    assert import_as(12) == cli.EXIT_OK
    assert {a.split(":")[0] for a in authors()} == {"cli"}
    assert import_as(13, "--actor", "io.admin", password=EDITOR_PASSWORD) == cli.EXIT_OK
    assert "io.admin" in authors()
