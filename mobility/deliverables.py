"""Deliverables: the documents the plan asks its activities to produce, whether they exist, who approved them, where.

The register's rows are plan data (``deliverables:`` in the plan file); the state, link, approval and file are
entered here. A file is kept in the database (so a backup holds it), as PDF or DOCX checked by its content.
"""

import hashlib
import io
import zipfile
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from sqlalchemy import Engine, case, func, select
from sqlmodel import Session

from mobility.i18n import fmt_date, t
from mobility.models import Deliverable, DeliverableFile
from mobility.plan import PLAN_FILES, load_plan_file
from mobility.service import SYSTEM, Actor, ConcurrentEditError, ValidationError, audit, now, write_transaction
from mobility.text import control_problems

STATES = ("not_started", "draft", "approved", "published")
APPROVED = ("approved", "published")
KINDS = ("plan", "strategy", "checklist", "manual", "questionnaire", "analysis", "web", "translation")
MAX_FILE_BYTES = 10 * 1024 * 1024
LINK_MAX = 500
NAME_MAX = 120
PDF_MIME = "application/pdf"
DOCX_MIME = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
FILE_TYPES = {".pdf": PDF_MIME, ".docx": DOCX_MIME}


# Plan data -------------------------------------------------------------------------------------------------------

def seed_deliverables(engine: Engine, paths: list[Path] | None = None) -> int:
    """Add the plan files' deliverables that are not in the register yet (by key); an edited row is left alone."""
    wanted = [d for path in (paths or PLAN_FILES) for d in load_plan_file(path).get("deliverables", [])]
    with Session(engine) as session:
        have = set(session.execute(select(Deliverable.key)).scalars())
    new = [d for d in wanted if d["key"] not in have]
    if not new:
        return 0
    with write_transaction(engine, SYSTEM) as session:
        for position, d in enumerate(wanted):
            if d["key"] in have:
                continue
            session.add(Deliverable(key=d["key"], activity_code=d["activity"], position=position, kind=d["kind"],
                                    title_sv=d["title"]["sv"], title_en=d["title"]["en"]))
        audit(session, SYSTEM, action="seed_deliverables", entity="deliverable",
              after={"keys": [d["key"] for d in new]})
    return len(new)


# Reading ---------------------------------------------------------------------------------------------------------

def register(engine: Engine, activity: str | None = None) -> list[dict]:
    """Every deliverable in plan order with its file's name and size (never its bytes)."""
    query = (
        select(Deliverable, DeliverableFile.name, DeliverableFile.size, DeliverableFile.uploaded_at,
               DeliverableFile.uploaded_by)
        .outerjoin(DeliverableFile, DeliverableFile.deliverable_id == Deliverable.id)
        .order_by(Deliverable.position, Deliverable.id)
    )
    if activity:
        query = query.where(Deliverable.activity_code == activity)
    with Session(engine) as session:
        rows = session.execute(query).all()
    return [
        {**d.model_dump(exclude={"id"}), "file_name": name, "file_size": size, "file_uploaded_at": at,
         "file_uploaded_by": by}
        for d, name, size, at, by in rows
    ]


@dataclass(frozen=True)
class ActivityDocuments:
    total: int
    approved: int  # approved or published

    def text(self, lang: str) -> str:
        """'Dokument godkänt' / '1 av 2 dokument godkända' — what the overview shows beside the status."""
        if self.approved == self.total:
            return t("deliverables.summary.all", lang, n=self.total)
        return t("deliverables.summary.some", lang, approved=self.approved, total=self.total)


def state_by_activity(engine: Engine) -> dict[str, ActivityDocuments]:
    """Per activity code: how many documents the plan asks for and how many are approved (one GROUP BY)."""
    approved = func.sum(case((Deliverable.state.in_(APPROVED), 1), else_=0))
    with Session(engine) as session:
        rows = session.execute(
            select(Deliverable.activity_code, func.count(), approved).group_by(Deliverable.activity_code)
        ).all()
    return {code: ActivityDocuments(int(total), int(n or 0)) for code, total, n in rows}


def file_content(engine: Engine, key: str) -> tuple[str, str, bytes] | None:
    """(name, MIME type, bytes) of a deliverable's file, or None."""
    with Session(engine) as session:
        row = session.execute(
            select(DeliverableFile.name, DeliverableFile.mime, DeliverableFile.content)
            .join(Deliverable, Deliverable.id == DeliverableFile.deliverable_id).where(Deliverable.key == key)
        ).first()
    return tuple(row) if row else None


def deliverables_json(engine: Engine) -> list[dict]:
    return [
        {"key": d["key"], "activity": d["activity_code"], "kind": d["kind"], "title": d["title_sv"],
         "title_en": d["title_en"], "state": d["state"], "link": d["link"] or None,
         "approved_on": d["approved_on"].isoformat() if d["approved_on"] else None,
         "approved_by": d["approved_by"] or None, "file": d["file_name"], "file_size": d["file_size"]}
        for d in register(engine)
    ]


# Writing ---------------------------------------------------------------------------------------------------------

