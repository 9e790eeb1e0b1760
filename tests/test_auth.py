"""Accounts, passwords, roles and throttling."""

from datetime import timedelta

import pytest

from mobility.auth import (
    LoginThrottled,
    authenticate,
    hash_password,
    read_secrets,
    role_for_email,
    save_account,
    verify_password,
)
from mobility.service import SYSTEM, VIEWER, NotAllowed, ValidationError, now
from mobility.throttle import FREE_FAILURES
from tests.conftest import EDITOR, EDITOR_PASSWORD


def test_passwords_are_stored_salted_and_verified():
    """Two hashes of one password differ; only the right password verifies."""
    first, second = hash_password("sommar-2016!"), hash_password("sommar-2016!")
    assert first != second and first.startswith("scrypt$")
    assert verify_password("sommar-2016!", first) and not verify_password("vinter-2016!", first)
    assert not verify_password("anything", "not-a-hash")


def test_the_secrets_file_holds_no_plain_password(secrets_file):
    """Only the hash is written."""
    assert EDITOR_PASSWORD not in secrets_file.read_text()
    assert read_secrets(secrets_file)["users"]["io.editor"]["role"] == "editor"


def test_login_succeeds_with_the_right_password(engine, secrets_file):
    users = read_secrets(secrets_file)["users"]
    assert authenticate(engine, users, "IO.Editor ", EDITOR_PASSWORD) == EDITOR
    assert authenticate(engine, users, "io.editor", "wrong") is VIEWER


def test_failed_logins_make_the_next_attempt_wait_not_lock(engine, secrets_file):
    """After five failures the next attempt waits a second (not fifteen minutes); then the right password works."""
    users = read_secrets(secrets_file)["users"]
    start = now()
    for n in range(FREE_FAILURES):
        authenticate(engine, users, "io.editor", "guess", at=start + timedelta(milliseconds=n))
    with pytest.raises(LoginThrottled) as refused:
        authenticate(engine, users, "io.editor", EDITOR_PASSWORD, at=start + timedelta(milliseconds=500))
    assert refused.value.wait_seconds == 1
    assert authenticate(engine, users, "io.editor", EDITOR_PASSWORD, at=start + timedelta(seconds=2)) == EDITOR


def test_single_sign_on_emails_map_to_roles():
    roles = {"admins": ["Rektor@miun.se"], "editors": ["io@miun.se"]}
    assert role_for_email("rektor@miun.se", roles) == "admin"
    assert role_for_email("io@miun.se", roles) == "editor"
    assert role_for_email("student@miun.se", roles) == "viewer"
    assert role_for_email(None, roles) == "viewer"


@pytest.mark.parametrize(
    ("name", "role", "password", "message"),
    [("x", "editor", "long-enough-pw", "username"), ("anna", "owner", "long-enough-pw", "role"),
     ("anna", "editor", "short", "password"), ("anna", "editor", None, "password")],
)
def test_bad_accounts_are_refused_and_nothing_is_written(engine, tmp_path, name, role, password, message):
    path = tmp_path / "secrets.toml"
    with pytest.raises(ValidationError, match=message):
        save_account(engine, SYSTEM, path, name, role=role, password=password)
    assert not path.exists()


def test_only_admins_manage_accounts(engine, tmp_path):
    with pytest.raises(NotAllowed):
        save_account(engine, EDITOR, tmp_path / "s.toml", "anna", role="editor", password="long-enough-pw")
