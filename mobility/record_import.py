"""Counts from a list of mobilities: one row per person's exchange in, aggregate numbers out.

IO's systems (the Erasmus+ Beneficiary Module, Mobility Tool+ before it, its own mobility list) export one row per
mobility. A *mapping profile* (``data/profiles/*.yaml``, or one an editor saved in the page) says which column holds
the start date, the activity type, the direction, … and how their values map to our codes. Each row is classified
into a count cell and counted; only the counts are saved, through ``counts.save_counts`` (source ``import``).

The rows themselves — names, e-mail addresses, birth dates, IDs — stay in this process's memory: the file is read
from bytes, never written to a temporary file, a log or the database, and nothing here echoes a value of a column
the profile does not map. Only values of mapped category columns (e.g. an unfamiliar activity type) appear in
messages, and only a few of them.

An import is authoritative for a *scope*: the periods (year and term) its rows fall in, times the groups, directions
and programmes the profile names (or that occur in the file). Every stored cell in that scope is set — to the file's
count, or to 0 when the file has none — and every other cell is left alone, so importing the same file twice changes
nothing. A cell an editor typed by hand (source ``form``) that the import would change needs an explicit yes.
"""

import hashlib
import os
import re
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cache
from pathlib import Path

import yaml
from sqlalchemy import Engine, select, tuple_
from sqlmodel import Session

from mobility import counts, files
from mobility.i18n import fmt_number, strings, t
from mobility.models import ImportProfile, MobilityCount
from mobility.service import Actor, ValidationError, audit, now, write_transaction

DATA = Path(__file__).resolve().parents[1] / "data"
PROFILE_DIR = DATA / "profiles"
UNIVERSITY_FILE = DATA / "university.yaml"

SAMPLE_ROWS = 5  # the preview shows this many rows' mapped codes, never their raw values
LISTED_ROWS = 8  # row numbers listed per problem before "and N more"
LISTED_VALUES = 30  # more distinct unmapped values than this and the column is surely the wrong one: echo none

FIELDS = ("start_date", "period", "group", "direction", "programme", "level", "faculty")
CATEGORY_FIELDS = ("group", "direction", "programme", "level", "faculty")
VOCABULARIES = {"group": counts.GROUPS, "direction": counts.DIRECTIONS, "programme": counts.PROGRAMMES,
                "level": counts.LEVELS, "faculty": counts.FACULTIES}
SCOPE_DIMENSIONS = ("groups", "directions", "programmes")
DATE_FORMATS = ("DD-MM-YYYY", "YYYY-MM-DD", "DD/MM/YYYY", "DD.MM.YYYY", "MM/DD/YYYY", "YYYYMMDD")
NAME_PATTERN = re.compile(r"^[a-z0-9][a-z0-9_-]{1,59}$")

Key = counts.Key
TERM_ORDER = {"VT": 0, "HT": 1, "": 2}  # chronological within a year; whole-year cells last
SYNONYMS = {"direction": {"ut": "out"}}  # common short forms beyond our codes and labels


def _say(lang: str, key: str, **values) -> str:
    return t(f"recimport.err.{key}", lang, **values)


def _norm(value) -> str:
    """How values and column names are compared: trimmed, case-folded, inner whitespace collapsed."""
    return " ".join(str(value).split()).casefold()


# Profiles ------------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Profile:
    """Which columns mean what, and how their values map to our codes (see data/profiles/README in the README)."""

    name: str
    title: dict
    fields: dict  # field → spec: {"value": code} | {"columns": [...], "values": {...}, "empty": code, "optional": bool}
    scope: dict  # groups/directions/programmes → list of codes or "from_file"
    saved: bool = False  # True for profiles editors saved in the database

    def label(self, lang: str) -> str:
        return self.title.get(lang) or self.title.get("sv") or self.name

    def as_yaml(self) -> str:
        body = {"name": self.name, "title": self.title, "fields": self.fields, "scope": self.scope}
        return yaml.safe_dump(body, allow_unicode=True, sort_keys=False)


