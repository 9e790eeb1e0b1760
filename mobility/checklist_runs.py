"""Checklist runs: a template's items copied for one concrete case (a visit, an exchange), ticked off by IO.

A run keeps the items of the version it started from, so a later version never changes a checklist someone is
working through. Completed runs of the C2 checklist are goal C's measure of staff visits.
"""

from datetime import date, datetime, time, timedelta

import pandas as pd
from sqlalchemy import Engine, case, delete, extract, func, select
from sqlmodel import Session

from mobility.checklists import template_by_key, version_items
from mobility.i18n import TIMEZONE, t
from mobility.models import (
    ChecklistRun,
    ChecklistRunItem,
    ChecklistTemplate,
    ChecklistTemplateActivity,
    ChecklistVersion,
)
from mobility.service import Actor, ValidationError, audit, now, write_transaction

STAFF_VISIT_ACTIVITY = "C2"
LABEL_MAX = 120


def start_run(*, engine: Engine, actor: Actor, key: str, label: str, reference_date: date | None,
              lang: str = "en") -> int:
    """Start a checklist for one case from the newest published version (a draft if none is published yet).

    Items are copied with due dates computed from ``reference_date``. Returns the run's id.
    """
    problems = []
    label = (label or "").strip()
    if not label:
        problems.append(t("runs.err.no_label", lang))
    elif len(label) > LABEL_MAX:
        problems.append(t("checklists.err.too_long", lang, field=t("checklists.field.label", lang), length=len(label),
                          limit=LABEL_MAX))
    if not isinstance(reference_date, date):
        problems.append(t("runs.err.no_reference", lang))
    if problems:
        raise ValidationError(problems)
    with write_transaction(engine, actor) as session:
        template = template_by_key(session, key)
        version = session.execute(
            select(ChecklistVersion).where(ChecklistVersion.template_id == template.id)
            .order_by((ChecklistVersion.status == "published").desc(), ChecklistVersion.number.desc()).limit(1)
        ).scalar_one()
        run = ChecklistRun(template_id=template.id, version_number=version.number, version_status=version.status,
                           label=label, reference_date=reference_date, started_at=now(), started_by=actor.name)
        session.add(run)
        session.flush()
        items = version_items(session, version.id)
        session.add_all(
            ChecklistRunItem(
                run_id=run.id, position=n, phase=i["phase"], text_sv=i["text_sv"], text_en=i["text_en"],
                due_date=None if i["due_days"] is None else reference_date + timedelta(days=i["due_days"]),
            )
            for n, i in enumerate(items)
        )
        audit(session, actor, action="start_run", entity="checklist_run", key=run.id,
              after={"checklist": key, "version": version.number, "label": label, "reference_date": reference_date})
        return run.id


def _run(session: Session, run_id: int) -> ChecklistRun:
    run = session.get(ChecklistRun, run_id)
    if run is None:
        raise ValidationError(f"run: {run_id} does not exist")
    return run


def tick_item(*, engine: Engine, actor: Actor, run_id: int, item_id: int, done: bool = True) -> None:
    """Mark one item of an open run as done (who, when) or open it again."""
    with write_transaction(engine, actor) as session:
        run = _run(session, run_id)
        if run.status != "open":
            raise ValidationError(f"run: {run.label!r} is {run.status}; only open runs can be ticked")
        item = session.get(ChecklistRunItem, item_id)
        if item is None or item.run_id != run_id:
            raise ValidationError(f"item: {item_id} is not in run {run_id}")
        before = {"item": item.position + 1, "done_by": item.done_by, "done_at": item.done_at}
        item.done_at, item.done_by = (now(), actor.name) if done else (None, None)
        audit(session, actor, action="tick_item", entity="checklist_run", key=run_id, before=before,
              after={"item": item.position + 1, "done_by": item.done_by, "done_at": item.done_at})


def complete_run(*, engine: Engine, actor: Actor, run_id: int, lang: str = "en") -> None:
    """Close a run whose every item is ticked (a completed C2 run counts as a staff visit)."""
    with write_transaction(engine, actor) as session:
        run = _run(session, run_id)
        if run.status != "open":
            raise ValidationError(t("runs.err.closed", lang, label=run.label,
                                    status=t(f"runs.status.{run.status}", lang).lower()))
        still_open = session.execute(select(func.count()).where(ChecklistRunItem.run_id == run_id,
                                                                ChecklistRunItem.done_at.is_(None))).scalar_one()
        if still_open:
            raise ValidationError(t("runs.err.still_open", lang, n=still_open))
        run.status, run.completed_at, run.completed_by = "completed", now(), actor.name
        audit(session, actor, action="complete_run", entity="checklist_run", key=run_id,
              before={"status": "open"}, after={"status": "completed", "label": run.label})


