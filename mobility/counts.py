"""Mobility counts: aggregate numbers per cell, entered in a grid or imported from CSV/XLSX.

A cell is (year, term, group, direction, programme, level, faculty); an empty term is the whole calendar year and an
empty level or faculty means "not broken down". A row *sets* its cell, so saving the same figures twice changes
nothing, and every change is audited before → after.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
from sqlalchemy import Engine, delete, func, select
from sqlmodel import Session

from mobility.files import paused_gc, read_table
from mobility.i18n import t
from mobility.models import MobilityCount
from mobility.service import (
    Actor,
    ConcurrentEditError,
    ValidationError,
    audit_many,
    dialect_insert,
    now,
    write_transaction,
)
from mobility.text import control_character

TERMS = ("VT", "HT", "")
GROUPS = ("student", "teacher", "staff")
DIRECTIONS = ("in", "out")
PROGRAMMES = ("erasmus", "nordplus", "bilateral", "linnaeus_palme", "mfs", "other_exchange",
              "freemover_fee", "freemover_no_fee", "other")
EXCHANGE_PROGRAMMES = ("erasmus", "nordplus", "bilateral", "linnaeus_palme", "mfs", "other_exchange")
LEVELS = ("first", "second", "third", "")
FACULTIES = ("NMT", "HUV", "central", "")
SOURCES = ("example", "form", "import")
MAX_COUNT = 100_000
NOTE_MAX = 1000
MIN_YEAR, MAX_YEAR = 2000, 2100

KEY_COLUMNS = ("year", "term", "group", "direction", "programme", "level", "faculty")
FILE_COLUMNS = (*KEY_COLUMNS, "count", "note")
REQUIRED_COLUMNS = ("year", "term", "group", "direction", "programme", "count")
_VOCABULARIES = {"term": TERMS, "group": GROUPS, "direction": DIRECTIONS, "programme": PROGRAMMES,
                 "level": LEVELS, "faculty": FACULTIES}
_FOLDED = {column: {a.casefold(): a for a in allowed} for column, allowed in _VOCABULARIES.items()}
DATA = Path(__file__).resolve().parents[1] / "data"
EXAMPLE_FILE = DATA / "example_counts.csv"

Key = tuple[int, str, str, str, str, str, str]


@dataclass(frozen=True)
class Cell:
    """One cell's new value; ``count=None`` removes the cell."""

    year: int
    term: str
    group: str
    direction: str
    programme: str
    level: str = ""
    faculty: str = ""
    count: int | None = 0
    note: str = ""
    row: int | None = None  # the file row it came from, for messages

    @property
    def key(self) -> Key:
        return (self.year, self.term, self.group, self.direction, self.programme, self.level, self.faculty)


def cell_label(key: Key) -> str:
    """``2016 HT student out erasmus first NMT`` – how a cell is named in messages and in the audit log."""
    return " ".join(str(part) for part in key if part != "")


@dataclass
class Change:
    key: Key
    before: int | None
    after: int | None
    before_source: str | None = None


@dataclass
class CountConflict(ConcurrentEditError):
    """Someone else saved some of the same cells after the form was drawn: (key, value the form saw, value now)."""

    conflicts: list[tuple[Key, int | None, int | None]] = field(default_factory=list)

    def __post_init__(self):
        super().__init__("; ".join(f"{cell_label(k)}: {a} → {b}" for k, a, b in self.conflicts))


@dataclass(frozen=True)
class SaveSummary:
    added: int = 0
    changed: int = 0
    removed: int = 0
    unchanged: int = 0

    @property
    def written(self) -> int:
        return self.added + self.changed + self.removed


def _say(lang: str, key: str, **values) -> str:
    """Messages name the row and column in the reader's language (pages pass theirs; the CLI speaks English)."""
    return t(f"counts.err.{key}", lang, **values)


# Validation ------------------------------------------------------------------------------------------------------