def parse_profile(raw: dict, *, saved: bool = False, lang: str = "en") -> Profile:
    """A profile from its YAML form, checked: known fields, valid target codes, a date or a period source."""
    problems = []
    if not isinstance(raw, dict):
        raise ValidationError(_say(lang, "profile_shape"))
    name = str(raw.get("name", "")).strip()
    if not NAME_PATTERN.match(name):
        problems.append(_say(lang, "profile_name", name=name))
    title = raw.get("title") or {"sv": name, "en": name}
    if isinstance(title, str):
        title = {"sv": title, "en": title}
    fields = raw.get("fields") or {}
    for f, spec in fields.items():
        if f not in FIELDS or not isinstance(spec, dict):
            problems.append(_say(lang, "profile_field", field=f))
            continue
        if f in CATEGORY_FIELDS:
            vocab = VOCABULARIES[f]
            targets = [spec["value"]] if "value" in spec else list((spec.get("values") or {}).values())
            if "empty" in spec:
                targets.append(spec["empty"])
            problems += [_say(lang, "profile_code", field=f, code=c, allowed=", ".join(v or "''" for v in vocab))
                         for c in targets if c not in vocab]
        if "value" not in spec and not spec.get("columns") and not spec.get("rule"):
            problems.append(_say(lang, "profile_columns", field=f))
        if f == "start_date" and spec.get("format", "DD-MM-YYYY") not in DATE_FORMATS:
            problems.append(_say(lang, "profile_format", format=spec.get("format"), allowed=", ".join(DATE_FORMATS)))
    if ("start_date" in fields) == ("period" in fields):
        problems.append(_say(lang, "profile_when"))
    problems += [_say(lang, "profile_missing", field=f) for f in ("group", "direction", "programme")
                 if f not in fields]
    scope = {d: (raw.get("scope") or {}).get(d, "from_file") for d in SCOPE_DIMENSIONS}
    for dim, vocab in zip(SCOPE_DIMENSIONS, (counts.GROUPS, counts.DIRECTIONS, counts.PROGRAMMES), strict=True):
        value = scope[dim]
        if value != "from_file" and (not isinstance(value, list) or any(v not in vocab for v in value)):
            problems.append(_say(lang, "profile_scope", dimension=dim, allowed=", ".join(vocab)))
    if problems:
        raise ValidationError(problems)
    for spec in fields.values():
        if isinstance(spec.get("columns"), str):
            spec["columns"] = [spec["columns"]]
    return Profile(name=name, title=dict(title), fields=fields, scope=scope, saved=saved)


@cache
def shipped_profiles() -> dict[str, Profile]:
    """The profiles in data/profiles/*.yaml (read once per process)."""
    found = {}
    for path in sorted(PROFILE_DIR.glob("*.yaml")):
        profile = parse_profile(yaml.safe_load(path.read_text(encoding="utf-8")))
        found[profile.name] = profile
    return found


def saved_profiles(engine: Engine) -> dict[str, Profile]:
    with Session(engine) as session:
        rows = session.execute(select(ImportProfile.name, ImportProfile.body).order_by(ImportProfile.name)).all()
    return {name: parse_profile(yaml.safe_load(body), saved=True) for name, body in rows}


def all_profiles(engine: Engine | None = None) -> dict[str, Profile]:
    """Shipped profiles first, then the saved ones."""
    return {**shipped_profiles(), **(saved_profiles(engine) if engine is not None else {})}


def get_profile(name: str, engine: Engine | None = None, *, lang: str = "en") -> Profile:
    profiles = all_profiles(engine)
    if name not in profiles:
        raise ValidationError(_say(lang, "no_profile", name=name, known=", ".join(profiles)))
    return profiles[name]


def save_profile(*, engine: Engine, actor: Actor, profile: Profile, lang: str = "en") -> Profile:
    """Store an editor's mapping under its name (a new one, or a new version of a saved one); audited."""
    checked = parse_profile(yaml.safe_load(profile.as_yaml()), saved=True, lang=lang)
    if checked.name in shipped_profiles():
        raise ValidationError(_say(lang, "profile_shipped", name=checked.name))
    body = checked.as_yaml()
    with write_transaction(engine, actor) as session:
        row = session.execute(select(ImportProfile).where(ImportProfile.name == checked.name)).scalar_one_or_none()
        before = None if row is None else yaml.safe_load(row.body)
        if row is None:
            session.add(ImportProfile(name=checked.name, body=body, updated_by=actor.name, updated_at=now()))
        else:
            row.body, row.updated_by, row.updated_at = body, actor.name, now()
        audit(session, actor, action="save_import_profile", entity="import_profile", key=checked.name,
              before=before, after=yaml.safe_load(body))
    return checked


