"""SQLModel tables. One comment line per family; domain issues append their own families below."""

from datetime import date, datetime

from sqlalchemy import BigInteger, LargeBinary, UniqueConstraint
from sqlalchemy.orm import declared_attr
from sqlmodel import Field, SQLModel


# The plan: one row per adopted plan file, its goal areas and its activities as written
class Plan(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(unique=True, max_length=80)
    title_sv: str
    title_en: str
    start_year: int
    end_year: int
    follow_up_rhythm: str = Field(max_length=20)
    source_file: str
    start_only_months: int = 12  # the plan file's rule: an activity given only a start is assumed to run this long


class Area(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("plan_id", "code"),)
    id: int | None = Field(default=None, primary_key=True)
    plan_id: int = Field(foreign_key="plan.id", index=True)
    code: str = Field(max_length=10)
    position: int
    name_sv: str
    name_en: str
    goal_sv: str
    goal_en: str


class Activity(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("plan_id", "code"),)
    id: int | None = Field(default=None, primary_key=True)
    plan_id: int = Field(foreign_key="plan.id", index=True)
    area_id: int = Field(foreign_key="area.id", index=True)  # the section it stands in
    code: str = Field(max_length=10)
    position: int
    goals_text: str = ""  # the MÅL column as written, e.g. "A, B"
    title_sv: str
    title_en: str
    purpose_sv: str = ""
    purpose_en: str = ""
    responsible: str = ""
    start_text: str = ""
    end_text: str = ""
    start_month: date | None = None  # first day of the parsed month
    end_month: date | None = None
    resources_text: str = ""
    budget_sek: int | None = None
    budget_formula: str | None = None
    unit_cost_sek: int | None = None
    unit_cost_text: str | None = None
    cofinancing_required: bool = False
    decided: bool = True
    status: str = Field(default="planned", max_length=20)
    version: int = Field(default=1, nullable=False)

    @declared_attr.directive
    def __mapper_args__(cls) -> dict:
        return {"version_id_col": cls.__table__.c.version}


class ActivityLink(SQLModel, table=True):
    activity_id: int = Field(foreign_key="activity.id", primary_key=True)
    linked_id: int = Field(foreign_key="activity.id", primary_key=True)


# What happened: status history, the audit log and the data version that caches key on
class StatusChange(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    activity_id: int = Field(foreign_key="activity.id", index=True)
    status: str = Field(max_length=20)
    previous_status: str | None = Field(default=None, max_length=20)
    comment: str = ""
    changed_by: str
    changed_at: datetime  # when it was entered
    effective_on: date = Field(index=True)  # the day it took effect (may be earlier than entered)
    source: str = Field(default="manual", max_length=10)  # manual or example


class AuditEntry(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(index=True)
    actor: str = Field(index=True)
    action: str = Field(max_length=60, index=True)
    entity: str = Field(max_length=60, index=True)
    entity_key: str = ""
    before: str | None = None  # JSON
    after: str | None = None  # JSON


class DataVersion(SQLModel, table=True):
    id: int = Field(default=1, primary_key=True)
    version: int = 0


# Seeds that ran once, so that example data an editor removed does not come back on the next start
class SeedMark(SQLModel, table=True):
    name: str = Field(primary_key=True, max_length=80)
    at: datetime


# Follow-up: the monthly follow-up meetings (avstämningsmöten), whose dates the "what changed since" report starts from
class Meeting(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    held_on: date = Field(unique=True)
    notes: str = ""
    chair: str = ""
    attendees: str = ""  # JSON list of names: the working group's and free ones
    recorded_by: str
    recorded_at: datetime
    source: str = Field(default="manual", max_length=10)  # manual or example


# Mobility counts: one aggregate number (never persons) per cell; empty term/level/faculty = not broken down
class MobilityCount(SQLModel, table=True):
    __table_args__ = (
        UniqueConstraint("year", "term", "group", "direction", "programme", "level", "faculty", name="uq_count_cell"),
    )
    id: int | None = Field(default=None, primary_key=True)
    year: int = Field(index=True)
    term: str = Field(default="", max_length=2)  # VT, HT or "" = the whole calendar year
    group: str = Field(max_length=20, index=True)
    direction: str = Field(max_length=3)
    programme: str = Field(max_length=30)
    level: str = Field(default="", max_length=10)
    faculty: str = Field(default="", max_length=10)
    count: int
    source: str = Field(default="form", max_length=10)
    note: str = ""
    updated_by: str = ""
    updated_at: datetime | None = None


# Checklists: templates (data files), their versions and items, and runs IO works through for a concrete case
class ChecklistTemplate(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(unique=True, max_length=80)
    area: str = Field(max_length=10)
    audience: str = Field(max_length=20)
    country_code: str | None = Field(default=None, max_length=2)
    position: int = 0
    source_file: str = ""
    version: int = Field(default=1, nullable=False)  # bumped by every edit: stale forms are refused

    @declared_attr.directive
    def __mapper_args__(cls) -> dict:
        return {"version_id_col": cls.__table__.c.version}


class ChecklistTemplateActivity(SQLModel, table=True):
    template_id: int = Field(foreign_key="checklisttemplate.id", primary_key=True)
    activity_code: str = Field(primary_key=True, max_length=10)


class ChecklistVersion(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("template_id", "number"),)
    id: int | None = Field(default=None, primary_key=True)
    template_id: int = Field(foreign_key="checklisttemplate.id", index=True)
    number: int
    status: str = Field(default="draft", max_length=20)  # draft (editable) | published (frozen)
    title_sv: str
    title_en: str
    intro_sv: str = ""
    intro_en: str = ""
    note: str = ""  # what changed, written when publishing
    created_at: datetime
    created_by: str
    published_at: datetime | None = None
    published_by: str | None = None


class ChecklistItem(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    version_id: int = Field(foreign_key="checklistversion.id", index=True)
    position: int
    phase: str | None = Field(default=None, max_length=10)  # before | during | after | None
    text_sv: str
    text_en: str
    due_days: int | None = None  # relative to a run's reference date; negative = before it


class ChecklistRun(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    template_id: int = Field(foreign_key="checklisttemplate.id", index=True)
    version_number: int
    version_status: str = Field(max_length=20)
    label: str = Field(max_length=120)
    reference_date: date
    status: str = Field(default="open", max_length=20, index=True)  # open | completed | archived
    started_at: datetime
    started_by: str
    completed_at: datetime | None = None
    completed_by: str | None = None
    archived_at: datetime | None = None
    source: str = Field(default="manual", max_length=10)  # manual or example


class ChecklistRunItem(SQLModel, table=True):
    """A copy of the version's item, so that a new version never changes a run in progress."""

    id: int | None = Field(default=None, primary_key=True)
    run_id: int = Field(foreign_key="checklistrun.id", index=True)
    position: int
    phase: str | None = Field(default=None, max_length=10)
    text_sv: str
    text_en: str
    due_date: date | None = None
    done_at: datetime | None = None
    done_by: str | None = None


# Budget: later decisions on an activity's allocation, and the append-only spending ledger (amounts in öre)
class AllocationChange(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    activity_id: int = Field(foreign_key="activity.id", index=True)
    decided_on: date
    amount_ore: int = Field(sa_type=BigInteger)  # the new allocation, replacing the plan's figure
    note: str
    entered_by: str
    entered_at: datetime


class Spend(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    activity_id: int = Field(foreign_key="activity.id", index=True)
    spent_on: date = Field(index=True)
    amount_ore: int = Field(sa_type=BigInteger)  # negative for a correction
    description: str = ""
    reference: str | None = Field(default=None, max_length=60, unique=True)  # voucher number; a re-import skips it
    source: str = Field(default="manual", max_length=20, index=True)  # manual, import or example
    entered_by: str
    entered_at: datetime


# Sessions: a login that survives a reload (signed cookie → this row); logout revokes every row of the account
class LoginSession(SQLModel, table=True):
    id: str = Field(primary_key=True, max_length=64)  # SHA-256 of the cookie's random id, never the id itself
    username: str = Field(index=True, max_length=120)
    role: str = Field(max_length=20)
    created_at: datetime
    expires_at: datetime
    revoked_at: datetime | None = None


# Record-level import: mapping profiles editors saved in the page (the shipped ones are data/profiles/*.yaml)
class ImportProfile(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(unique=True, max_length=60)
    body: str  # the profile as YAML: column names and value maps, never a person's data
    updated_by: str
    updated_at: datetime


# Deliverables: the documents the plan asks for (plan data), their state, approval and file (kept in the database)
class Deliverable(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(unique=True, max_length=80)
    activity_code: str = Field(max_length=10, index=True)
    position: int = 0
    kind: str = Field(max_length=30)
    title_sv: str
    title_en: str
    state: str = Field(default="not_started", max_length=20)  # not_started | draft | approved | published
    link: str = ""
    approved_on: date | None = None
    approved_by: str = ""
    updated_by: str = ""
    updated_at: datetime | None = None
    version: int = Field(default=1, nullable=False)

    @declared_attr.directive
    def __mapper_args__(cls) -> dict:
        return {"version_id_col": cls.__table__.c.version}


class DeliverableFile(SQLModel, table=True):
    """The uploaded document itself, apart from the register so that listing it never reads the bytes."""

    deliverable_id: int = Field(foreign_key="deliverable.id", primary_key=True)
    name: str = Field(max_length=200)
    mime: str = Field(max_length=100)
    size: int
    sha256: str = Field(max_length=64)
    content: bytes = Field(sa_type=LargeBinary)
    uploaded_by: str
    uploaded_at: datetime


# Communication log (goal E): what was told, where and to whom
class Communication(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    held_on: date = Field(index=True)
    channel: str = Field(max_length=30, index=True)
    audience: str = ""
    activity_code: str = Field(default="", max_length=10)
    note: str = ""
    link: str = ""
    entered_by: str
    entered_at: datetime


# Minuted meetings: decisions and action items of a follow-up meeting (the meeting row gains chair and attendees)
class MeetingDecision(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    meeting_id: int = Field(foreign_key="meeting.id", index=True)
    position: int
    text: str


class MeetingAction(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    meeting_id: int = Field(foreign_key="meeting.id", index=True)
    position: int
    what: str
    who: str = ""
    due_on: date | None = None
    done_on: date | None = Field(default=None, index=True)
    done_by: str = ""


# Login throttling: failed logins per (user name, client address), for growing delays (replaces LoginFailure)
class LoginThrottle(SQLModel, table=True):
    username: str = Field(primary_key=True, max_length=64)
    address: str = Field(primary_key=True, max_length=64)  # "" = an address Streamlit does not know (localhost)
    failures: int = 0
    last_failure_at: datetime = Field(index=True)
