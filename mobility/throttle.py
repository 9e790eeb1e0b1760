"""Login throttling per (user name, client address): growing delays, never a hard lock.

Failures are counted per name *and* address, so a stranger guessing the editor's password from elsewhere slows down
only the stranger: the editor, logging in from their own address, is never made to wait. After ``FREE_FAILURES``
wrong passwords the next attempt must wait 1 s after the last failure, then 2 s, 4 s, … up to ``MAX_DELAY``; a right
password clears the count. An attempt that has to wait is answered with the wait and its password is not checked.

Each attempt is counted *before* its password is checked (a compare-and-set on the count, so 20 simultaneous attempts
are 20 counts, and the sixth of them already has to wait): checking first and counting after would let every
attempt that started before the first failure was stored try a password.

The count is written outside ``service.write_transaction`` on purpose: a login is anonymous (no role to check), and
bumping the data version on every guess would empty every reader's cache. Clearing a count is an admin's audited write.
"""

import math
from datetime import datetime, timedelta

from sqlalchemy import Engine, delete, select, update
from sqlmodel import Session

from mobility.models import LoginThrottle
from mobility.service import Actor, audit, dialect_insert, now, write_transaction

FREE_FAILURES = 5  # wrong passwords in a row before attempts have to wait
FIRST_DELAY = timedelta(seconds=1)
MAX_DELAY = timedelta(minutes=15)
FORGET_AFTER = timedelta(hours=24)  # a count whose last failure is older than this starts again from zero
ADDRESS_MAX = 64
# Streamlit gives no address under AppTest and for a browser on the server itself (st.context.ip_address is None):
# all such clients share this one bucket, so there a stranger's failures do slow down the editor.
UNKNOWN_ADDRESS = ""
_CLAIM_TRIES = 1000  # compare-and-set rounds; each round someone wins, so this bounds only a pathological crowd


class LoginThrottled(PermissionError):
    """Too many failed logins for this name from this address: the next attempt is allowed in ``wait_seconds``."""

    def __init__(self, wait_seconds: int):
        self.wait_seconds = wait_seconds
        super().__init__(f"too many failed logins; try again in {wait_seconds} s")


def delay(failures: int) -> timedelta:
    """How long after the last failure the next attempt must wait: 0 for the first few, then 1 s, 2 s, 4 s …"""
    if failures < FREE_FAILURES:
        return timedelta(0)
    return min(FIRST_DELAY * 2 ** min(failures - FREE_FAILURES, 30), MAX_DELAY)


def wait_seconds(failures: int, last_failure_at: datetime, at: datetime) -> int:
    """Whole seconds until the next attempt is allowed (0: allowed now)."""
    if failures < FREE_FAILURES or at - last_failure_at > FORGET_AFTER:
        return 0  # (also when a simultaneous attempt, whose clock read later, counted first)
    return max(0, math.ceil((last_failure_at + delay(failures) - at).total_seconds()))


def bucket_address(address: str | None) -> str:
    return (address or UNKNOWN_ADDRESS)[:ADDRESS_MAX]


def claim_attempt(engine: Engine, username: str, address: str | None, *, at: datetime) -> None:
    """Count one login attempt as a failure (``succeeded`` takes it back), or raise LoginThrottled if it must wait."""
    address = bucket_address(address)
    key = (LoginThrottle.username == username) & (LoginThrottle.address == address)
    for _ in range(_CLAIM_TRIES):
        with Session(engine) as session:
            row = session.execute(select(LoginThrottle.failures, LoginThrottle.last_failure_at).where(key)).first()
        if row is not None and (wait := wait_seconds(*row, at)):
            raise LoginThrottled(wait)
        with Session(engine) as session, session.begin():
            if row is None:
                statement = (dialect_insert(session)(LoginThrottle)
                             .values(username=username, address=address, failures=1, last_failure_at=at)
                             .on_conflict_do_nothing())
            else:  # compare-and-set: only if nobody counted since we read
                failures, last = row
                statement = (update(LoginThrottle)
                             .where(key, LoginThrottle.failures == failures, LoginThrottle.last_failure_at == last)
                             .values(failures=1 if at - last > FORGET_AFTER else failures + 1, last_failure_at=at))
            # RETURNING says whether this statement counted (an ORM insert's rowcount is -1 on PostgreSQL)
            if session.execute(statement.returning(LoginThrottle.failures)).first() is not None:
                return
        # someone else counted at the same instant: read again
    raise LoginThrottled(1)


def succeeded(engine: Engine, username: str, address: str | None) -> None:
    """A right password: the name starts afresh from this address."""
    with engine.begin() as connection:
        connection.execute(delete(LoginThrottle).where(LoginThrottle.username == username,
                                                       LoginThrottle.address == bucket_address(address)))


def throttled(engine: Engine, *, at: datetime | None = None) -> list[dict]:
    """Names and addresses with enough recent failures that their attempts wait, the longest wait first."""
    at = at or now()
    with Session(engine) as session:
        rows = session.execute(
            select(LoginThrottle).where(LoginThrottle.failures >= FREE_FAILURES,
                                        LoginThrottle.last_failure_at > at - FORGET_AFTER)
        ).scalars().all()
        found = [{"username": r.username, "address": r.address, "failures": r.failures,
                  "last_failure_at": r.last_failure_at, "wait_seconds": wait_seconds(r.failures, r.last_failure_at, at)}
                 for r in rows]
    return sorted(found, key=lambda r: (-r["wait_seconds"], r["username"], r["address"]))


def clear(engine: Engine, actor: Actor, username: str, address: str) -> bool:
    """An admin lets a name try again from an address at once (audited). False if there was nothing to clear."""
    with write_transaction(engine, actor, role="admin") as session:
        row = session.get(LoginThrottle, (username, address))
        if row is None:
            return False
        # Filed under the account: like every account event, only admins see it in the change log
        audit(session, actor, action="clear_login_throttle", entity="account", key=username, after=None,
              before={"username": username, "address": address, "failures": row.failures,
                      "last_failure_at": row.last_failure_at})
        session.delete(row)
    return True