def home_codes() -> frozenset[str]:
    """Our university's Erasmus code, OID and PIC (data/university.yaml, overridable by environment variables)."""
    settings = yaml.safe_load(UNIVERSITY_FILE.read_text(encoding="utf-8")) if UNIVERSITY_FILE.exists() else {}
    values = [os.environ.get("MOBILITY_ERASMUS_CODE", settings.get("erasmus_code", "")),
              os.environ.get("MOBILITY_OID", settings.get("oid", "")),
              os.environ.get("MOBILITY_PIC", settings.get("pic", ""))]
    return frozenset(_code_key(v) for v in values if v and str(v).strip())


def _code_key(value) -> str:
    """Organisation codes compare without spaces: ``S SUNDSVA02`` = ``S  SUNDSVA02`` = ``s sundsva02``."""
    return "".join(str(value).split()).casefold()


# Reading the file (bytes in memory only) ------------------------------------------------------------------------

@dataclass
class Table:
    header: list[str]
    rows: list[tuple]  # raw values; lives only as long as this object
    first_row: int = 2  # the spreadsheet's number of rows[0]

    def column_index(self) -> dict[str, int]:
        index = {}
        for i, name in enumerate(self.header):
            index.setdefault(_norm(name), i)
        return index


def file_digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def read_table(data: bytes, filename: str, *, lang: str = "en") -> Table:
    """A CSV (UTF-8, ``,`` ``;`` or tab) or XLSX file → header and rows, read from memory; ValidationError if not.

    ``mobility.files`` reads it within the limits for a mobility system's export (``files.RECORD_LIMITS``): the
    same streaming, strict reader as every other import, so a hostile file is refused as fast.
    """
    limits = files.RECORD_LIMITS
    suffix = Path(filename).suffix.lower()
    if suffix not in (".csv", ".txt", ".xlsx"):
        raise ValidationError(_say(lang, "file_type", file=filename))
    if len(data) > limits.file_bytes:
        raise ValidationError(_say(lang, "too_big", file=filename, size=fmt_number(len(data) / 2**20, lang),
                                   max=fmt_number(limits.file_bytes / 2**20, lang)))
    if not data.strip():
        raise ValidationError(_say(lang, "empty_file"))
    workbook = data[:4] == b"PK\x03\x04"  # the type is the content's, the name only has to be a table's
    if suffix == ".xlsx" and not workbook:
        raise ValidationError(_say(lang, "not_excel", error="BadZipFile"))
    if not workbook:
        try:
            data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:  # our own message says how to save the file as UTF-8
            raise ValidationError(_say(lang, "not_utf8", row=data.count(b"\n", 0, exc.start) + 1)) from None
    read = files.read_table(data, lang=lang, limits=limits)
    if not any(read.labels):
        raise ValidationError(_say(lang, "empty_file"))
    if not read.rows:
        raise ValidationError(_say(lang, "no_rows"))
    # Rows by their place in the sheet (blank ones empty), so that a row's number is first_row + its index.
    first_row = read.header_row + 1
    rows: list[tuple] = []
    with files.paused_gc():
        for number, values in read.rows:
            if number - first_row > len(rows):
                rows.extend([()] * (number - first_row - len(rows)))
            rows.append(tuple(values))
    return Table(read.labels, rows, first_row)


# Classifying rows ------------------------------------------------------------------------------------------------

@dataclass
class Unmapped:
    """Values of one mapped column that the profile does not know, with the rows they stand in."""

    field: str
    column: str
    rows: dict[str, list[int]] = field(default_factory=dict)  # value → row numbers

    @property
    def too_many(self) -> bool:
        """Many values, or nearly one per row: a category column has few; names, e-mails and IDs have many."""
        distinct, rows = len(self.rows), sum(len(r) for r in self.rows.values())
        return distinct > LISTED_VALUES or (distinct >= 5 and 2 * distinct > rows)


