"""The saves the race tests make, importable by a spawned process without pytest, Streamlit or the fixtures."""

from datetime import date

from mobility import counts
from mobility.activities import activity_detail, set_status
from mobility.budget import allocation_history, change_allocation
from mobility.db import make_engine
from mobility.service import Actor, ConcurrentEditError

TODAY = date(2026, 11, 28)
CELL = (2016, "HT", "student", "out", "erasmus", "", "")


def editor(n: int) -> Actor:
    return Actor(f"ed{n}", "editor")


# What each editor does: the page's own call with the value the form showed ----------------------------------------
def save_grid(engine, n: int, seen) -> None:
    new = (seen or 0) + 1 + n
    counts.save_counts(engine=engine, actor=editor(n), source="form", cells=[counts.Cell(*CELL, count=new)],
                       expected={CELL: seen})


def save_status(engine, n: int, seen) -> None:
    set_status(engine=engine, actor=editor(n), code="A1", status=("ongoing", "delayed")[n % 2],
               comment=f"by ed{n}", expected_version=seen)


def save_allocation(engine, n: int, seen) -> None:
    change_allocation(engine=engine, actor=editor(n), code="B2", amount=100_000 + 1000 * n, decided_on="2017-01-10",
                      note=f"by ed{n}", expected_changes=seen, today=TODAY)


def seen_now(engine, what: str):
    if what == "grid":
        return counts.period_counts(engine, year=2016, term="HT", group="student").get(("out", "erasmus"), (None,))[0]
    if what == "status":
        return activity_detail(engine, "A1")["version"]
    return len(allocation_history(engine, code="B2")["changes"])


SAVES = {"grid": save_grid, "status": save_status, "allocation": save_allocation}


def run_rounds(url: str, what: str, n: int, rounds: int, barrier, results) -> None:
    """One app process: each round, read what the form shows (both read before either saves), then save."""
    engine = make_engine(url)
    try:
        for _ in range(rounds):
            barrier.wait()
            seen = seen_now(engine, what)
            barrier.wait()
            try:
                SAVES[what](engine, n, seen)
                results.put("won")
            except ConcurrentEditError:
                results.put("told")
    finally:
        engine.dispose()
