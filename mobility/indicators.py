"""Secondary indicators: the plan's direction-only aims, counted but without a numeric target.

The plan's background says incoming students and (all) teacher mobility should rise, and goal C is about staff
mobility; only outgoing students (A) and Erasmus teachers (B) have a number to reach. These are shown "without a
target" so nobody reads a goal into them. Calendar years (VT + HT + whole-year rows), all programmes and levels.
"""

from dataclasses import dataclass
from datetime import date

from sqlalchemy import Engine, func, select
from sqlmodel import Session

from mobility.models import MobilityCount


@dataclass(frozen=True)
class Indicator:
    key: str  # i18n "indicators.<key>"
    group: str
    direction: str


INDICATORS = (
    Indicator("students_in", "student", "in"),
    Indicator("teachers_out", "teacher", "out"),
    Indicator("teachers_in", "teacher", "in"),
    Indicator("staff_out", "staff", "out"),
    Indicator("staff_in", "staff", "in"),
)


def yearly(engine: Engine, as_of: date) -> dict[str, dict[int, int]]:
    """indicator key → {year: count}, years up to ``as_of``'s with any row for that group and direction (one
    GROUP BY): a view of an earlier day does not show later years."""
    c = MobilityCount
    query = (select(c.year, c.group, c.direction, func.sum(c.count)).where(c.year <= as_of.year)
             .group_by(c.year, c.group, c.direction))
    with Session(engine) as session:
        rows = session.execute(query).all()
    sums = {(g, d, int(y)): int(n) for y, g, d, n in rows}
    return {
        i.key: {year: n for (g, d, year), n in sorted(sums.items(), key=lambda kv: kv[0][2])
                if (g, d) == (i.group, i.direction)}
        for i in INDICATORS
    }


def staff_mobility(engine: Engine, as_of: date) -> dict[int, tuple[int, int]]:
    """{year: (out, in)} for administrative staff up to ``as_of``'s year — for the C card beside the C2 visits."""
    data = yearly(engine, as_of)
    years = sorted(set(data["staff_out"]) | set(data["staff_in"]))
    return {y: (data["staff_out"].get(y, 0), data["staff_in"].get(y, 0)) for y in years}


def table(data: dict[str, dict[int, int]]) -> tuple[list[int], dict[str, list[int | None]]]:
    """Years (columns) and one row of counts per indicator (None where nothing was entered)."""
    years = sorted({y for values in data.values() for y in values})
    return years, {key: [values.get(y) for y in years] for key, values in data.items()}
