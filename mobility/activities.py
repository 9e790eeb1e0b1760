"""Activities: the plan's rows as a table, area summaries, detail, and the status write path."""

from dataclasses import dataclass
from datetime import date

import pandas as pd
from sqlalchemy import Engine, func, select, update
from sqlalchemy.orm import aliased
from sqlmodel import Session

from mobility.models import Activity, ActivityLink, Area, StatusChange
from mobility.plan import split_goals
from mobility.service import Actor, ConcurrentEditError, ValidationError, audit, now, write_transaction
from mobility.text import control_character

STATUSES = ("planned", "ongoing", "done", "delayed", "cancelled")
CLOSED = ("done", "cancelled")
COMMENT_MAX = 1000


def month_end(month: date) -> date:
    """The last day of the month that ``month`` (a first day) stands for."""
    nxt = date(month.year + month.month // 12, month.month % 12 + 1, 1)
    return date.fromordinal(nxt.toordinal() - 1)


def is_overdue(end_month: date | None, status: str, today: date) -> bool:
    """Its end month has passed and it is neither done nor cancelled."""
    return end_month is not None and status not in CLOSED and today > month_end(end_month)


def active_years(start: date | None, end: date | None) -> list[int]:
    """The calendar years an activity runs in; a start-only activity counts in its start year."""
    if start is None:
        return []
    return list(range(start.year, (end or start).year + 1))


def activity_table(engine: Engine, today: date) -> pd.DataFrame:
    """One row per activity in plan order, with its section's area and the derived ``overdue``."""
    query = (
        select(
            Activity.code, Area.code.label("area"), Activity.goals_text, Activity.title_sv, Activity.title_en,
            Activity.responsible, Activity.start_text, Activity.end_text, Activity.start_month, Activity.end_month,
            Activity.resources_text, Activity.budget_sek, Activity.cofinancing_required, Activity.decided,
            Activity.status, Activity.version,
        )
        .join(Area, Area.id == Activity.area_id)
        .order_by(Activity.position)
    )
    with Session(engine) as session:
        rows = session.execute(query).mappings().all()
    df = pd.DataFrame(rows, columns=list(query.selected_columns.keys()))
    df["overdue"] = [is_overdue(e, s, today) for e, s in zip(df["end_month"], df["status"], strict=True)]
    df["years"] = [active_years(s, e) for s, e in zip(df["start_month"], df["end_month"], strict=True)]
    return df


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


def area_summaries(engine: Engine) -> list[AreaSummary]:
    """Per goal area: activity counts by status and allocated budget, aggregated in SQL."""
    counts = (
        select(Activity.area_id, Activity.status, func.count().label("n"), func.sum(Activity.budget_sek).label("sek"))
        .group_by(Activity.area_id, Activity.status)
    ).subquery()
    with Session(engine) as session:
        areas = session.execute(select(Area).order_by(Area.position)).scalars().all()
        rows = session.execute(select(counts)).all()
    out = []
    for area in areas:
        mine = [r for r in rows if r.area_id == area.id]
        out.append(AreaSummary(
            area.code, area.name_sv, area.name_en, area.goal_sv, area.goal_en,
            activities=sum(r.n for r in mine),
            by_status={r.status: r.n for r in sorted(mine, key=lambda r: STATUSES.index(r.status))},
            allocated_sek=sum(r.sek or 0 for r in mine),
        ))
    return out


def activity_detail(engine: Engine, code: str) -> dict | None:
    """Everything about one activity as written, its links both ways and its status history (newest first)."""
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
        history = session.execute(
            select(StatusChange).where(StatusChange.activity_id == activity.id)
            .order_by(StatusChange.changed_at.desc(), StatusChange.id.desc())
        ).scalars().all()
        return {
            **activity.model_dump(),
            "area": area.code,
            "goals": split_goals(activity.goals_text),
            "links": list(links_out),
            "linked_from": [c for c in links_in if c not in links_out],
            "history": [h.model_dump() for h in history],
        }


def set_status(*, engine: Engine, actor: Actor, code: str, status: str, comment: str, expected_version: int) -> int:
    """Record a new status with a comment. Refused if the activity changed since the form was drawn.

    Returns the activity's new version.
    """
    comment = (comment or "").strip()
    problems = []
    if status not in STATUSES:
        problems.append(f"status: {status!r} is not one of {', '.join(STATUSES)}")
    if len(comment) > COMMENT_MAX:
        problems.append(f"comment: at most {COMMENT_MAX} characters")
    if control_character(comment):
        problems.append(f"comment: a control character ({control_character(comment)}) cannot be stored")
    if problems:
        raise ValidationError(problems)
    with write_transaction(engine, actor) as session:
        activity = session.execute(select(Activity).where(Activity.code == code)).scalar_one_or_none()
        if activity is None:
            raise ValidationError(f"activity: {code!r} does not exist")
        if activity.version != expected_version:  # read under the write lock: no save can slip in between
            raise ConcurrentEditError(code, yours=status, now=activity.status)
        before = activity.status
        # Compare-and-set on the version, also when only the comment is new (the ORM would skip an unchanged row).
        changed = session.execute(
            update(Activity).where(Activity.id == activity.id, Activity.version == expected_version)
            .values(status=status, version=expected_version + 1).execution_options(synchronize_session=False)
        ).rowcount
        if changed != 1:
            raise ConcurrentEditError(code, yours=status, now=before)
        session.add(StatusChange(
            activity_id=activity.id, status=status, previous_status=before, comment=comment,
            changed_by=actor.name, changed_at=now(),
        ))
        audit(session, actor, action="set_status", entity="activity", key=code,
              before={"status": before}, after={"status": status, "comment": comment})
        return expected_version + 1



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