def _count_value(raw, lang: str = "en") -> int:
    """A whole number 0–100 000 from a form or a file (Excel gives 12.0 for 12); ValueError names the problem."""
    if raw is None or (isinstance(raw, float) and raw != raw) or (isinstance(raw, str) and not raw.strip()):
        raise ValueError(_say(lang, "required"))
    if isinstance(raw, bool):
        raise ValueError(_say(lang, "not_whole", value=repr(raw)))
    if isinstance(raw, float):
        if not raw.is_integer():
            raise ValueError(_say(lang, "not_whole", value=f"{raw:g}"))
        value = int(raw)
    elif isinstance(raw, int):
        value = raw
    else:
        text = str(raw).strip()
        if not (text.lstrip("-").isdigit() and text.isascii()):  # 0–9 only, not Arabic-Indic or other digits
            raise ValueError(_say(lang, "not_whole", value=repr(text)))
        value = int(text)
    if not 0 <= value <= MAX_COUNT:
        raise ValueError(_say(lang, "out_of_range", value=value, max=MAX_COUNT))
    return value


def _code(column: str, raw, lang: str = "en") -> str:
    text = "" if raw is None or (isinstance(raw, float) and raw != raw) else str(raw).strip()
    found = _FOLDED[column].get(text.casefold())
    if found is None:
        shown = ", ".join(a or _say(lang, "empty") for a in _VOCABULARIES[column])
        raise ValueError(_say(lang, "not_one_of", value=repr(text), allowed=shown))
    return found


def _year(raw, lang: str = "en") -> int:
    if isinstance(raw, float) and raw.is_integer():
        raw = int(raw)
    text = "" if raw is None else str(raw).strip()
    if not (text.isdigit() and text.isascii()) or not MIN_YEAR <= int(text) <= MAX_YEAR:
        raise ValueError(_say(lang, "not_year", value=repr(text), min=MIN_YEAR, max=MAX_YEAR))
    return int(text)


def validate_records(records: Iterable[dict], *, first_row: int = 2, lang: str = "en") -> list[Cell]:
    """Rows of raw values (column → value) → cells, or ValidationError naming every bad row and column."""
    return _validate_numbered(enumerate(records, start=first_row), lang)


def _checked(column: str, raw, lang: str) -> tuple[object, str | None]:
    """One raw value of a column → (value, None) or (None, what is wrong with it)."""
    try:
        if column == "year":
            return _year(raw, lang), None
        if column == "count":
            return _count_value(raw, lang), None
        return _code(column, raw, lang), None
    except ValueError as exc:
        return None, str(exc)


def _validate_numbered(numbered: Iterable[tuple[int, dict]], lang: str) -> list[Cell]:
    """(row number, record) pairs → cells; every bad row and column named, a cell twice named with its first row.

    A file repeats the same few codes and years on every row: each distinct raw value is checked once per column.
    """
    problems, cells, seen = [], [], {}
    checked: dict[tuple, tuple[object, str | None]] = {}  # (column, type, raw) → (value, problem)
    columns = (*KEY_COLUMNS, "count")
    for n, record in numbered:
        values, bad = {}, False
        for column in columns:
            raw = record.get(column)
            key = (column, raw.__class__, raw)
            try:
                value, problem = checked[key]
            except KeyError:
                value, problem = checked[key] = _checked(column, raw, lang)
            except TypeError:  # a value that cannot be a key (not from a file): checked every time
                value, problem = _checked(column, raw, lang)
            if problem is not None:
                problems.append(_say(lang, "at", row=n, column=column, problem=problem))
                bad = True
            values[column] = value
        if bad:
            continue
        note = record.get("note")
        note = "" if note is None or note != note else str(note).strip()
        if len(note) > NOTE_MAX:
            problems.append(_say(lang, "at", row=n, column="note", problem=t("budget.err.too_long", lang, n=NOTE_MAX)))
            continue
        if code := control_character(note):
            problems.append(_say(lang, "at", row=n, column="note", problem=t("text.err.control", lang, field="note",
                                                                              code=code)))
            continue
        cell = Cell(**values, note=note, row=n)
        key = cell.key
        if key in seen:
            problems.append(_say(lang, "duplicate", row=n, cell=cell_label(key), first=seen[key]))
            continue
        seen[key] = n
        cells.append(cell)
    if problems:
        raise ValidationError(problems)
    return cells


# Reading files ---------------------------------------------------------------------------------------------------

def _check_header(header: list, lang: str) -> list[str]:
    names = [("" if h is None else str(h)).strip().lower() for h in header]
    problems = [_say(lang, "missing_column", column=c) for c in REQUIRED_COLUMNS if c not in names]
    problems += [_say(lang, "unknown_column", column=n, expected=", ".join(FILE_COLUMNS))
                 for n in names if n and n not in FILE_COLUMNS]
    duplicated = sorted({n for n in names if n and names.count(n) > 1})
    problems += [_say(lang, "twice_column", column=n) for n in duplicated]
    if problems:
        raise ValidationError(problems)
    return names


