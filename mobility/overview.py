"""Where each goal area stands on a given day: one verdict per area, from activities, targets and money.

``area_status`` is the rule (pure, no database); ``area_cards`` gathers its inputs for every area in a handful of
queries. A manager reads the verdict; the counts and reasons next to it say why.
"""

from dataclasses import dataclass, field
from datetime import date
from functools import cache

import pandas as pd
from sqlalchemy import Engine

from mobility import budget, checklist_runs, targets
from mobility.activities import CLOSED, activity_table, area_summaries, is_overdue

# Worst first: the order a manager should look at them in.
VERDICTS = ("attention", "watch", "on_track", "not_started", "done")
BUCKETS = ("done", "ongoing", "late", "not_started", "cancelled")
TARGET_VERDICT = {"at_risk": "attention", "behind": "watch"}


@dataclass(frozen=True)
class AreaStatus:
    code: str
    verdict: str  # one of VERDICTS
    reasons: tuple[str, ...]  # keys under "overview.reason.", worst first
    total: int
    buckets: dict[str, int]  # BUCKETS → number of activities (each activity in exactly one)
    due_not_started: int  # planned, though its start month has come
    allocated_ore: int
    spent_ore: int
    target: dict | None = None  # targets.evaluate(...) for A and B
    not_decided_ore: int = 0  # of the allocation: money the plan left undecided (2018), until a decision
    unnumbered: tuple[str, ...] = ()  # items the plan lists under the area without an activity number (IBS)
    measure: dict = field(default_factory=dict)  # C: staff visits per year, D: the incoming mix

    @property
    def used_pct(self) -> float | None:
        return round(100 * self.spent_ore / self.allocated_ore, 1) if self.allocated_ore else None

    @property
    def over_budget(self) -> bool:
        return self.spent_ore > self.allocated_ore


def bucket(status: str, start_month: date | None, end_month: date | None, as_of: date) -> str:
    """One activity's place in the count: late wins over ongoing/planned (it is what needs doing)."""
    if status in CLOSED:
        return status if status == "done" else "cancelled"
    if status == "delayed" or is_overdue(end_month, status, as_of):
        return "late"
    return "ongoing" if status == "ongoing" else "not_started"


def area_status(*, code: str, activities: pd.DataFrame, as_of: date, allocated_ore: int = 0, spent_ore: int = 0,
                target: dict | None = None, measure: dict | None = None, not_decided_ore: int = 0,
                unnumbered: tuple[str, ...] = ()) -> AreaStatus:
    """The verdict for one area on ``as_of``.

    ``activities``: the area's rows with ``status``, ``start_month``, ``end_used`` (status as of that day).
    needs attention: something late, the target at risk, or more spent than allocated;
    keep an eye on: the target behind, or an activity due to have started still planned;
    done: every activity closed (and the target, if any, achieved); not started: nothing due yet; else on track.
    """
    counts = dict.fromkeys(BUCKETS, 0)
    due = 0
    # end_used: as written, or the plan's rule for a start only — the same end as "late" everywhere else
    for status, start, end in zip(activities["status"], activities["start_month"], activities["end_used"],
                                  strict=True):
        start, end = (None if pd.isna(v) else v for v in (start, end))
        kind = bucket(status, start, end, as_of)
        counts[kind] += 1
        due += kind == "not_started" and start is not None and start <= as_of
    target_status = target["status"] if target else None
    reasons = []
    if counts["late"]:
        reasons.append("late")
    if target_status == "at_risk":
        reasons.append("target_at_risk")
    if allocated_ore and spent_ore > allocated_ore or not allocated_ore and spent_ore > 0:
        reasons.append("over_budget")
    if target_status == "behind":
        reasons.append("target_behind")
    if due:
        reasons.append("due_not_started")
    total = len(activities)
    if {"late", "target_at_risk", "over_budget"} & set(reasons):
        verdict = "attention"
    elif reasons:
        verdict = "watch"
    elif total and counts["done"] + counts["cancelled"] == total and target_status in (None, "achieved"):
        verdict = "done"
    elif counts["done"] + counts["ongoing"] == 0:
        verdict = "not_started"
    else:
        verdict = "on_track"
    return AreaStatus(code=code, verdict=verdict, reasons=tuple(reasons), total=total, buckets=counts,
                      due_not_started=due, allocated_ore=allocated_ore, spent_ore=spent_ore, target=target,
                      not_decided_ore=not_decided_ore, unnumbered=tuple(unnumbered),
                      measure=measure or {})