@dataclass
class Classified:
    cells: Counter  # Key → count
    rows: int
    periods: set[tuple[int, str]]
    samples: list[tuple[int, Key]]
    term_rule: str  # "dates": January–June → VT, July–December → HT; "file": the file's own term column
    columns: dict[str, str]  # field → the file's column it was read from
    problems: list[str] = field(default_factory=list)
    unmapped: list[Unmapped] = field(default_factory=list)


def _value_lookup(field_name: str, spec: dict) -> dict[str, str]:
    """Normalised value → code: the profile's map, plus our own codes and their Swedish and English labels."""
    lookup = {}
    for code in VOCABULARIES[field_name]:
        if code:
            lookup[_norm(code)] = code
            for text in strings().get(f"counts.{field_name}.{code}", {}).values():
                lookup.setdefault(_norm(text), code)
    lookup.update(SYNONYMS.get(field_name, {}))
    for raw, code in (spec.get("values") or {}).items():
        lookup[_norm(raw)] = code
    return lookup


def _leading_code(text: str) -> str:
    """``ISCED-7 - Second cycle …`` → ``isced-7``: exports often put a code before a label."""
    head = text.split(" - ", 1)[0]
    return head if head != text else ""


def _date_parser(fmt: str) -> Callable:
    pattern = re.escape(fmt).replace("DD", r"(?P<d>\d{1,2})").replace("MM", r"(?P<m>\d{1,2})")
    pattern = pattern.replace("YYYY", r"(?P<y>\d{4})")
    if fmt == "YYYYMMDD":
        pattern = r"(?P<y>\d{4})(?P<m>\d{2})(?P<d>\d{2})"
    regex = re.compile(rf"^\s*{pattern}(?:[ T]\d{{1,2}}:\d{{2}}(?::\d{{2}}(?:\.\d+)?)?)?\s*$")

    def parse(raw) -> date | None:
        if isinstance(raw, datetime):
            return raw.date()
        if isinstance(raw, date):
            return raw
        match = regex.match(str(raw))
        if not match:
            return None
        try:
            return date(int(match["y"]), int(match["m"]), int(match["d"]))
        except ValueError:
            return None

    return parse


PERIOD = re.compile(r"^\s*(VT|HT|V|H|VÅR|HÖST|SPRING|AUTUMN|FALL)\s*[-_ ]?\s*(\d{2}|\d{4})\s*$", re.IGNORECASE)
_PERIOD_TERMS = {"vt": "VT", "v": "VT", "vår": "VT", "spring": "VT", "ht": "HT", "h": "HT", "höst": "HT",
                 "autumn": "HT", "fall": "HT"}


def term_of(day: date) -> tuple[int, str]:
    """January–June → VT, July–December → HT of the start year."""
    return day.year, "VT" if day.month <= 6 else "HT"


def parse_period(raw) -> tuple[int, str] | None:
    """``HT2016``, ``vt-17``, ``VT 2017``, ``Autumn 2016`` → (year, term)."""
    match = PERIOD.match("" if raw is None else str(raw))
    if not match:
        return None
    year = int(match[2]) + (2000 if len(match[2]) == 2 else 0)
    return year, _PERIOD_TERMS[match[1].casefold()]


def missing_columns(table: Table, profile: Profile) -> dict[str, list[str]]:
    """Fields whose column the file lacks: field → the names the profile looks for."""
    index = table.column_index()
    return {f: spec["columns"] for f, spec in profile.fields.items()
            if spec.get("columns") and not spec.get("optional") and not any(_norm(c) in index for c in spec["columns"])}


def missing_messages(missing: dict[str, list[str]], lang: str = "en") -> list[str]:
    return [_say(lang, "missing_column", field=t(f"recimport.field.{f}", lang), columns=" / ".join(columns))
            for f, columns in missing.items()]