def read_counts_file(data: bytes, filename: str = "", *, lang: str = "en") -> list[Cell]:
    """A CSV or XLSX file (told apart by content) → validated cells (row numbers as the spreadsheet shows them).

    ``mobility.files`` reads it within the upload limits; ValidationError names every bad row and column.
    """
    table = read_table(data, lang=lang)
    names = _check_header(table.header, lang)
    if not table.rows:
        raise ValidationError(_say(lang, "no_rows"))
    with paused_gc():  # 50 000 rows make objects, never cycles
        numbered = [(n, dict(zip(names, values, strict=False))) for n, values in table.rows]
        return _validate_numbered(numbered, lang)  # the file's own row numbers in every message


def template_csv() -> bytes:
    """Header only, semicolon-separated with a BOM, so Swedish Excel opens it in columns."""
    return ("\ufeff" + ";".join(FILE_COLUMNS) + "\r\n").encode("utf-8")


# Reading the store -----------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Stored:
    """What a cell holds now (plain values, not ORM objects: a 50 000-cell import must stay linear)."""

    id: int
    count: int
    source: str
    note: str


def _existing(session: Session, keys: list[Key]) -> dict[Key, Stored]:
    """The stored cells among ``keys``: one query per year involved, matched in Python (linear in the cells)."""
    wanted = set(keys)
    columns = [getattr(MobilityCount, c) for c in KEY_COLUMNS]
    found = {}
    for year in sorted({k[0] for k in wanted}):
        query = select(*columns, MobilityCount.id, MobilityCount.count, MobilityCount.source, MobilityCount.note)
        for row in session.execute(query.where(MobilityCount.year == year)):
            key = tuple(row[:len(KEY_COLUMNS)])
            if key in wanted:
                found[key] = Stored(*row[len(KEY_COLUMNS):])
    return found


def period_counts(engine: Engine, *, year: int, term: str, group: str, level: str = "", faculty: str = "") -> dict:
    """The stored cells of one period and breakdown: {(direction, programme): (count, source)}."""
    query = select(MobilityCount.direction, MobilityCount.programme, MobilityCount.count, MobilityCount.source).where(
        MobilityCount.year == year, MobilityCount.term == term, MobilityCount.group == group,
        MobilityCount.level == level, MobilityCount.faculty == faculty,
    )
    with Session(engine) as session:
        return {(d, p): (c, s) for d, p, c, s in session.execute(query)}


def period_breakdowns(engine: Engine, *, year: int, term: str, group: str) -> dict[tuple[str, str], int]:
    """How many cells each (level, faculty) breakdown of one period holds, so the form can point to them."""
    query = (select(MobilityCount.level, MobilityCount.faculty, func.count())
             .where(MobilityCount.year == year, MobilityCount.term == term, MobilityCount.group == group)
             .group_by(MobilityCount.level, MobilityCount.faculty))
    with Session(engine) as session:
        return {(lvl, fac): n for lvl, fac, n in session.execute(query)}


def preview(engine: Engine, cells: list[Cell]) -> tuple[list[Change], SaveSummary]:
    """What saving ``cells`` would do: the changes before → after and a summary, without writing."""
    with Session(engine) as session:
        existing = _existing(session, [c.key for c in cells])
    return _diff(cells, existing)


def _diff(cells: list[Cell], existing: dict[Key, Stored]) -> tuple[list[Change], SaveSummary]:
    changes, added, changed, removed, unchanged = [], 0, 0, 0, 0
    for cell in cells:
        row = existing.get(cell.key)
        before = row.count if row else None
        # An example cell that IO confirms with the same figure becomes real data: that is a change too.
        if before == cell.count and (row is None or row.source != "example"):
            unchanged += 1
            continue
        if before is None and cell.count is None:
            unchanged += 1
            continue
        changes.append(Change(cell.key, before, cell.count, row.source if row else None))
        if before is None:
            added += 1
        elif cell.count is None:
            removed += 1
        else:
            changed += 1
    return changes, SaveSummary(added, changed, removed, unchanged)


def shown_values(cells: list[Cell], changes: list[Change]) -> dict[Key, int | None]:
    """What a preview told the editor each cell of a file holds now: ``expected`` for the save that follows it."""
    return {**{c.key: c.count for c in cells}, **{c.key: c.before for c in changes}}


