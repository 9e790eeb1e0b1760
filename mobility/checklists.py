"""Checklists: the plan's checklists and manuals as versioned templates, and runs IO ticks off for a concrete case.

A template's text lives in versions. The newest version is either a *draft* (editable) or *published* (frozen);
editing a published template opens a new draft, publishing freezes it. A run copies the items of the version it
starts from, so a later version never changes a checklist someone is working through.
"""

import difflib
import io
import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path

import pandas as pd
import yaml
from sqlalchemy import Engine, case, delete, extract, func, select, update
from sqlmodel import Session

from mobility.i18n import TIMEZONE, fmt_date, fmt_datetime, t
from mobility.models import (
    Activity,
    ChecklistItem,
    ChecklistRun,
    ChecklistRunItem,
    ChecklistTemplate,
    ChecklistTemplateActivity,
    ChecklistVersion,
)
from mobility.service import SYSTEM, Actor, ConcurrentEditError, ValidationError, audit, now, write_transaction
from mobility.text import control_character, plain

DATA_DIR = Path(__file__).resolve().parents[1] / "data" / "checklists"
PHASES = ("before", "during", "after")
AUDIENCES = ("student", "teacher", "host", "staff", "io")
STAFF_VISIT_ACTIVITY = "C2"
TEXT_MAX = 500
TITLE_MAX = 200
INTRO_MAX = 2000
NOTE_MAX = 500
LABEL_MAX = 120
DUE_MAX_DAYS = 730

_PHASE_WORDS = {
    "sv": {"before": "Före", "during": "Under", "after": "Efter", None: "Allmänt"},
    "en": {"before": "Before", "during": "During", "after": "After", None: "General"},
}
_STATUS_WORDS = {
    "sv": {"draft": "UTKAST", "published": "Publicerad"},
    "en": {"draft": "DRAFT", "published": "Published"},
}


# Reading and checking input ----------------------------------------------------------------------------------------
def parse_due(text) -> int | None:
    """'-8w' → -56, '+3d' → 3, '0d' → 0, '' / None → None: days relative to a run's reference date."""
    if text is None or str(text).strip() == "":
        return None
    m = re.fullmatch(r"([+-]?\d+)\s*([dw])", str(text).strip().lower())
    if not m:
        raise ValueError(f"cannot read the due offset {text!r} (write e.g. -8w, +3d, 0d)")
    return int(m[1]) * (7 if m[2] == "w" else 1)


