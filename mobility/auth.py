"""Who may write: local accounts with slow salted hashes, single sign-on e-mails mapped to roles, throttling."""

import base64
import hashlib
import hmac
import os
import re
import secrets
import tomllib
from datetime import datetime
from pathlib import Path

from sqlalchemy import Engine

from mobility import throttle
from mobility.service import VIEWER, Actor, ValidationError, audit, now, write_transaction

EDIT_ROLES = ("editor", "admin")
_SCRYPT = {"n": 2**14, "r": 8, "p": 1}
USERNAME_MAX = 64
USERNAME = re.compile(r"[a-z0-9][a-z0-9._@-]{1,63}")  # no spaces or control characters; fullmatch after the length


def hash_password(password: str) -> str:
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode(), salt=salt, dklen=32, **_SCRYPT)
    return f"scrypt${_SCRYPT['n']}${base64.b64encode(salt).decode()}${base64.b64encode(digest).decode()}"


def verify_password(password: str, stored: str) -> bool:
    try:
        scheme, n, salt, digest = stored.split("$")
        if scheme != "scrypt":
            return False
        actual = hashlib.scrypt(password.encode(), salt=base64.b64decode(salt), n=int(n), r=8, p=1, dklen=32)
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(actual, base64.b64decode(digest))


def role_for_email(email: str | None, roles: dict) -> str:
    """``[roles] admins = [...]; editors = [...]`` in secrets; everyone else signed in only reads."""
    email = (email or "").strip().lower()
    if email and email in {e.lower() for e in roles.get("admins", [])}:
        return "admin"
    if email and email in {e.lower() for e in roles.get("editors", [])}:
        return "editor"
    return "viewer"


def check_password(users: dict, username: str, password: str) -> Actor | None:
    """The account's actor if ``password`` is right and the account may edit; None otherwise."""
    name = (username or "").strip().lower()
    account = users.get(name) or {}
    if account.get("role") in EDIT_ROLES and verify_password(password or "", account.get("password_hash", "")):
        return Actor(name, account["role"])
    return None


# A hash of a password nobody knows, checked for names without an account (a constant: no first-call cost).
_DUMMY_HASH = "scrypt$16384$5Atnjc25r/uxDs1lVgN7AQ==$NsRYckfeO1svJa48cmmSNjjRvWSCNozzdTm5v7bujrU="


LoginThrottled = throttle.LoginThrottled  # what a login that has to wait raises


def _dummy_hash() -> str:
    return _DUMMY_HASH


def valid_username(username: str | None) -> str | None:
    """The name as accounts store it (trimmed, lower case), or None if no account can have it (too long, say)."""
    name = (username or "").strip().lower()
    return name if len(name) <= USERNAME_MAX and USERNAME.fullmatch(name) else None


def authenticate(engine: Engine, users: dict, username: str, password: str, *, address: str | None = None,
                 at: datetime | None = None) -> Actor:
    """The account's actor, VIEWER for a wrong name or password, or LoginThrottled if this name must wait.

    ``address`` is the client's address (``st.context.ip_address``): failures count per name and address, so a
    stranger's guesses never make the editor wait (see ``mobility.throttle``).
    """
    at = at or now()
    name = valid_username(username)
    if name is None:  # no account has such a name: the same scrypt as a wrong password, and nothing stored
        verify_password(password or "", _dummy_hash())
        return VIEWER
    throttle.claim_attempt(engine, name, address, at=at)  # raises LoginThrottled before any password is checked
    account = users.get(name)
    # An unknown name costs the same scrypt (and the same count) as a known one, so timing does not tell which exist.
    stored_hash = (account or {}).get("password_hash") or _dummy_hash()
    if verify_password(password or "", stored_hash) and account and account.get("role") in EDIT_ROLES:
        throttle.succeeded(engine, name, address)
        return Actor(name, account["role"])
    return VIEWER


# Accounts live in the secrets file ([users.NAME] role, password_hash) so that no password is in the repo.
def read_secrets(path: Path) -> dict:
    return tomllib.loads(path.read_text(encoding="utf-8")) if path.exists() else {}


def set_account(path: Path, username: str, *, role: str, password: str | None) -> None:
    name = valid_username(username)
    if name is None:
        shown = username if len(username) <= USERNAME_MAX else username[:USERNAME_MAX] + "…"
        raise ValidationError(f"username {shown!r}: 2–{USERNAME_MAX} characters a–z, 0–9, . _ @ -")
    if role not in EDIT_ROLES:
        raise ValidationError(f"role {role!r}: must be one of {', '.join(EDIT_ROLES)}")
    data = read_secrets(path)
    users = data.setdefault("users", {})
    if password is None and name not in users:
        raise ValidationError(f"{name}: a new account needs a password")
    if password is not None and len(password) < 10:
        raise ValidationError("password: at least 10 characters")
    account = users.setdefault(name, {})
    account["role"] = role
    if password is not None:
        account["password_hash"] = hash_password(password)
    _write_toml(path, data)


def remove_account(path: Path, username: str) -> None:
    data = read_secrets(path)
    if data.get("users", {}).pop(username.strip().lower(), None) is None:
        raise ValidationError(f"{username}: no such account")
    _write_toml(path, data)


def _toml_value(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, list):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    return '"' + str(value).replace("\\", "\\\\").replace('"', '\\"') + '"'


def _toml_tables(data: dict, prefix: str = "") -> list[str]:
    scalars = [f"{k} = {_toml_value(v)}" for k, v in data.items() if not isinstance(v, dict)]
    lines = ([f"[{prefix}]"] if prefix and scalars else []) + scalars
    for key, value in data.items():
        if isinstance(value, dict):
            quoted = key if re.fullmatch(r"[A-Za-z0-9_-]+", key) else f'"{key}"'
            lines += ["", *_toml_tables(value, f"{prefix}.{quoted}" if prefix else quoted)]
    return lines


def _write_toml(path: Path, data: dict) -> None:
    """Rewrite the secrets file atomically, readable by its owner only."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text("\n".join(_toml_tables(data)).strip() + "\n", encoding="utf-8")
    os.chmod(tmp, 0o600)
    os.replace(tmp, path)


def save_account(engine: Engine, actor: Actor, path: Path, username: str, *, role: str, password: str | None) -> None:
    """Admins (and the CLI) create or change an account; the audit log records the role, never the password."""
    before = read_secrets(path).get("users", {}).get(username.strip().lower())
    with write_transaction(engine, actor, role="admin") as session:
        set_account(path, username, role=role, password=password)
        audit(session, actor, action="save_account", entity="account", key=username.strip().lower(),
              before={"role": before["role"]} if before else None,
              after={"role": role, "password_changed": password is not None})


def delete_account(engine: Engine, actor: Actor, path: Path, username: str) -> None:
    with write_transaction(engine, actor, role="admin") as session:
        remove_account(path, username)
        audit(session, actor, action="delete_account", entity="account", key=username.strip().lower())