def _target_year(cube: pd.DataFrame, as_of: date) -> int | None:
    """The latest year with counts that has begun by ``as_of``."""
    years = [int(y) for y in cube["year"].unique() if int(y) <= as_of.year]
    return max(years) if years else None


def area_cards(engine: Engine, as_of: date) -> list[AreaStatus]:
    """Every area's status on ``as_of``, in plan order (activities, budget, targets, C's visits, D's mix)."""
    table = activity_table(engine, as_of)
    money = budget.area_totals(budget.budget_table(engine, as_of=as_of)).set_index("area")
    cube = targets.count_cube(engine)
    year = _target_year(cube, as_of)
    report = targets.report_from_cube(cube[cube["year"] <= year] if year else cube.iloc[0:0], year)
    goals = targets.plan_goals()["targets"]
    by_area = {g.area: {**r, "year": year} for g, r in zip(goals, report["targets"], strict=True)}
    visits = checklist_runs.staff_visits_per_year(engine, as_of)  # completed by as_of, whatever its year
    measures = {"C": {"visits": visits}, "D": {"year": year, "mix": report["composition"]} if year else {}}
    cards = []
    for area in area_summaries(engine):
        money_row = money.loc[area.code] if area.code in money.index else None
        cards.append(area_status(
            code=area.code, activities=table[table["area"] == area.code], as_of=as_of,
            allocated_ore=0 if money_row is None else int(money_row["allocated_ore"]),
            spent_ore=0 if money_row is None else int(money_row["spent_ore"]),
            not_decided_ore=0 if money_row is None else int(money_row["not_decided_ore"]),
            unnumbered=() if money_row is None else tuple(money_row["unnumbered"]),
            target=by_area.get(area.code), measure=measures.get(area.code),
        ))
    return cards


# How the plan's texts are shown ----------------------------------------------------------------------------------
_TERM_WORDS = {"VT": {"sv": "VT", "en": "Spring"}, "HT": {"sv": "HT", "en": "Autumn"}}
_MONTH_ABBR = {
    "sv": ("jan", "feb", "mar", "apr", "maj", "jun", "jul", "aug", "sep", "okt", "nov", "dec"),
    "en": ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"),
}


def date_label(text: str | None, month: date | None, lang: str) -> str:
    """The plan's date written one way: 'feb-16' → 'feb 2016', 'vt-16' → 'VT 2016' (Spring 2016), '2017' → '2017'.

    ``month`` is the parsed month (the loader's reading of ``text``); the plan's own wording stays in the detail.
    """
    if not text or month is None:
        return ""
    words = text.strip().lower().replace(" ", "-").split("-")
    if words[0] in ("vt", "ht"):
        return f"{_TERM_WORDS[words[0].upper()][lang]} {month.year}"
    if words[0].isdigit() and len(words[0]) == 4:
        return words[0]
    return f"{_MONTH_ABBR[lang][month.month - 1]} {month.year}"


def short_title(code: str, texts: dict, lang: str) -> str:
    """'A1 Mobilitetsfönster': the code and a few words, for axes and narrow columns."""
    short = texts.get(code, {}).get("short", {})
    return f"{code} {short.get(lang) or short.get('sv', '')}".strip()


@cache
def plan_texts(plan_file=None) -> dict[str, dict]:
    """Per activity code: its short titles and the English of its responsible unit and resources (plan data)."""
    from mobility.plan import PLAN_FILES, load_plan_file

    raw = load_plan_file(plan_file or PLAN_FILES[-1])
    return {a["code"]: {"short": a.get("short", {}), "en": a.get("en", {})} for a in raw["activities"]}


def in_language(value: str, code: str, field_name: str, texts: dict, lang: str) -> str:
    """A plan text as written (Swedish) or its English translation when the plan file has one."""
    if lang == "en":
        return texts.get(code, {}).get("en", {}).get(field_name) or value
    return value