def archive_run(*, engine: Engine, actor: Actor, run_id: int) -> None:
    """Put a run out of the working list; it stays readable (and, if completed, still counts)."""
    with write_transaction(engine, actor) as session:
        run = _run(session, run_id)
        if run.status == "archived":
            raise ValidationError(f"run: {run.label!r} is already archived")
        before = run.status
        run.status, run.archived_at = "archived", now()
        audit(session, actor, action="archive_run", entity="checklist_run", key=run_id,
              before={"status": before}, after={"status": "archived", "label": run.label})


def delete_run(*, engine: Engine, actor: Actor, run_id: int) -> None:
    """Remove a run and its ticks for good (e.g. started by mistake); the audit log keeps what it was."""
    with write_transaction(engine, actor) as session:
        run = _run(session, run_id)
        done = session.execute(select(func.count()).where(ChecklistRunItem.run_id == run_id,
                                                          ChecklistRunItem.done_at.is_not(None))).scalar_one()
        before = {"label": run.label, "status": run.status, "reference_date": run.reference_date,
                  "version": run.version_number, "items_done": done}
        session.execute(delete(ChecklistRunItem).where(ChecklistRunItem.run_id == run_id))
        session.delete(run)
        audit(session, actor, action="delete_run", entity="checklist_run", key=run_id, before=before)


def run_table(engine: Engine, today: date, *, include_archived: bool = False) -> pd.DataFrame:
    """One row per run with progress and overdue items, counted in SQL; open runs first, by reference date."""
    counts = (
        select(
            ChecklistRunItem.run_id,
            func.count().label("n"),
            func.count(ChecklistRunItem.done_at).label("done"),
            func.sum(case(((ChecklistRunItem.done_at.is_(None)) & (ChecklistRunItem.due_date < today), 1),
                          else_=0)).label("overdue"),
            func.min(case((ChecklistRunItem.done_at.is_(None), ChecklistRunItem.due_date))).label("next_due"),
        ).group_by(ChecklistRunItem.run_id).subquery()
    )
    query = (
        select(ChecklistRun.id, ChecklistTemplate.key, ChecklistRun.label, ChecklistRun.reference_date,
               ChecklistRun.status, ChecklistRun.version_number, ChecklistRun.version_status,
               ChecklistRun.started_by, ChecklistRun.started_at, ChecklistRun.completed_at,
               func.coalesce(counts.c.n, 0).label("items"), func.coalesce(counts.c.done, 0).label("done"),
               func.coalesce(counts.c.overdue, 0).label("overdue"), counts.c.next_due)
        .join(ChecklistTemplate, ChecklistTemplate.id == ChecklistRun.template_id)
        .outerjoin(counts, counts.c.run_id == ChecklistRun.id)
        .order_by(case((ChecklistRun.status == "open", 0), else_=1), ChecklistRun.reference_date, ChecklistRun.id)
    )
    if not include_archived:
        query = query.where(ChecklistRun.status != "archived")
    with Session(engine) as session:
        rows = session.execute(query).mappings().all()
    df = pd.DataFrame(rows, columns=list(query.selected_columns.keys()))
    df["progress"] = [d / n if n else 0.0 for d, n in zip(df["done"], df["items"], strict=True)]
    df.loc[df["status"] != "open", "overdue"] = 0  # a closed run has nothing left to be late with
    return df


def run_detail(engine: Engine, run_id: int, today: date) -> dict:
    with Session(engine) as session:
        run = _run(session, run_id)
        key = session.get(ChecklistTemplate, run.template_id).key
        items = session.execute(select(ChecklistRunItem).where(ChecklistRunItem.run_id == run_id)
                                .order_by(ChecklistRunItem.position)).scalars().all()
        out = {**run.model_dump(), "key": key, "items": [
            {**i.model_dump(), "overdue": run.status == "open" and i.done_at is None and i.due_date is not None
             and i.due_date < today}
            for i in items
        ]}
    out["done"] = sum(1 for i in out["items"] if i["done_at"])
    out["progress"] = out["done"] / len(out["items"]) if out["items"] else 0.0
    return out


def staff_visits_per_year(engine: Engine, as_of: date | None = None) -> dict[int, int]:
    """Goal C's honest measure: completed runs of a C2 checklist (partner visits by outgoing administrative
    staff) per year of the visit (the run's reference date). Archived runs that were completed still count.

    With ``as_of``, only runs completed by the end of that (local) day.
    """
    year = extract("year", ChecklistRun.reference_date)
    query = (
        select(year.label("year"), func.count(func.distinct(ChecklistRun.id)))
        .join(ChecklistTemplateActivity, ChecklistTemplateActivity.template_id == ChecklistRun.template_id)
        .where(ChecklistTemplateActivity.activity_code == STAFF_VISIT_ACTIVITY, ChecklistRun.completed_at.is_not(None))
        .group_by(year).order_by(year)
    )
    if as_of is not None:
        end_of_day = datetime.combine(as_of + timedelta(days=1), time(), TIMEZONE)
        query = query.where(ChecklistRun.completed_at < end_of_day)
    with Session(engine) as session:
        return {int(y): n for y, n in session.execute(query).all()}


