"""Checklist templates: the plan's checklists and manuals as versioned text, read from data/checklists/*.yaml.

A template's text lives in versions. The newest version is either a *draft* (editable) or *published* (frozen);
editing a published template opens a new draft, publishing freezes it. Runs of a template for a concrete case live
in ``checklist_runs``; a template or run as Markdown, Word or JSON in ``checklist_documents``.
"""

import difflib
import re
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import yaml
from sqlalchemy import Engine, delete, func, select, update
from sqlmodel import Session

from mobility.i18n import t
from mobility.models import (
    Activity,
    ChecklistItem,
    ChecklistTemplate,
    ChecklistTemplateActivity,
    ChecklistVersion,
)
from mobility.service import SYSTEM, Actor, ConcurrentEditError, ValidationError, audit, now, write_transaction
from mobility.text import control_character

DATA_DIR = Path(__file__).resolve().parents[1] / "data" / "checklists"
PHASES = ("before", "during", "after")
AUDIENCES = ("student", "teacher", "host", "staff", "io")
TEXT_MAX = 500
TITLE_MAX = 200
INTRO_MAX = 2000
NOTE_MAX = 500
DUE_MAX_DAYS = 730

_PHASE_WORDS = {
    "sv": {"before": "Före", "during": "Under", "after": "Efter", None: "Allmänt"},
    "en": {"before": "Before", "during": "During", "after": "After", None: "General"},
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


def template_by_key(session: Session, key: str) -> ChecklistTemplate:
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


def version_items(session: Session, version_id: int) -> list[dict]:
    rows = session.execute(select(ChecklistItem).where(ChecklistItem.version_id == version_id)
                           .order_by(ChecklistItem.position)).scalars()
    return [{"phase": r.phase, "text_sv": r.text_sv, "text_en": r.text_en, "due_days": r.due_days} for r in rows]


def template_detail(engine: Engine, key: str, number: int | None = None) -> dict:
    """One version of a template (default: the newest) with its items in order and its plan activities."""
    with Session(engine) as session:
        template = template_by_key(session, key)
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
            "items": version_items(session, version.id),
        }


def version_list(engine: Engine, key: str) -> list[dict]:
    """Every version of a template, newest first."""
    with Session(engine) as session:
        template = template_by_key(session, key)
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
        template = template_by_key(session, key)
        _check_version(template, expected_version)
        latest = _version(session, template.id)
        if version_items(session, latest.id) == items and all(getattr(latest, k) == v for k, v in texts.items()):
            raise ValidationError(t("checklists.err.unchanged", lang, n=latest.number))
        draft = _draft(session, template, actor)
        before = {"number": draft.number, "items": version_items(session, draft.id),
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
        template = template_by_key(session, key)
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
