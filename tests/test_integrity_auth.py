"""Logging in: unknown names cost the same work as known ones; what a stranger types does not grow the database."""

import time

from sqlmodel import Session, select

from mobility import auth
from mobility.models import LoginFailure


def _median_ms(engine, users, name: str, runs: int = 4) -> float:  # 5 failures would throttle the name
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        auth.authenticate(engine, users, name, "wrong password")
        times.append(1000 * (time.perf_counter() - started))
    return min(times)  # the least disturbed run: other work on the machine only adds time


def test_a_known_and_an_unknown_name_take_about_as_long(engine, secrets_file):
    """Both run one scrypt; the difference is far below one scrypt's cost (which would give the name away)."""
    users = auth.read_secrets(secrets_file)["users"]
    one_scrypt = _median_ms(engine, users, "io.editor")
    unknown = _median_ms(engine, users, "nobody.here")
    assert abs(one_scrypt - unknown) < 0.5 * one_scrypt, (one_scrypt, unknown)


def test_a_100_000_character_name_is_not_stored(engine, secrets_file):
    users = auth.read_secrets(secrets_file)["users"]
    assert auth.authenticate(engine, users, "x" * 100_000, "pw") == auth.VIEWER
    with Session(engine) as session:
        assert session.execute(select(LoginFailure)).all() == []