def classify(table: Table, profile: Profile, *, lang: str = "en", home: frozenset[str] | None = None) -> Classified:
    """Every row → its cell, counted. Problems name the row and the column; raw values of personal columns never
    appear (only values of mapped category columns, and only a few)."""
    index = table.column_index()
    problems: list[str] = []
    columns: dict[str, str] = {}
    readers: dict[str, tuple] = {}  # field → (kind, column positions, spec)
    for f, spec in profile.fields.items():
        if "value" in spec:
            readers[f] = ("fixed", (), spec)
            continue
        present = [index[_norm(c)] for c in spec["columns"] if _norm(c) in index]
        if not present:
            if spec.get("optional"):
                readers[f] = ("fixed", (), {"value": spec.get("empty", "")})
                continue
            problems += missing_messages({f: spec["columns"]}, lang)
            continue
        columns[f] = table.header[present[0]]
        readers[f] = ("rule" if spec.get("rule") else "column", present if spec.get("rule") else present[:1], spec)
    if problems:
        return Classified(Counter(), len(table.rows), set(), [], "", columns, problems)
    for f in ("level", "faculty"):  # not broken down unless the profile says where to read it
        readers.setdefault(f, ("fixed", (), {"value": ""}))

    home = home_codes() if home is None else home
    when_field = "start_date" if "start_date" in readers else "period"
    parse_date = _date_parser(profile.fields.get("start_date", {}).get("format", "DD-MM-YYYY"))
    lookups = {f: _value_lookup(f, spec) for f, (kind, _, spec) in readers.items() if kind == "column"
               and f in CATEGORY_FIELDS}
    memo: dict[str, dict] = defaultdict(dict)
    unmapped: dict[str, Unmapped] = {}
    bad: dict[tuple[str, str], list[int]] = defaultdict(list)  # (problem key, column) → rows
    cells: Counter = Counter()
    periods: set[tuple[int, str]] = set()
    samples: list[tuple[int, Key]] = []
    hint_row_skipped, filled = False, 0

    def category(f: str, raw, row_no: int) -> str | None:
        kind, positions, spec = readers[f]
        if kind == "fixed":
            return spec["value"]
        if kind == "rule":  # direction from the sending organisation: ours → out, anyone else's → in
            codes = [_code_key(raw[p]) for p in positions if raw[p] is not None and str(raw[p]).strip()]
            if not codes:
                bad[("empty_value", columns[f])].append(row_no)
                return None
            return "out" if any(c in home for c in codes) else "in"
        value = raw[positions[0]]
        text = "" if value is None else str(value)
        known = memo[f].get(text)
        if known is not None:
            return known
        norm = _norm(text)
        if not norm:
            if "empty" in spec:
                memo[f][text] = spec["empty"]
                return spec["empty"]
            bad[("empty_value", columns[f])].append(row_no)
            return None
        code = lookups[f].get(norm)
        if code is None:
            code = lookups[f].get(_leading_code(norm))
        if code is None:
            entry = unmapped.setdefault(f, Unmapped(f, columns[f]))
            entry.rows.setdefault(" ".join(text.split()), []).append(row_no)
            return None
        memo[f][text] = code
        return code

    date_pos = readers[when_field][1][0] if readers[when_field][0] == "column" else None
    for offset, raw in enumerate(table.rows):
        row_no = table.first_row + offset
        if len(raw) < len(table.header):
            raw = tuple(raw) + (None,) * (len(table.header) - len(raw))
        if not any(v is not None and str(v).strip() for v in raw):
            continue
        filled += 1
        when_raw = raw[date_pos]
        if offset == 0 and isinstance(when_raw, str) and "YYYY" in when_raw.upper():
            hint_row_skipped = True  # Mobility Tool+ templates: row 2 says which fields are mandatory, and formats
            continue
        if when_field == "start_date":
            day = None if when_raw is None or str(when_raw).strip() == "" else parse_date(when_raw)
            if day is None:
                bad[("no_date" if when_raw is None or str(when_raw).strip() == "" else "bad_date",
                     columns[when_field])].append(row_no)
                period = None
            else:
                period = term_of(day)
        else:
            period = parse_period(when_raw)
            if period is None:
                bad[("bad_period", columns[when_field])].append(row_no)
        if period is not None and not counts.MIN_YEAR <= period[0] <= counts.MAX_YEAR:
            bad[("bad_year", columns[when_field])].append(row_no)
            period = None
        codes = [category(f, raw, row_no) for f in CATEGORY_FIELDS]
        if period is None or any(c is None for c in codes):
            continue
        key = (period[0], period[1], *codes)
        cells[key] += 1
        periods.add(period)
        if len(samples) < SAMPLE_ROWS:
            samples.append((row_no, key))

    fmt = profile.fields.get("start_date", {}).get("format", "DD-MM-YYYY")
    for (kind, column), rows in sorted(bad.items(), key=lambda item: item[1][0]):
        problems.append(_say(lang, kind, rows=_rows_text(rows, lang), column=column, format=fmt, n=len(rows),
                             min=counts.MIN_YEAR, max=counts.MAX_YEAR))
    for entry in unmapped.values():
        problems.append(unmapped_message(entry, lang))
    n_rows = filled - hint_row_skipped
    if not problems and not cells:
        problems.append(_say(lang, "no_rows"))
    return Classified(cells, n_rows, periods, samples, "file" if when_field == "period" else "dates", columns,
                      problems, list(unmapped.values()))


