"""Logins that survive a reload: a signed, expiring session cookie backed by a row that logout revokes.

The cookie holds ``<id>.<expires>.<signature>``: a random id, its expiry (Unix seconds) and an HMAC-SHA256 over both
with the installation's secret (``[session] secret`` in the secrets file, generated on first use). The database keeps
only a hash of the id with the account and role, so a leaked database holds no usable cookie, and "log out" ends the
session in every tab, browser and app process at their next run. Anything that does not check out — a changed
character, another installation's cookie, an expired or revoked session — is simply no login: the reader's view.
"""

import base64
import fcntl
import hashlib
import hmac
import secrets
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import Engine, select, update
from sqlmodel import Session

from mobility.auth import _write_toml, read_secrets
from mobility.models import LoginSession
from mobility.service import VIEWER, Actor

COOKIE = "mobility_session"
LIFETIME = timedelta(hours=12)  # a working day
TICKET_LIFETIME = timedelta(minutes=2)  # the page hands the cookie over within seconds of the login


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _sign(secret: str, purpose: str, payload: str) -> str:
    return _b64(hmac.new(secret.encode(), f"{purpose}:{payload}".encode(), hashlib.sha256).digest())


def _hash(session_id: str) -> str:
    return hashlib.sha256(session_id.encode()).hexdigest()


def _pack(secret: str, purpose: str, session_id: str, expires: datetime) -> str:
    payload = f"{session_id}.{int(expires.timestamp())}"
    return f"{payload}.{_sign(secret, purpose, payload)}"


def _unpack(secret: str, purpose: str, token: str | None, *, at: datetime) -> str | None:
    """The session id in a well-signed, unexpired token, else None (never an exception: tokens come from outside)."""
    try:
        session_id, expires, signature = (token or "").split(".")
        if not hmac.compare_digest(signature, _sign(secret, purpose, f"{session_id}.{expires}")):
            return None
        if int(expires) <= at.timestamp():
            return None
    except (ValueError, TypeError):
        return None
    return session_id


def secret(path: Path) -> str:
    """The installation's signing secret from the secrets file, written there on first use.

    A lock makes several app processes starting at once agree on one secret instead of overwriting each other's.
    """
    path = Path(path)
    existing = read_secrets(path).get("session", {}).get("secret")
    if existing:
        return existing
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path.with_name(f".{path.name}.lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        data = read_secrets(path)
        value = data.setdefault("session", {}).get("secret")
        if not value:
            value = data["session"]["secret"] = secrets.token_urlsafe(48)
            _write_toml(path, data)
    return value


def _now() -> datetime:
    return datetime.now(UTC)


def start(engine: Engine, key: str, actor: Actor, *, at: datetime | None = None) -> tuple[str, str]:
    """After a successful login: a new session row; returns (session id, short-lived ticket for the cookie)."""
    at = at or _now()
    session_id = secrets.token_urlsafe(32)
    expires = at + LIFETIME
    with Session(engine) as session, session.begin():
        session.add(LoginSession(id=_hash(session_id), username=actor.name, role=actor.role, created_at=at,
                                 expires_at=expires))
    return session_id, _pack(key, "ticket", session_id, at + TICKET_LIFETIME)


def cookie_for_ticket(key: str, ticket: str | None, *, at: datetime | None = None) -> tuple[str, int] | None:
    """The cookie value and its max-age for a valid ticket (used by the same-origin request that sets the cookie)."""
    at = at or _now()
    session_id = _unpack(key, "ticket", ticket, at=at)
    if session_id is None:
        return None
    expires = at + LIFETIME
    return _pack(key, "cookie", session_id, expires), int(LIFETIME.total_seconds())


def actor_for(engine: Engine, key: str, cookie: str | None, *, at: datetime | None = None) -> tuple[Actor, str | None]:
    """Who a cookie logs in, and its session id; the reader (VIEWER, None) for anything that does not check out."""
    at = at or _now()
    session_id = _unpack(key, "cookie", cookie, at=at)
    if session_id is None or not is_active(engine, session_id, at=at):
        return VIEWER, None
    with Session(engine) as session:
        row = session.get(LoginSession, _hash(session_id))
    return Actor(row.username, row.role), session_id


def is_active(engine: Engine, session_id: str, *, at: datetime | None = None) -> bool:
    at = at or _now()
    with Session(engine) as session:
        row = session.execute(
            select(LoginSession.expires_at, LoginSession.revoked_at).where(LoginSession.id == _hash(session_id))
        ).first()
    if row is None or row.revoked_at is not None:
        return False
    expires = row.expires_at if row.expires_at.tzinfo else row.expires_at.replace(tzinfo=UTC)
    return expires > at


def end_everywhere(engine: Engine, username: str, *, at: datetime | None = None) -> int:
    """"Log out": every session of this account ends, in every browser and app process. Returns how many."""
    at = at or _now()
    with Session(engine) as session, session.begin():
        result = session.execute(
            update(LoginSession)
            .where(LoginSession.username == username, LoginSession.revoked_at.is_(None))
            .values(revoked_at=at)
        )
    return result.rowcount
