"""Activities: the plan's rows as a table, area summaries, detail, and the status write path.

A status is a fact with the date it took effect (``StatusChange.effective_on``); the status of an activity on a day
is the latest one in force then. ``Activity.status`` keeps the latest of all, for writes' version check only.
"""

from dataclasses import dataclass
from datetime import date

import pandas as pd
from sqlalchemy import Engine, func, select, update
from sqlalchemy.orm import aliased
from sqlmodel import Session

from mobility.asof import PlanPeriod
from mobility.i18n import TIMEZONE, fmt_date, t
from mobility.models import Activity, ActivityLink, Area, Plan, StatusChange
from mobility.service import Actor, ConcurrentEditError, ValidationError, audit, now, write_transaction
from mobility.text import control_character

STATUSES = ("planned", "ongoing", "done", "delayed", "cancelled")
CLOSED = ("done", "cancelled")
INITIAL = "planned"  # the status of an activity with no recorded change yet
COMMENT_MAX = 1000
UPCOMING_MONTHS = 3


def split_goals(goals_text: str) -> list[str]:
    return [g.strip() for g in goals_text.split(",") if g.strip()]


def month_end(month: date) -> date:
    """The last day of the month that ``month`` (a first day) stands for."""
    nxt = date(month.year + month.month // 12, month.month % 12 + 1, 1)
    return date.fromordinal(nxt.toordinal() - 1)


def add_months(month: date, n: int) -> date:
    index = month.year * 12 + month.month - 1 + n
    return date(index // 12, index % 12 + 1, 1)


def assumed_end_month(start: date | None, end: date | None, start_only_months: int) -> date | None:
    """The end month used for "late", the schedule and planned burn: as written, or the plan's rule for a start only."""
    if end is not None or start is None:
        return end
    return add_months(start, start_only_months - 1)


def is_overdue(end_month: date | None, status: str, as_of: date) -> bool:
    """Its end month has passed and it is neither done nor cancelled."""
    return end_month is not None and status not in CLOSED and as_of > month_end(end_month)


def is_starting_soon(start: date | None, status: str, as_of: date, months: int = UPCOMING_MONTHS) -> bool:
    """Not closed and starting this month or in one of the next ``months`` months."""
    this_month = as_of.replace(day=1)
    return start is not None and status not in CLOSED and this_month <= start <= add_months(this_month, months)


def statuses_at(session: Session, as_of: date | None) -> dict[int, str]:
    """activity id → the status in force on ``as_of`` (the latest change effective by then); None: the latest of all.

    Activities without a change in force are left out: they are still ``INITIAL``.
    """
    latest = func.row_number().over(partition_by=StatusChange.activity_id,
                                    order_by=(StatusChange.effective_on.desc(), StatusChange.id.desc()))
    ranked = select(StatusChange.activity_id, StatusChange.status, latest.label("n"))
    if as_of is not None:
        ranked = ranked.where(StatusChange.effective_on <= as_of)
    ranked = ranked.subquery()
    return dict(session.execute(select(ranked.c.activity_id, ranked.c.status).where(ranked.c.n == 1)).all())


def active_years(start: date | None, end: date | None) -> list[int]:
    """The calendar years an activity runs in; a start-only activity counts in its start year."""
    if start is None:
        return []
    return list(range(start.year, (end or start).year + 1))


def activity_table(engine: Engine, as_of: date) -> pd.DataFrame:
    """One row per activity in plan order as it stood on ``as_of``: its status then, ``overdue`` and ``starting_soon``.

    ``end_used`` is the end month that "late" and the schedule go by: as written, or assumed by the plan's rule for
    an activity the plan gives only a start (``end_assumed``).
    """
    query = (
        select(
            Activity.id, Activity.code, Area.code.label("area"), Activity.goals_text, Activity.title_sv,
            Activity.title_en, Activity.responsible, Activity.start_text, Activity.end_text, Activity.start_month,
            Activity.end_month, Activity.resources_text, Activity.budget_sek, Activity.cofinancing_required,
            Activity.decided, Activity.version, Plan.start_only_months,
        )
        .join(Area, Area.id == Activity.area_id)
        .join(Plan, Plan.id == Activity.plan_id)
        .order_by(Activity.position)
    )
    with Session(engine) as session:
        rows = session.execute(query).mappings().all()
        status = statuses_at(session, as_of)
    df = pd.DataFrame(rows, columns=list(query.selected_columns.keys()))
    df.insert(df.columns.get_loc("version"), "status", [status.get(i, INITIAL) for i in df["id"]])
    df["end_used"] = [assumed_end_month(s, e, m) for s, e, m in
                      zip(df["start_month"], df["end_month"], df["start_only_months"], strict=True)]
    df["end_assumed"] = df["end_month"].isna() & df["end_used"].notna()
    df["overdue"] = [is_overdue(e, s, as_of) for e, s in zip(df["end_used"], df["status"], strict=True)]
    df["starting_soon"] = [is_starting_soon(b, s, as_of) for b, s in zip(df["start_month"], df["status"], strict=True)]
    df["years"] = [active_years(s, e) for s, e in zip(df["start_month"], df["end_month"], strict=True)]
    df = df.drop(columns=["id", "start_only_months"])
    df.attrs["as_of"] = as_of
    return df


def status_counts(table: pd.DataFrame) -> dict[str, int]:
    """How many activities stand in each status (in ``STATUSES`` order, zeros left out)."""
    counts = table["status"].value_counts()
    return {s: int(counts[s]) for s in STATUSES if s in counts}


@dataclass(frozen=True)
class AreaSummary:
    code: str
    name_sv: str
    name_en: str
    goal_sv: str
    goal_en: str
    activities: int
    by_status: dict[str, int]
    allocated_sek: int


def area_summaries(engine: Engine, as_of: date | None = None) -> list[AreaSummary]:
    """Per goal area: activity counts by the status in force on ``as_of`` (None: the latest) and allocated budget."""
    with Session(engine) as session:
        areas = session.execute(select(Area).order_by(Area.position)).scalars().all()
        rows = session.execute(select(Activity.id, Activity.area_id, Activity.budget_sek)).all()
        status = statuses_at(session, as_of)
    out = []
    for area in areas:
        mine = [r for r in rows if r.area_id == area.id]
        by_status = pd.Series([status.get(r.id, INITIAL) for r in mine], dtype=object).value_counts()
        out.append(AreaSummary(
            area.code, area.name_sv, area.name_en, area.goal_sv, area.goal_en,
            activities=len(mine),
            by_status={s: int(by_status[s]) for s in STATUSES if s in by_status},
            allocated_sek=sum(r.budget_sek or 0 for r in mine),
        ))
    return out


def activity_detail(engine: Engine, code: str, as_of: date | None = None) -> dict | None:
    """Everything about one activity as written, its links both ways, and its status and history (newest effective
    first) as known on ``as_of`` (None: everything)."""
    with Session(engine) as session:
        activity = session.execute(select(Activity).where(Activity.code == code)).scalar_one_or_none()
        if activity is None:
            return None
        area = session.get(Area, activity.area_id)
        other = aliased(Activity)
        links_out = session.execute(
            select(other.code).join(ActivityLink, ActivityLink.linked_id == other.id)
            .where(ActivityLink.activity_id == activity.id).order_by(other.position)
        ).scalars().all()
        links_in = session.execute(
            select(other.code).join(ActivityLink, ActivityLink.activity_id == other.id)
            .where(ActivityLink.linked_id == activity.id).order_by(other.position)
        ).scalars().all()
        query = select(StatusChange).where(StatusChange.activity_id == activity.id)
        if as_of is not None:
            query = query.where(StatusChange.effective_on <= as_of)
        history = session.execute(
            query.order_by(StatusChange.effective_on.desc(), StatusChange.id.desc())
        ).scalars().all()
        months = session.get(Plan, activity.plan_id).start_only_months
        return {
            **activity.model_dump(),
            "status": history[0].status if history else INITIAL,
            "end_used": assumed_end_month(activity.start_month, activity.end_month, months),
            "end_assumed": activity.end_month is None and activity.start_month is not None,
            "area": area.code,
            "goals": split_goals(activity.goals_text),
            "links": list(links_out),
            "linked_from": [c for c in links_in if c not in links_out],
            "history": [h.model_dump() for h in history],
        }


def check_effective_on(day: date, period: PlanPeriod, today: date, lang: str = "en") -> list[str]:
    """A fact may take effect on any day from the plan's first up to today: backdated, but never to before the plan
    began, and never in the future (the same range as the as-of date)."""
    if day > today:
        return [t("asof.err.effective_future", lang, date=fmt_date(day, lang), today=fmt_date(today, lang))]
    if day < period.first:
        return [t("asof.err.effective_before", lang, date=fmt_date(day, lang), first=fmt_date(period.first, lang))]
    return []


def set_status(*, engine: Engine, actor: Actor, code: str, status: str, comment: str, expected_version: int,
               effective_on: date | None = None, today: date | None = None, lang: str = "en") -> int:
    """Record a new status with a comment, in force from ``effective_on`` (default today; an editor may backdate it
    within the plan period, never into the future). Refused if the activity changed since the form was drawn.

    Returns the activity's new version.
    """
    from mobility.asof import plan_period

    today = today or now().astimezone(TIMEZONE).date()  # the write's own clock, as for ``changed_at``
    effective_on = effective_on or today
    comment = (comment or "").strip()
    problems = []
    if status not in STATUSES:
        problems.append(f"status: {status!r} is not one of {', '.join(STATUSES)}")
    if len(comment) > COMMENT_MAX:
        problems.append(f"comment: at most {COMMENT_MAX} characters")
    if control_character(comment):
        problems.append(f"comment: a control character ({control_character(comment)}) cannot be stored")
    if not isinstance(effective_on, date):
        problems.append(t("asof.err.effective_missing", lang))
    else:
        problems += check_effective_on(effective_on, plan_period(engine), today, lang)
    if problems:
        raise ValidationError(problems)
    with write_transaction(engine, actor) as session:
        activity = session.execute(select(Activity).where(Activity.code == code)).scalar_one_or_none()
        if activity is None:
            raise ValidationError(f"activity: {code!r} does not exist")
        if activity.version != expected_version:  # read under the write lock: no save can slip in between
            raise ConcurrentEditError(code, yours=status, now=activity.status)
        before = statuses_at(session, effective_on).get(activity.id, INITIAL)
        session.add(StatusChange(
            activity_id=activity.id, status=status, previous_status=before, comment=comment,
            changed_by=actor.name, changed_at=now(), effective_on=effective_on,
        ))
        session.flush()
        latest = statuses_at(session, None)[activity.id]  # a backdated change may not be the latest
        # Compare-and-set on the version, bumped even when the latest status stays: the history changed.
        changed = session.execute(
            update(Activity).where(Activity.id == activity.id, Activity.version == expected_version)
            .values(status=latest, version=expected_version + 1).execution_options(synchronize_session=False)
        ).rowcount
        if changed != 1:
            raise ConcurrentEditError(code, yours=status, now=activity.status)
        audit(session, actor, action="set_status", entity="activity", key=code, before={"status": before},
              after={"status": status, "effective_on": effective_on, "comment": comment})
        return expected_version + 1


def refresh_latest_status(session: Session) -> None:
    """Keep ``Activity.status`` equal to the latest change in force (after history rows were removed)."""
    latest = statuses_at(session, None)
    for activity in session.execute(select(Activity)).scalars():
        if activity.status != latest.get(activity.id, INITIAL):
            activity.status = latest.get(activity.id, INITIAL)


def activity_links(engine: Engine) -> list[list[str]]:
    """For each activity in plan order, the codes it is linked to as the plan writes it."""
    other = aliased(Activity)
    with Session(engine) as session:
        pairs = session.execute(
            select(Activity.code, other.code).join(ActivityLink, ActivityLink.activity_id == Activity.id)
            .join(other, other.id == ActivityLink.linked_id).order_by(other.position)
        ).all()
        codes = session.execute(select(Activity.code).order_by(Activity.position)).scalars().all()
    return [[b for a, b in pairs if a == code] for code in codes]


def filter_activities(
    df: pd.DataFrame, *, areas=(), responsible: str | None = None, statuses=(), year: int | None = None,
    overdue_only: bool = False,
) -> pd.DataFrame:
    """The overview table's filters; empty selections mean 'all'."""
    keep = pd.Series(True, index=df.index)
    if areas:
        keep &= df["area"].isin(areas)
    if responsible:
        keep &= df["responsible"] == responsible
    if statuses:
        keep &= df["status"].isin(statuses)
    if year:
        keep &= df["years"].map(lambda years: year in years)
    if overdue_only:
        keep &= df["overdue"]
    return df[keep]