def _rows_text(rows: list[int], lang: str) -> str:
    shown = ", ".join(str(r) for r in rows[:LISTED_ROWS])
    more = len(rows) - LISTED_ROWS
    return shown + (t("recimport.more", lang, n=more) if more > 0 else "")


def unmapped_message(entry: Unmapped, lang: str = "en") -> str:
    allowed = ", ".join(c for c in VOCABULARIES[entry.field] if c)
    if entry.too_many:
        n_rows = sum(len(r) for r in entry.rows.values())
        return _say(lang, "wrong_column", column=entry.column, n=len(entry.rows), rows=n_rows,
                    field=t(f"recimport.field.{entry.field}", lang))
    return "; ".join(_say(lang, "unmapped", column=entry.column, value=value, rows=_rows_text(rows, lang),
                          allowed=allowed) for value, rows in entry.rows.items())


# Scope, preview and saving ----------------------------------------------------------------------------------------

@dataclass
class ImportPlan:
    """What an import would do: every cell it sets (before → after), and what needs a yes first."""

    filename: str
    sha256: str
    profile: str
    rows: int
    term_rule: str
    periods: list[tuple[int, str]]
    scope: dict[str, list[str]]
    cells: list[counts.Cell]
    changes: list[counts.Change]
    summary: counts.SaveSummary
    samples: list[tuple[int, Key]]
    expected: dict[Key, int | None]
    columns: dict[str, str]

    @property
    def hand_typed(self) -> list[counts.Change]:
        """Cells an editor typed in the form that this import would overwrite."""
        return [c for c in self.changes if c.before_source == "form"]

    @property
    def years(self) -> list[int]:
        return sorted({y for y, _ in self.periods})


class NeedsConfirmation(ValidationError):
    """The import would change hand-typed cells and nobody said yes."""


def _scope_values(classified: Classified) -> dict[str, set[str]]:
    seen = {"groups": set(), "directions": set(), "programmes": set()}
    for _, _, group, direction, programme, _, _ in classified.cells:
        seen["groups"].add(group)
        seen["directions"].add(direction)
        seen["programmes"].add(programme)
    return seen


def _stored_in_scope(engine: Engine, periods: set[tuple[int, str]], scope: dict[str, list[str]]):
    """Stored cells of the scope: the file's periods plus the whole-year cells of its years (they would double)."""
    c = MobilityCount
    wanted = sorted(periods | {(y, "") for y, _ in periods})
    query = select(c.year, c.term, c.group, c.direction, c.programme, c.level, c.faculty, c.count, c.source).where(
        tuple_(c.year, c.term).in_(wanted), c.group.in_(scope["groups"]), c.direction.in_(scope["directions"]),
        c.programme.in_(scope["programmes"]))
    with Session(engine) as session:
        return {tuple(r[:7]): (r[7], r[8]) for r in session.execute(query)}