# Writing ---------------------------------------------------------------------------------------------------------

def save_counts(
    *, engine: Engine, actor: Actor, cells: list[Cell], source: str, expected: dict[Key, int | None] | None = None,
    lang: str = "en", origin: dict | None = None,
) -> SaveSummary:
    """Set every cell in one transaction (all or nothing), auditing each change before → after.

    ``expected`` holds the values a form showed; if any stored value differs now, nothing is written and
    CountConflict lists both values. ``origin`` (e.g. an imported file's name and SHA-256) goes into every audit entry.
    """
    if source not in ("form", "import"):
        raise ValueError(f"source {source!r}: example data is seeded, not saved")
    problems = []
    for cell in cells:
        if cell.count is not None:
            try:
                _count_value(cell.count, lang)
            except ValueError as exc:
                problems.append(_say(lang, "cell", cell=cell_label(cell.key), problem=exc))
    if problems:
        raise ValidationError(problems)
    action = "import_counts" if source == "import" else "set_count"
    with write_transaction(engine, actor) as session:  # holds the write lock: the check and the write are one step
        with paused_gc():  # many objects, no cycles (never paused while waiting for the lock)
            existing = _existing(session, [c.key for c in cells])
            if expected is not None:
                conflicts = [(k, v, existing[k].count if k in existing else None) for k, v in expected.items()
                             if (existing[k].count if k in existing else None) != v]
                if conflicts:
                    raise CountConflict(conflicts=conflicts)
            changes, summary = _diff(cells, existing)
            _write_changes(session, actor, changes, {c.key: c for c in cells}, existing, source=source, action=action,
                           origin=origin)
    return summary


def _write_changes(session: Session, actor: Actor, changes: list[Change], by_key: dict[Key, Cell],
                   existing: dict[Key, Stored], *, source: str, action: str, origin: dict | None = None) -> None:
    """Bulk statements keyed on the cell: one upsert and one delete for all changes, one insert for their audit."""
    stamp = now()
    table = MobilityCount.__table__
    upserts = [
        {**dict(zip(KEY_COLUMNS, change.key, strict=True)), "count": change.after, "source": source,
         "note": by_key[change.key].note or (existing[change.key].note if change.key in existing else ""),
         "updated_by": actor.name, "updated_at": stamp}
        for change in changes if change.after is not None
    ]
    if upserts:
        insert = dialect_insert(session)(table)
        session.connection().execute(insert.on_conflict_do_update(
            index_elements=list(KEY_COLUMNS),
            set_={c: insert.excluded[c] for c in ("count", "source", "note", "updated_by", "updated_at")},
        ), upserts)
    removed = [existing[c.key].id for c in changes if c.after is None]
    for i in range(0, len(removed), 500):
        session.execute(delete(table).where(table.c.id.in_(removed[i:i + 500])))
    audit_many(session, actor, [
        {"action": action, "entity": "count", "key": cell_label(change.key),
         "before": None if change.before is None else {"count": change.before, "source": change.before_source},
         "after": None if change.after is None else {"count": change.after, "source": source, **(origin or {})}}
        for change in changes
    ], at=stamp)


def import_counts(*, engine: Engine, actor: Actor, data: bytes, filename: str, lang: str = "en") -> SaveSummary:
    """Read, validate and save a counts file: all or nothing."""
    cells = read_counts_file(data, filename, lang=lang)
    return save_counts(engine=engine, actor=actor, cells=cells, source="import", lang=lang)


def latest_year(engine: Engine) -> int | None:
    """The newest year with any count: where the entry form opens."""
    with Session(engine) as session:
        return session.execute(select(func.max(MobilityCount.year))).scalar()


def count_rows(engine: Engine) -> dict[str, int]:
    """How many cells each source holds."""
    with Session(engine) as session:
        return dict(session.execute(select(MobilityCount.source, func.count()).group_by(MobilityCount.source)).all())


def counts_frame(engine: Engine) -> pd.DataFrame:
    """Every cell (for export and tests; pages aggregate in SQL instead)."""
    columns = [*KEY_COLUMNS, "count", "source", "note"]
    with Session(engine) as session:
        rows = session.execute(select(*(getattr(MobilityCount, c) for c in columns))).all()
    return pd.DataFrame(rows, columns=columns)
