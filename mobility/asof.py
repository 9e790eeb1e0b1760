"""The as-of date ("per datum"): the one date a view describes, and the plan period that bounds it.

Pure: no streamlit and no clock. The page shell and the CLI read ``local_today()`` once and pass it in.
"""

from dataclasses import dataclass
from datetime import date

from sqlalchemy import Engine, func, select
from sqlmodel import Session

from mobility.models import Plan


@dataclass(frozen=True)
class PlanPeriod:
    first: date  # the plan's first day
    last: date  # the plan's last day

    @classmethod
    def from_years(cls, start_year: int, end_year: int) -> "PlanPeriod":
        return cls(date(start_year, 1, 1), date(end_year, 12, 31))

    def contains(self, day: date) -> bool:
        return self.first <= day <= self.last


def plan_period(engine: Engine) -> PlanPeriod:
    """The period the plan(s) in the database cover, from the plan data (not from code)."""
    with Session(engine) as session:
        start, end = session.execute(select(func.min(Plan.start_year), func.max(Plan.end_year))).one()
    if start is None:
        raise LookupError("no plan in the database")
    return PlanPeriod.from_years(start, end)


def has_ended(period: PlanPeriod, today: date) -> bool:
    return today > period.last


def default_as_of(today: date, period: PlanPeriod) -> date:
    """Today while the plan runs (or before it starts); once it has ended, its last day: the end state."""
    return period.last if has_ended(period, today) else today


def latest_as_of(today: date, period: PlanPeriod) -> date:
    """The latest date a view may describe: today (nothing is known about the future), never before the plan."""
    return max(today, period.first)


def check_as_of(day: date, period: PlanPeriod, today: date) -> str | None:
    """None if ``day`` may be viewed, else the i18n key that says why not."""
    if day < period.first:
        return "asof.problem.before_plan"
    if day > latest_as_of(today, period):
        return "asof.problem.future"
    return None


def parse_as_of(text: str | None, period: PlanPeriod, today: date) -> tuple[date, str | None]:
    """A date from a URL or a command line → ``(date, None)``; refused → ``(the default date, problem key)``.

    A refused date is never silently replaced: the caller shows the problem beside the default view.
    """
    default = default_as_of(today, period)
    if text is None or not text.strip():
        return default, None
    try:
        day = date.fromisoformat(text.strip())
    except ValueError:
        return default, "asof.problem.malformed"
    if len(text.strip()) != 10:  # fromisoformat also takes 20170315; a link should read as a date
        return default, "asof.problem.malformed"
    problem = check_as_of(day, period, today)
    return (default, problem) if problem else (day, None)