def plan_import(engine: Engine, data: bytes, filename: str, profile: Profile, *, lang: str = "en",
                home: frozenset[str] | None = None) -> ImportPlan:
    """Read, classify and compare with the store; ValidationError names every row and column that stops it."""
    table = read_table(data, filename, lang=lang)
    classified = classify(table, profile, lang=lang, home=home)
    del table  # the rows are not needed past this point
    if classified.problems:
        raise ValidationError(classified.problems)
    return plan_classified(engine, classified, profile, filename=filename, sha256=file_digest(data), lang=lang)


def plan_classified(engine: Engine, classified: Classified, profile: Profile, *, filename: str, sha256: str,
          lang: str) -> ImportPlan:
    seen = _scope_values(classified)
    scope = {d: sorted(seen[d]) if profile.scope[d] == "from_file" else list(profile.scope[d])
             for d in SCOPE_DIMENSIONS}
    outside = [(key, n) for key, n in classified.cells.items()
               if key[2] not in scope["groups"] or key[3] not in scope["directions"]
               or key[4] not in scope["programmes"]]
    if outside:
        raise ValidationError([_say(lang, "outside_scope", cell=counts.cell_label(k), n=n, profile=profile.name)
                               for k, n in outside])
    stored = _stored_in_scope(engine, classified.periods, scope)
    cells = [counts.Cell(*key, count=n) for key, n in classified.cells.items()]
    cells += [counts.Cell(*key, count=0) for key in stored if key not in classified.cells]
    cells.sort(key=lambda c: (c.year, TERM_ORDER[c.term], *c.key[2:]))
    changes, summary = [], [0, 0, 0, 0]
    for cell in cells:
        before, source = stored.get(cell.key, (None, None))
        if before == cell.count and source not in ("example", None):
            summary[3] += 1
            continue
        if before is None and cell.count == 0:  # a zero nobody stored is not worth a row
            summary[3] += 1
            continue
        changes.append(counts.Change(cell.key, before, cell.count, source))
        summary[0 if before is None else 1] += 1
    changed_keys = {c.key for c in changes}
    return ImportPlan(
        filename=filename, sha256=sha256, profile=profile.name, rows=classified.rows, term_rule=classified.term_rule,
        periods=sorted(classified.periods, key=lambda p: (p[0], TERM_ORDER[p[1]])), scope=scope,
        cells=[c for c in cells if c.key in changed_keys],
        changes=changes, summary=counts.SaveSummary(added=summary[0], changed=summary[1], unchanged=summary[3]),
        samples=classified.samples, expected={k: stored.get(k, (None, None))[0] for k in changed_keys},
        columns=classified.columns,
    )


def save_import(*, engine: Engine, actor: Actor, plan: ImportPlan, confirm_hand_typed: bool = False,
                lang: str = "en") -> counts.SaveSummary:
    """Set the plan's cells (all or nothing). Refused if hand-typed cells would change without a yes, or if anyone
    changed one of the cells since the preview (``counts.CountConflict``)."""
    if plan.hand_typed and not confirm_hand_typed:
        raise NeedsConfirmation([_say(lang, "hand_typed", n=len(plan.hand_typed))]
                                + [f"{counts.cell_label(c.key)}: {c.before} → {c.after}" for c in plan.hand_typed])
    if not plan.cells:
        return counts.SaveSummary(unchanged=plan.summary.unchanged)
    return counts.save_counts(engine=engine, actor=actor, cells=plan.cells, source="import", expected=plan.expected,
                              lang=lang, origin={"file": plan.filename, "sha256": plan.sha256,
                                                 "profile": plan.profile})


def import_mobilities(*, engine: Engine, actor: Actor, data: bytes, filename: str, profile: Profile,
                      confirm_hand_typed: bool = False, lang: str = "en") -> tuple[ImportPlan, counts.SaveSummary]:
    """Plan and save in one go (the CLI's path)."""
    plan = plan_import(engine, data, filename, profile, lang=lang)
    return plan, save_import(engine=engine, actor=actor, plan=plan, confirm_hand_typed=confirm_hand_typed, lang=lang)


def term_rule_text(plan_or_rule, lang: str = "en") -> str:
    rule = plan_or_rule if isinstance(plan_or_rule, str) else plan_or_rule.term_rule
    return t(f"recimport.term_rule.{rule}", lang)