def _load(session: Session, key: str, lang: str) -> Deliverable:
    row = session.execute(select(Deliverable).where(Deliverable.key == key)).scalar_one_or_none()
    if row is None:
        raise ValidationError(t("deliverables.err.unknown", lang, key=key))
    return row


def _clean_link(link: str | None, lang: str) -> str:
    link = (link or "").strip()
    if link and (not link.lower().startswith(("https://", "http://")) or len(link) > LINK_MAX or " " in link):
        raise ValidationError(t("deliverables.err.link", lang, limit=LINK_MAX))
    return link


def update_deliverable(*, engine: Engine, actor: Actor, key: str, state: str, link: str = "",
                       approved_on: date | None = None, approved_by: str = "", expected_version: int | None = None,
                       today: date | None = None, file: tuple[str, bytes] | None = None, lang: str = "en") -> None:
    """Set a deliverable's state, link and approval (and its file), in one transaction: all or nothing.

    Approved and published need the date and who approved it.
    """
    approved_by = (approved_by or "").strip()
    problems = []
    if file is not None:
        try:
            upload = _checked_file(*file, lang)
        except ValidationError as exc:
            problems += exc.problems
    if state not in STATES:
        problems.append(t("deliverables.err.state", lang, states=", ".join(STATES)))
    try:
        link = _clean_link(link, lang)
    except ValidationError as exc:
        problems += exc.problems
    if state in APPROVED:
        if not isinstance(approved_on, date):
            problems.append(t("deliverables.err.approved_on", lang))
        elif today and approved_on > today:
            problems.append(t("deliverables.err.future", lang, date=fmt_date(approved_on, lang)))
        if not approved_by:
            problems.append(t("deliverables.err.approved_by", lang))
    else:  # an approval belongs to an approved document only
        approved_on, approved_by = None, ""
    if len(approved_by) > NAME_MAX:
        problems.append(t("deliverables.err.name_long", lang, limit=NAME_MAX))
    problems += control_problems(lang, approved_by)
    if problems:
        raise ValidationError(problems)
    with write_transaction(engine, actor) as session:
        row = _load(session, key, lang)
        if expected_version is not None and row.version != expected_version:
            raise ConcurrentEditError(f"deliverable {key}: version {row.version}, form had {expected_version}")
        before = {"state": row.state, "link": row.link, "approved_on": row.approved_on,
                  "approved_by": row.approved_by}
        after = {"state": state, "link": link, "approved_on": approved_on, "approved_by": approved_by}
        if file is not None:
            _store_file(session, actor, row, *upload)
        if before == after:
            return
        row.state, row.link, row.approved_on, row.approved_by = state, link, approved_on, approved_by
        row.updated_by, row.updated_at = actor.name, now()
        session.add(row)
        audit(session, actor, action="update_deliverable", entity="deliverable", key=key, before=before, after=after)


def file_type(name: str, data: bytes, lang: str = "en") -> str:
    """The MIME type of an upload, read from its content; the name's extension must agree with it."""
    if not data:
        raise ValidationError(t("deliverables.err.empty", lang))
    if len(data) > MAX_FILE_BYTES:
        raise ValidationError(t("deliverables.err.too_big", lang, mb=MAX_FILE_BYTES // (1024 * 1024)))
    claimed = FILE_TYPES.get(Path(name).suffix.lower())
    if claimed is None:
        raise ValidationError(t("deliverables.err.extension", lang, name=name))
    if data.startswith(b"%PDF-"):
        actual = PDF_MIME
    elif data.startswith(b"PK\x03\x04") and _is_docx(data):
        actual = DOCX_MIME
    else:
        actual = None
    if actual != claimed:
        raise ValidationError(t("deliverables.err.content", lang, name=name))
    return actual


def _is_docx(data: bytes) -> bool:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
    except zipfile.BadZipFile:
        return False
    return {"[Content_Types].xml", "word/document.xml"} <= names


def _checked_file(name: str, data: bytes, lang: str) -> tuple[str, bytes, str]:
    name = Path(name or "").name.strip()
    mime = file_type(name, data, lang)
    if len(name) > 200:
        raise ValidationError(t("deliverables.err.name_long", lang, limit=200))
    return name, data, mime


def attach_file(*, engine: Engine, actor: Actor, key: str, name: str, data: bytes, lang: str = "en") -> None:
    """Store (or replace) a deliverable's document after checking its size and type by content."""
    upload = _checked_file(name, data, lang)
    with write_transaction(engine, actor) as session:
        _store_file(session, actor, _load(session, key, lang), *upload)


def _store_file(session: Session, actor: Actor, row: Deliverable, name: str, data: bytes, mime: str) -> None:
    digest = hashlib.sha256(data).hexdigest()
    old = session.get(DeliverableFile, row.id)
    before = {"file": old.name, "size": old.size, "sha256": old.sha256} if old else None
    if old:
        session.delete(old)
        session.flush()
    session.add(DeliverableFile(deliverable_id=row.id, name=name, mime=mime, size=len(data), sha256=digest,
                                content=data, uploaded_by=actor.name, uploaded_at=now()))
    audit(session, actor, action="attach_deliverable_file", entity="deliverable", key=row.key, before=before,
          after={"file": name, "size": len(data), "sha256": digest})

