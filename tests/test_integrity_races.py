"""Two editors save the same thing at the same instant: exactly one wins, the other is told, the audit tells the truth.

Threads and separate processes, on SQLite and on PostgreSQL (pgserver), N times each.
"""

import json
import multiprocessing
import threading

import pytest

from mobility import counts, spending
from mobility.audit import audit_entries
from mobility.examples import remove_example_data
from mobility.service import SYSTEM, ConcurrentEditError
from tests import race_worker
from tests.race_worker import SAVES, TODAY, editor, seen_now
from tests.test_postgres import pg, pg_server  # noqa: F401 - fixtures

TRIALS = 8  # rounds with threads
ROUNDS = 5  # rounds between two processes


@pytest.fixture(params=["sqlite", "postgresql"])
def db(request):
    engine = request.getfixturevalue("engine" if request.param == "sqlite" else "pg")
    remove_example_data(engine=engine, actor=SYSTEM)
    return engine


AUDITED = {"grid": ("set_count", "count"), "status": ("set_status", "status"),
           "allocation": ("change_allocation", "allocated_sek")}


def assert_chain_unbroken(engine, what: str, wins: int) -> None:
    """Oldest first, every entry's "before" is the previous entry's "after": no change was lost in between."""
    action, field = AUDITED[what]
    log = audit_entries(engine, action=action).iloc[::-1]
    values = [(json.loads(b)[field] if isinstance(b, str) else None, json.loads(a)[field])
              for b, a in zip(log["before"], log["after"], strict=True)]
    assert len(values) == wins
    for (_, previous_after), (before, _) in zip(values, values[1:], strict=False):
        assert before == previous_after


def _one_round_threads(engine, what: str) -> list[str]:
    seen = seen_now(engine, what)
    barrier, outcome = threading.Barrier(2), []

    def run(n):
        barrier.wait()
        try:
            SAVES[what](engine, n, seen)
            outcome.append("won")
        except ConcurrentEditError as exc:
            assert exc.now is not None or what == "grid"  # the conflict names the value now stored
            outcome.append("told")

    threads = [threading.Thread(target=run, args=(n,)) for n in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sorted(outcome)


@pytest.mark.parametrize("what", list(SAVES))
def test_two_threads_saving_the_same_thing_at_once_exactly_one_wins(db, what):
    """N rounds of two simultaneous saves from the same form state: one saved, one told, the log chains."""
    for _ in range(TRIALS):
        assert _one_round_threads(db, what) == ["told", "won"]
    assert_chain_unbroken(db, what, TRIALS)


@pytest.mark.parametrize("what", ["grid", "status", "allocation"])
def test_two_processes_saving_the_same_thing_at_once_exactly_one_wins(db, what):
    """The same race between two app processes sharing one database, N rounds."""
    ctx = multiprocessing.get_context("spawn")
    url = db.url.render_as_string(hide_password=False)
    barrier, results = ctx.Barrier(2), ctx.Queue()
    procs = [ctx.Process(target=race_worker.run_rounds, args=(url, what, n, ROUNDS, barrier, results))
             for n in range(2)]
    for proc in procs:
        proc.start()
    outcome = [results.get(timeout=120) for _ in range(2 * ROUNDS)]
    for proc in procs:
        proc.join(60)
    assert outcome.count("won") == ROUNDS and outcome.count("told") == ROUNDS
    assert_chain_unbroken(db, what, ROUNDS)


def test_two_overlapping_count_imports_both_land_and_the_log_says_what_each_replaced(db):
    """Imports set cells without a form state: both succeed, and the second one's "before" is the first's value."""
    header = "year,term,group,direction,programme,level,faculty,count,note\n"
    files = [(header + "".join(f"{2000 + i // 3},{('VT', 'HT', '')[i % 3]},student,out,erasmus,,,{v},\n"
                       for i in range(300))).encode()
             for v in (1, 2)]
    barrier, errors = threading.Barrier(2), []

    def run(n):
        barrier.wait()
        try:
            counts.import_counts(engine=db, actor=editor(n), data=files[n], filename=f"{n}.csv")
        except Exception as exc:  # noqa: BLE001 - the test reports any failure
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(n,)) for n in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    log = audit_entries(db, entity="count", action="import_counts", limit=10_000)
    first = log.iloc[::-1].iloc[:300]
    second = log.iloc[::-1].iloc[300:]
    assert first["before"].isna().all()
    assert {json.loads(b)["count"] for b in second["before"]} == {json.loads(a)["count"] for a in first["after"]}


def test_the_same_spending_file_imported_twice_at_once_is_counted_once(db):
    """The second import finds the first one's references and skips them; nobody sees an error."""
    data = ("date,activity,amount_sek,description,reference\n"
            + "".join(f"2017-03-{1 + i % 28:02d},A1,100,Resa,R-{i}\n" for i in range(200))).encode()
    barrier, results = threading.Barrier(2), []

    def run(n):
        barrier.wait()
        results.append(spending.import_spend(engine=db, actor=editor(n), data=data, filename="l.csv", today=TODAY))

    threads = [threading.Thread(target=run, args=(n,)) for n in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted((len(r.rows), len(r.skipped)) for r in results) == [(0, 200), (200, 0)]
    assert len(audit_entries(db, entity="spend", action="import_spend", limit=1000)) == 200