def fmt_due(days: int | None, lang: str) -> str:
    """-56 → '8 veckor före' / '8 weeks before'; days that are not whole weeks stay days."""
    if days is None:
        return ""
    if days == 0:
        return {"sv": "på referensdagen", "en": "on the reference date"}[lang]
    n, unit = (abs(days) // 7, "w") if days % 7 == 0 else (abs(days), "d")
    words = {
        "sv": {"w": ("vecka", "veckor"), "d": ("dag", "dagar")},
        "en": {"w": ("week", "weeks"), "d": ("day", "days")},
    }[lang][unit][n != 1]
    side = {"sv": ("före", "efter"), "en": ("before", "after")}[lang][days > 0]
    return f"{n} {words} {side}"


def phase_label(phase: str | None, lang: str) -> str:
    return _PHASE_WORDS[lang][phase]


def clean_items(items: list[dict], lang: str = "en") -> list[dict]:
    """Check every item (numbered from 1 as on screen); returns them trimmed, or raises naming each bad row.

    Messages are in ``lang`` (the page's language; English for the CLI)."""
    problems, clean = [], []
    if not items:
        problems.append(t("checklists.err.no_items", lang))
    for n, item in enumerate(items, start=1):
        phase = item.get("phase") or None
        text_sv = str(item.get("text_sv") or "").strip()
        text_en = str(item.get("text_en") or "").strip()
        due = item.get("due_days")
        if phase not in (*PHASES, None):
            problems.append(f"item {n}: phase {phase!r} is not one of {', '.join(PHASES)} (or empty)")
        for text_lang, text in (("sv", text_sv), ("en", text_en)):
            if not text:
                problems.append(t("checklists.err.text_empty", lang, n=n, text_lang=text_lang))
            elif len(text) > TEXT_MAX:
                problems.append(t("checklists.err.text_long", lang, n=n, text_lang=text_lang, length=len(text),
                                  limit=TEXT_MAX))
        if due is not None and not (isinstance(due, float) and due != due):  # a blank number cell is NaN
            try:
                due = int(due)
            except (TypeError, ValueError):
                problems.append(t("checklists.err.due_whole", lang, n=n, due=due))
                due = None
            else:
                if abs(due) > DUE_MAX_DAYS:
                    problems.append(t("checklists.err.due_range", lang, n=n, limit=DUE_MAX_DAYS))
        else:
            due = None
        clean.append({"phase": phase, "text_sv": text_sv, "text_en": text_en, "due_days": due})
    if problems:
        raise ValidationError(problems)
    return clean


def apply_order(rows: list[dict]) -> list[dict]:
    """Reorder edited rows by their ``order`` number; ``was`` is a row's number before editing (None if new).

    A row given a number that another row already has goes before that row (it was moved or added there);
    rows without a number go last, in the order they were added.
    """
    def sort_key(position_and_row):
        position, row = position_and_row
        moved = row["was"] is None or row["order"] != row["was"]
        return (row["order"] if row["order"] is not None else float("inf"), not moved, position)

    return [row for _, row in sorted(enumerate(rows), key=sort_key)]


def _clean_text(field: str, value: str | None, limit: int, *, required: bool = False, lang: str = "en") -> str:
    value = (value or "").strip()
    name = t(f"checklists.field.{field}", lang)
    if required and not value:
        raise ValidationError(t("checklists.err.required", lang, field=name))
    if len(value) > limit:
        raise ValidationError(t("checklists.err.too_long", lang, field=name, length=len(value), limit=limit))
    if code := control_character(value):
        raise ValidationError(t("text.err.control", lang, field=name, code=code))
    return value


# Template files ----------------------------------------------------------------------------------------------------
def template_files() -> list[Path]:
    return sorted(DATA_DIR.glob("*.yaml"))


def load_template_file(path: Path) -> dict:
    """One template as data: key, area, activities, audience, title/intro {sv, en}, items {phase, due, sv, en}."""
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    try:
        items = clean_items([
            {"phase": i.get("phase"), "text_sv": i["sv"], "text_en": i["en"], "due_days": parse_due(i.get("due"))}
            for i in raw["items"]
        ])
    except (KeyError, ValueError) as exc:
        raise ValueError(f"{path.name}: {exc}") from exc
    if raw["audience"] not in AUDIENCES:
        raise ValueError(f"{path.name}: audience {raw['audience']!r} is not one of {', '.join(AUDIENCES)}")
    return {**raw, "items": items}


def seed_checklists(engine: Engine, paths: list[Path] | None = None) -> int:
    """Load every template file whose key is not in the database yet, as version 1 (a draft). Returns how many."""
    files = [(p, load_template_file(p)) for p in (template_files() if paths is None else paths)]
    with Session(engine) as session:
        known = set(session.execute(select(ChecklistTemplate.key)).scalars())
        codes = set(session.execute(select(Activity.code)).scalars())
    new = [(p, raw) for p, raw in files if raw["key"] not in known]
    if not new:
        return 0
    for path, raw in new:
        if unknown := set(raw["activities"]) - codes:
            raise ValueError(f"{path.name}: activities {sorted(unknown)} are not in the plan")
    with write_transaction(engine, SYSTEM) as session:
        for position, (path, raw) in enumerate(new, start=len(known)):
            template = ChecklistTemplate(
                key=raw["key"], area=raw["area"], audience=raw["audience"], country_code=raw.get("country"),
                position=raw.get("position", position), source_file=path.name,
            )
            session.add(template)
            session.flush()
            session.add_all(ChecklistTemplateActivity(template_id=template.id, activity_code=c)
                            for c in raw["activities"])
            version = ChecklistVersion(
                template_id=template.id, number=1, status="draft", title_sv=raw["title"]["sv"],
                title_en=raw["title"]["en"], intro_sv=raw.get("intro", {}).get("sv", ""),
                intro_en=raw.get("intro", {}).get("en", ""), created_at=now(), created_by=SYSTEM.name,
            )
            session.add(version)
            session.flush()
            session.add_all(ChecklistItem(version_id=version.id, position=n, **item)
                            for n, item in enumerate(raw["items"]))
            audit(session, SYSTEM, action="seed_checklist", entity="checklist", key=raw["key"],
                  after={"file": path.name, "items": len(raw["items"])})
    return len(new)


# Reading templates -------------------------------------------------------------------------------------------------
def _latest_versions():
    """Per template, the newest version (the draft being edited, or the latest published one)."""
    newest = (select(ChecklistVersion.template_id, func.max(ChecklistVersion.number).label("number"))
              .group_by(ChecklistVersion.template_id).subquery())
    published = (select(ChecklistVersion.template_id, func.max(ChecklistVersion.number).label("published"))
                 .where(ChecklistVersion.status == "published").group_by(ChecklistVersion.template_id).subquery())
    return newest, published


def template_table(engine: Engine) -> pd.DataFrame:
    """One row per template in library order: its newest version's title, status and item count."""
    newest, published = _latest_versions()
    counts = (select(ChecklistItem.version_id, func.count().label("n"))
              .group_by(ChecklistItem.version_id).subquery())
    query = (
        select(
            ChecklistTemplate.key, ChecklistTemplate.area, ChecklistTemplate.audience, ChecklistTemplate.country_code,
            ChecklistTemplate.version.label("edit_version"), ChecklistVersion.number.label("version"),
            ChecklistVersion.status, published.c.published, ChecklistVersion.title_sv, ChecklistVersion.title_en,
            func.coalesce(counts.c.n, 0).label("items"),
        )
        .join(newest, newest.c.template_id == ChecklistTemplate.id)
        .join(ChecklistVersion, (ChecklistVersion.template_id == ChecklistTemplate.id)
              & (ChecklistVersion.number == newest.c.number))
        .outerjoin(published, published.c.template_id == ChecklistTemplate.id)
        .outerjoin(counts, counts.c.version_id == ChecklistVersion.id)
        .order_by(ChecklistTemplate.position, ChecklistTemplate.key)
    )
    with Session(engine) as session:
        rows = session.execute(query).mappings().all()
        links = session.execute(select(ChecklistTemplate.key, ChecklistTemplateActivity.activity_code)
                                .join(ChecklistTemplateActivity)
                                .order_by(ChecklistTemplateActivity.activity_code)).all()
    df = pd.DataFrame(rows, columns=list(query.selected_columns.keys()))
    df["activities"] = [[c for k, c in links if k == key] for key in df["key"]]
    df["published"] = df["published"].astype("Int64")  # the newest published version; <NA> if never published
    return df


def library_index(engine: Engine) -> pd.DataFrame:
    """Every item of every template's newest version (key, phase, texts): what full-text search looks through."""
    newest, _ = _latest_versions()
    query = (
        select(ChecklistTemplate.key, ChecklistItem.phase, ChecklistItem.text_sv, ChecklistItem.text_en)
        .join(newest, newest.c.template_id == ChecklistTemplate.id)
        .join(ChecklistVersion, (ChecklistVersion.template_id == ChecklistTemplate.id)
              & (ChecklistVersion.number == newest.c.number))
        .join(ChecklistItem, ChecklistItem.version_id == ChecklistVersion.id)
        .order_by(ChecklistTemplate.position, ChecklistItem.position)
    )
    with Session(engine) as session:
        return pd.DataFrame(session.execute(query).all(), columns=["key", "phase", "text_sv", "text_en"])


def search_library(templates: pd.DataFrame, index: pd.DataFrame, *, text: str = "", areas=(), activities=(),
                   audiences=(), phases=()) -> pd.DataFrame:
    """The library's filters; empty means all. ``text`` matches titles and items in Swedish or English.

    Adds ``hits``: how many items match the text (or the phases), so a reader sees why a template is listed.
    """
    keep = pd.Series(True, index=templates.index)
    if areas:
        keep &= templates["area"].isin(areas)
    if activities:
        keep &= templates["activities"].map(lambda codes: bool(set(codes) & set(activities)))
    if audiences:
        keep &= templates["audience"].isin(audiences)
    items = index
    if phases:
        items = items[items["phase"].isin(phases)]
        keep &= templates["key"].isin(items["key"])
    hits = items.groupby("key").size()
    needle = text.strip().casefold()
    if needle:
        matches = items["text_sv"].str.casefold().str.contains(needle, regex=False) | \
            items["text_en"].str.casefold().str.contains(needle, regex=False)
        hits = items[matches].groupby("key").size()
        in_title = (templates["title_sv"].str.casefold().str.contains(needle, regex=False)
                    | templates["title_en"].str.casefold().str.contains(needle, regex=False))
        keep &= in_title | templates["key"].isin(hits.index)
    shown = templates[keep].copy()
    shown["hits"] = shown["key"].map(hits).fillna(0).astype(int)
    return shown


def _template(session: Session, key: str) -> ChecklistTemplate:
    template = session.execute(select(ChecklistTemplate).where(ChecklistTemplate.key == key)).scalar_one_or_none()
    if template is None:
        raise ValidationError(f"checklist: {key!r} does not exist")
    return template


def _version(session: Session, template_id: int, number: int | None = None) -> ChecklistVersion:
    query = select(ChecklistVersion).where(ChecklistVersion.template_id == template_id)
    query = query.where(ChecklistVersion.number == number) if number else query.order_by(
        ChecklistVersion.number.desc()).limit(1)
    version = session.execute(query).scalar_one_or_none()
    if version is None:
        raise ValidationError(f"version: {number} does not exist")
    return version


def _items(session: Session, version_id: int) -> list[dict]:
    rows = session.execute(select(ChecklistItem).where(ChecklistItem.version_id == version_id)
                           .order_by(ChecklistItem.position)).scalars()
    return [{"phase": r.phase, "text_sv": r.text_sv, "text_en": r.text_en, "due_days": r.due_days} for r in rows]


def template_detail(engine: Engine, key: str, number: int | None = None) -> dict:
    """One version of a template (default: the newest) with its items in order and its plan activities."""
    with Session(engine) as session:
        template = _template(session, key)
        version = _version(session, template.id, number)
        codes = session.execute(select(ChecklistTemplateActivity.activity_code)
                                .where(ChecklistTemplateActivity.template_id == template.id)
                                .order_by(ChecklistTemplateActivity.activity_code)).scalars().all()
        titles = session.execute(select(Activity.code, Activity.title_sv, Activity.title_en)
                                 .where(Activity.code.in_(codes))).all()
        return {
            "key": key, "area": template.area, "audience": template.audience, "country": template.country_code,
            "edit_version": template.version, "activities": list(codes),
            "activity_titles": {c: {"sv": sv, "en": en} for c, sv, en in titles},
            **version.model_dump(include={"number", "status", "title_sv", "title_en", "intro_sv", "intro_en",
                                          "note", "created_at", "created_by", "published_at", "published_by"}),
            "items": _items(session, version.id),
        }


def version_list(engine: Engine, key: str) -> list[dict]:
    """Every version of a template, newest first."""
    with Session(engine) as session:
        template = _template(session, key)
        rows = session.execute(select(ChecklistVersion).where(ChecklistVersion.template_id == template.id)
                               .order_by(ChecklistVersion.number.desc())).scalars()
        return [r.model_dump(include={"number", "status", "note", "created_at", "created_by", "published_at",
                                      "published_by"}) for r in rows]


@dataclass(frozen=True)
class Change:
    op: str  # added | removed | changed
    old: dict | None
    new: dict | None


def _line(item: dict) -> tuple:
    return item["phase"], item["text_sv"], item["text_en"], item["due_days"]


def _similarity(a: dict, b: dict) -> float:
    """Share of the shorter text found in the other, so a trimmed or extended item is still the same item –
    unless the two differ so much in length and content that the overall likeness is low."""
    x, y = a["text_sv"].casefold(), b["text_sv"].casefold()
    matcher = difflib.SequenceMatcher(a=x, b=y, autojunk=False)
    if matcher.ratio() < 0.35:
        return matcher.ratio()
    return sum(block.size for block in matcher.get_matching_blocks()) / max(1, min(len(x), len(y)))


def diff_items(old: list[dict], new: list[dict]) -> list[Change]:
    """What changed from ``old`` to ``new``: items added, removed, or changed in place (text, phase or due).

    Within a block that differs, an old item is paired with the most similar new item that follows the last pair,
    if they are alike enough to be the same item reworded; anything left over was removed or added.
    """
    changes = []
    matcher = difflib.SequenceMatcher(a=[_line(i) for i in old], b=[_line(i) for i in new], autojunk=False)
    for op, a1, a2, b1, b2 in matcher.get_opcodes():
        if op == "equal":
            continue
        news, j = new[b1:b2], 0
        for o in old[a1:a2]:
            scores = [(_similarity(o, n), k) for k, n in enumerate(news[j:], start=j)]
            score, best = max(scores, default=(0.0, None), key=lambda s: (s[0], -s[1]))
            if best is None or score < 0.7:
                changes.append(Change("removed", o, None))
                continue
            changes += [Change("added", None, n) for n in news[j:best]]
            changes.append(Change("changed", o, news[best]))
            j = best + 1
        changes += [Change("added", None, n) for n in news[j:]]
    return changes


def word_diff(old: str, new: str) -> list[tuple[str, str]]:
    """Word by word: [("equal"|"removed"|"added", text), ...], to show what a reworded item lost and gained."""
    a, b = old.split(), new.split()
    parts = []
    for op, a1, a2, b1, b2 in difflib.SequenceMatcher(a=a, b=b, autojunk=False).get_opcodes():
        if op == "equal":
            parts.append(("equal", " ".join(a[a1:a2])))
            continue
        if a2 > a1:
            parts.append(("removed", " ".join(a[a1:a2])))
        if b2 > b1:
            parts.append(("added", " ".join(b[b1:b2])))
    return parts


def diff_versions(engine: Engine, key: str, old: int, new: int) -> dict:
    """Any two versions of one template: title changes and item changes."""
    a, b = template_detail(engine, key, old), template_detail(engine, key, new)
    titles = {lang: (a[f"title_{lang}"], b[f"title_{lang}"]) for lang in ("sv", "en")
              if a[f"title_{lang}"] != b[f"title_{lang}"]}
    return {"old": old, "new": new, "titles": titles, "items": diff_items(a["items"], b["items"])}


# Editing -----------------------------------------------------------------------------------------------------------
def _draft(session: Session, template: ChecklistTemplate, actor: Actor) -> ChecklistVersion:
    """The template's draft; editing a published template first copies its newest version into a new draft."""
    latest = _version(session, template.id)
    if latest.status == "draft":
        return latest
    draft = ChecklistVersion(
        template_id=template.id, number=latest.number + 1, status="draft", title_sv=latest.title_sv,
        title_en=latest.title_en, intro_sv=latest.intro_sv, intro_en=latest.intro_en, created_at=now(),
        created_by=actor.name,
    )
    session.add(draft)
    session.flush()
    return draft


def _check_version(template: ChecklistTemplate, expected_version: int | None) -> None:
    if expected_version is not None and template.version != expected_version:
        raise ConcurrentEditError(template.key)


def save_draft(*, engine: Engine, actor: Actor, key: str, items: list[dict], title_sv: str | None = None,
               title_en: str | None = None, intro_sv: str | None = None, intro_en: str | None = None,
               expected_version: int | None = None, lang: str = "en") -> int:
    """Replace the draft's items (in the order given: add, edit, reorder, remove in one save) and, if given, its
    titles and intros. Returns the draft's version number."""
    items = clean_items(items, lang)
    texts = {
        name: _clean_text(name, value, TITLE_MAX if name.startswith("title") else INTRO_MAX,
                          required=name.startswith("title"), lang=lang)
        for name, value in (("title_sv", title_sv), ("title_en", title_en), ("intro_sv", intro_sv),
                            ("intro_en", intro_en)) if value is not None
    }
    with write_transaction(engine, actor) as session:
        template = _template(session, key)
        _check_version(template, expected_version)
        latest = _version(session, template.id)
        if _items(session, latest.id) == items and all(getattr(latest, k) == v for k, v in texts.items()):
            raise ValidationError(t("checklists.err.unchanged", lang, n=latest.number))
        draft = _draft(session, template, actor)
        before = {"number": draft.number, "items": _items(session, draft.id),
                  **{k: getattr(draft, k) for k in texts}}
        session.execute(delete(ChecklistItem).where(ChecklistItem.version_id == draft.id))
        session.add_all(ChecklistItem(version_id=draft.id, position=n, **item) for n, item in enumerate(items))
        for name, value in texts.items():
            setattr(draft, name, value)
        audit(session, actor, action="edit_checklist", entity="checklist", key=key, before=before,
              after={"number": draft.number, "items": items, **texts})
        _touch(session, template)
        return draft.number


def _touch(session: Session, template: ChecklistTemplate) -> None:
    """Bump the template's edit version unless someone else did since we read it: their form is now stale."""
    bumped = session.execute(
        update(ChecklistTemplate).where(ChecklistTemplate.id == template.id,
                                        ChecklistTemplate.version == template.version)
        .values(version=ChecklistTemplate.version + 1)
        .execution_options(synchronize_session=False)
    ).rowcount
    if not bumped:
        raise ConcurrentEditError(template.key)


def publish(*, engine: Engine, actor: Actor, key: str, note: str = "", expected_version: int | None = None,
            lang: str = "en") -> int:
    """Freeze the draft as a published version (the one new runs start from). Returns its number."""
    note = _clean_text("note", note, NOTE_MAX, lang=lang)
    with write_transaction(engine, actor) as session:
        template = _template(session, key)
        _check_version(template, expected_version)
        latest = _version(session, template.id)
        if latest.status != "draft":
            raise ValidationError(t("checklists.err.published", lang, n=latest.number, key=key))
        latest.status, latest.note = "published", note
        latest.published_at, latest.published_by = now(), actor.name
        audit(session, actor, action="publish_checklist", entity="checklist", key=key,
              before={"number": latest.number, "status": "draft"},
              after={"number": latest.number, "status": "published", "note": note})
        _touch(session, template)
        return latest.number


# Runs --------------------------------------------------------------------------------------------------------------
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
        template = _template(session, key)
        version = session.execute(
            select(ChecklistVersion).where(ChecklistVersion.template_id == template.id)
            .order_by((ChecklistVersion.status == "published").desc(), ChecklistVersion.number.desc()).limit(1)
        ).scalar_one()
        run = ChecklistRun(template_id=template.id, version_number=version.number, version_status=version.status,
                           label=label, reference_date=reference_date, started_at=now(), started_by=actor.name)
        session.add(run)
        session.flush()
        items = _items(session, version.id)
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


# Exports -----------------------------------------------------------------------------------------------------------
def grouped_items(items: list[dict]) -> list[tuple[str | None, list[dict]]]:
    """Items by phase in the order before, during, after, then those without a phase."""
    order = [*PHASES, None]
    return [(p, [i for i in items if i["phase"] == p]) for p in order if any(i["phase"] == p for i in items)]


def status_line(detail: dict, lang: str) -> str:
    word = _STATUS_WORDS[lang][detail["status"]]
    when = f" {fmt_date(detail['published_at'], lang)}" if detail["published_at"] else ""
    return f"Version {detail['number']} · {word}{when}"


def to_markdown(detail: dict, lang: str) -> str:
    lines = [f"# {plain(detail[f'title_{lang}'], inline=True)}", "", f"*{status_line(detail, lang)} · "
             + ("Aktivitet" if lang == "sv" else "Activity") + f" {', '.join(detail['activities'])}*", ""]
    if detail[f"intro_{lang}"]:
        lines += [plain(detail[f"intro_{lang}"]), ""]
    for phase, items in grouped_items(detail["items"]):
        lines += [f"## {phase_label(phase, lang)}", ""]
        for item in items:
            due = fmt_due(item["due_days"], lang)
            lines.append(f"- [ ] {plain(item[f'text_{lang}'], inline=True)}" + (f" *({due})*" if due else ""))
        lines.append("")
    return "\n".join(lines)


def to_docx(detail: dict, lang: str) -> bytes:
    """A Word document IO can print or adapt: title, status, intro, one heading per phase, a box per item."""
    from docx import Document
    from docx.shared import Pt

    doc = Document()
    doc.styles["Normal"].font.name = "Calibri"
    doc.styles["Normal"].font.size = Pt(11)
    doc.core_properties.title = detail[f"title_{lang}"]
    doc.add_heading(detail[f"title_{lang}"], level=1)
    meta = doc.add_paragraph()
    meta.add_run(status_line(detail, lang) + " · " + ("Aktivitet" if lang == "sv" else "Activity")
                 + f" {', '.join(detail['activities'])}").italic = True
    if detail[f"intro_{lang}"]:
        doc.add_paragraph(detail[f"intro_{lang}"])
    for phase, items in grouped_items(detail["items"]):
        doc.add_heading(phase_label(phase, lang), level=2)
        for item in items:
            paragraph = doc.add_paragraph()
            paragraph.paragraph_format.left_indent = Pt(18)
            paragraph.paragraph_format.first_line_indent = Pt(-18)
            paragraph.add_run("☐\t" + item[f"text_{lang}"])
            if due := fmt_due(item["due_days"], lang):
                paragraph.add_run(f" ({due})").italic = True
    footer = doc.sections[0].footer.paragraphs[0]
    footer.text = f"{detail[f'title_{lang}']} · {status_line(detail, lang)} · Mittuniversitetet, International Office"
    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()


def run_markdown(run: dict, title: str, lang: str) -> str:
    """A run as a record: who ticked what, when."""
    lines = [f"# {plain(title, inline=True)}", "",
             f"**{plain(run['label'], inline=True)}** · {fmt_date(run['reference_date'], lang)}", ""]
    for phase, items in grouped_items(run["items"]):
        lines += [f"## {phase_label(phase, lang)}", ""]
        for i in items:
            mark = "x" if i["done_at"] else " "
            who = f" – {plain(i['done_by'])}, {fmt_datetime(i['done_at'], lang)}" if i["done_at"] else ""
            due = f" ({fmt_date(i['due_date'], lang)})" if i["due_date"] else ""
            lines.append(f"- [{mark}] {plain(i[f'text_{lang}'], inline=True)}{due}{who}")
        lines.append("")
    return "\n".join(lines)


def checklists_json(engine: Engine) -> list[dict]:
    """For the CLI: each template's current version (the newest published one, else the draft)."""
    out = []
    for row in template_table(engine).itertuples():
        detail = template_detail(engine, row.key, None if pd.isna(row.published) else int(row.published))
        out.append({
            "key": row.key, "title": detail["title_sv"], "activities": list(row.activities),
            "audience": row.audience, "version": detail["number"], "status": detail["status"],
            "items": [{"phase": i["phase"], "text": i["text_sv"]} for i in detail["items"]],
        })
    return out
