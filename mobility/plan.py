"""The plan file: parse its dates and resources as written, and seed it into the database."""

import copy
import re
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from pathlib import Path

import yaml
from sqlalchemy import Engine, select
from sqlmodel import Session

from mobility.models import Activity, ActivityLink, Area, Plan
from mobility.service import SYSTEM, audit, write_transaction

DATA = Path(__file__).resolve().parents[1] / "data"
PLAN_FILES = sorted(DATA.glob("plan_*.yaml"))

_MONTHS = {
    "jan": 1, "januari": 1, "feb": 2, "februari": 2, "mar": 3, "mars": 3, "apr": 4, "april": 4,
    "maj": 5, "jun": 6, "juni": 6, "jul": 7, "juli": 7, "aug": 8, "augusti": 8, "sep": 9, "sept": 9,
    "september": 9, "okt": 10, "oktober": 10, "nov": 11, "november": 11, "dec": 12, "december": 12,
}
# A term as a start means its first month, as an end its last: VT = January–June, HT = August–December.
_TERMS = {"vt": (1, 6), "ht": (8, 12)}


def _year(text: str) -> int:
    year = int(text)
    return year + 2000 if year < 100 else year


def parse_month(text: str | None, *, as_end: bool = False) -> date | None:
    """'feb-16', 'Januari 2017', 'vt-16', 'ht-17', '2018', 'nov -16', 'juni 17' → first day of that month.

    A bare year or a term is a span: as a start it opens at its first month, as an end it closes at its last.
    """
    if not text or not text.strip():
        return None
    s = re.sub(r"\s*-\s*", "-", text.strip().lower())
    if m := re.fullmatch(r"(\d{4})", s):
        return date(int(m[1]), 12 if as_end else 1, 1)
    if m := re.fullmatch(r"(vt|ht)-?(\d{2}|\d{4})", s):
        first, last = _TERMS[m[1]]
        return date(_year(m[2]), last if as_end else first, 1)
    if m := re.fullmatch(r"([a-zåäö]+)[-\s]?(\d{2}|\d{4})", s):
        if m[1] in _MONTHS:
            return date(_year(m[2]), _MONTHS[m[1]], 1)
    raise ValueError(f"cannot read the date {text!r}")


@dataclass(frozen=True)
class Resources:
    amount_sek: int | None = None
    formula: str | None = None
    unit_cost_sek: int | None = None
    unit_cost_text: str | None = None
    cofinancing_required: bool = False


_AMOUNT = r"(\d{1,3}(?:[ \u00a0]\d{3})+|\d+)\s*(?:kr)?"


def _krona(text: str) -> int:
    return int(re.sub(r"[ \u00a0]", "", text))


def parse_resources(text: str | None) -> Resources:
    """Read an amount as written: 'sa 100 000 kr', '25*1500', 'Snittkostnad 760 kr/ översatt kursplan 30 000 kr',
    '500 000 Motfinansiering krävs.'."""
    if not text or not text.strip():
        return Resources()
    s = text.strip()
    cofinancing = "motfinansiering" in s.lower()
    if m := re.fullmatch(r"(\d+)\s*\*\s*(\d+)", s):
        return Resources(int(m[1]) * int(m[2]), formula=s)
    if m := re.search(rf"snittkostnad\s+{_AMOUNT}\s*/\s*([^\d]+?)\s+{_AMOUNT}$", s, re.IGNORECASE):
        return Resources(_krona(m[3]), unit_cost_sek=_krona(m[1]), unit_cost_text=m[2].strip())
    amounts = re.findall(_AMOUNT, s)
    if len(amounts) != 1:
        raise ValueError(f"cannot read the resources {text!r}")
    return Resources(_krona(amounts[0]), cofinancing_required=cofinancing)


def load_plan_file(path: Path) -> dict:
    """The plan file as data; a copy, so a caller may change it. Several pages read it on every run: parsing it
    each time cost ~35 ms, so it is parsed once per version of the file (a changed file is read again)."""
    path = Path(path)
    return copy.deepcopy(_parsed_plan_file(path, path.stat().st_mtime_ns))


@lru_cache(maxsize=8)
def _parsed_plan_file(path: Path, _mtime_ns: int) -> dict:
    # libyaml's loader builds the same values as yaml.safe_load, ~8× faster.
    return yaml.load(path.read_text(encoding="utf-8"), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))


def is_decided(start: date | None, plan: dict) -> bool:
    """The plan's own rule: activities for its last year (2018) were neither decided nor funded."""
    return start is None or start.year < plan["period"]["end"]


def seed_plan(engine: Engine, path: Path) -> bool:
    """Load one plan file into the database unless it is there already. Returns True if it was seeded."""
    raw = load_plan_file(path)
    with Session(engine) as session:
        if session.execute(select(Plan.id).where(Plan.key == raw["key"])).first():
            return False
    with write_transaction(engine, SYSTEM) as session:
        plan = Plan(
            key=raw["key"], title_sv=raw["title"]["sv"], title_en=raw["title"]["en"],
            start_year=raw["period"]["start"], end_year=raw["period"]["end"],
            follow_up_rhythm=raw["follow_up"]["rhythm"], source_file=path.name,
            start_only_months=raw["start_only_months"],
        )
        session.add(plan)
        session.flush()
        areas = {}
        for position, a in enumerate(raw["areas"]):
            areas[a["code"]] = Area(
                plan_id=plan.id, code=a["code"], position=position, name_sv=a["name"]["sv"],
                name_en=a["name"]["en"], goal_sv=a["goal"]["sv"], goal_en=a["goal"]["en"],
            )
            session.add(areas[a["code"]])
        session.flush()
        activities = {}
        for position, a in enumerate(raw["activities"]):
            start = parse_month(a.get("start"))
            end = parse_month(a.get("end"), as_end=True)
            res = parse_resources(a.get("resources"))
            activities[a["code"]] = Activity(
                plan_id=plan.id, area_id=areas[a["section"]].id, code=a["code"], position=position,
                goals_text=a.get("goals", ""), title_sv=a["title"]["sv"], title_en=a["title"]["en"],
                purpose_sv=a["purpose"]["sv"], purpose_en=a["purpose"]["en"],
                responsible=a.get("responsible", ""), start_text=a.get("start", ""), end_text=a.get("end", ""),
                start_month=start, end_month=end, resources_text=a.get("resources", ""),
                budget_sek=res.amount_sek, budget_formula=res.formula, unit_cost_sek=res.unit_cost_sek,
                unit_cost_text=res.unit_cost_text, cofinancing_required=res.cofinancing_required,
                decided=is_decided(start, raw),
            )
            session.add(activities[a["code"]])
        session.flush()
        for a in raw["activities"]:
            for linked in a.get("links", []):
                session.add(ActivityLink(activity_id=activities[a["code"]].id, linked_id=activities[linked].id))
        audit(session, SYSTEM, action="seed_plan", entity="plan", key=raw["key"],
              after={"file": path.name, "activities": len(activities)})
    return True


def init_database(engine: Engine) -> None:
    """Start-up: migrate, seed every plan file not in the database yet, the checklists, then the example data
    (all idempotent)."""
    # Imported here, not at the top: targets reads plan files through this module, and example data uses targets' kin.
    from mobility.checklists import seed_checklists
    from mobility.db import migrate
    from mobility.deliverables import seed_deliverables
    from mobility.example_data import seed_examples

    migrate(engine)
    for path in PLAN_FILES:
        seed_plan(engine, path)
    seed_checklists(engine)
    seed_deliverables(engine)
    seed_examples(engine)
