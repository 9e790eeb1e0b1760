"""Target maths for goals A, B and D: baseline, target, progress, expected path, status; balance; mix; Sweden.

The targets are data (``targets:``, ``balance:`` and ``composition:`` in the plan file). Counts are summed in SQL
into a small cube (period year × group × direction × programme), and everything here is derived from that cube.

Calendar year Y = VT Y + HT Y + whole-year rows of Y (the plan's "2015 års siffror"). Academic year Y (shown
"Y/Y+1") = HT Y + VT Y+1, as in official statistics; whole-year rows cannot be split into terms and are left out,
and an academic year is shown only when both of its terms have data.
"""

from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path

import pandas as pd
from sqlalchemy import Engine, case, func, select
from sqlmodel import Session

from mobility.models import MobilityCount
from mobility.plan import PLAN_FILES, load_plan_file

DATA = Path(__file__).resolve().parents[1] / "data"
NATIONAL_FILE = DATA / "reference" / "sweden_student_mobility.csv"
STATUSES = ("achieved", "on_track", "behind", "at_risk", "no_data")
ON_TRACK, BEHIND = 0.95, 0.85  # share of the expected progress


@dataclass(frozen=True)
class Goal:
    code: str
    area: str
    name: dict
    group: str
    direction: str
    programmes: tuple[str, ...] | None  # None = all programmes
    baseline_year: int
    uplift_pct: float
    target_year: int
    definition: dict


@cache
def plan_goals(plan_file: Path | None = None) -> dict:
    """The ``targets``, ``balance`` and ``composition`` sections of the (newest) plan file."""
    raw = load_plan_file(plan_file or PLAN_FILES[-1])
    goals = [
        Goal(code=g["code"], area=g["area"], name=g["name"], group=g["measure"]["group"],
             direction=g["measure"]["direction"],
             programmes=tuple(g["measure"]["programmes"]) if g["measure"].get("programmes") else None,
             baseline_year=int(g["baseline_year"]), uplift_pct=float(g["uplift_pct"]),
             target_year=int(g["target_year"]), definition=g["definition"])
        for g in raw.get("targets", [])
    ]
    return {"targets": goals, "balance": raw["balance"], "composition": raw["composition"]}


def goal(code: str) -> Goal:
    return next(g for g in plan_goals()["targets"] if g.code == code)


def year_label(year: int, academic: bool) -> str:
    return f"{year}/{(year + 1) % 100:02d}" if academic else str(year)


# The pure maths ----------------------------------------------------------------------------------------------------

def target_value(baseline: float | None, uplift_pct: float) -> float | None:
    return None if baseline is None else baseline * (1 + uplift_pct / 100)


def progress_pct(value: float | None, baseline: float | None, target: float | None) -> float | None:
    """Share of the way from baseline to target; None when there is no way to go (baseline 0 or no data)."""
    if value is None or baseline is None or target is None or target == baseline:
        return None
    return 100 * (value - baseline) / (target - baseline)


def expected_pct(year: int, baseline_year: int, target_year: int) -> float | None:
    """The straight path: 0 % in the baseline year, 100 % in the target year and after; None before the baseline."""
    if year < baseline_year:
        return None
    return min(100.0, 100 * (year - baseline_year) / (target_year - baseline_year))


def status(*, value: float | None, baseline: float | None, target: float | None, progress: float | None,
           expected: float | None) -> str:
    """achieved / on_track (≥ 95 % of expected) / behind (85–95 %) / at_risk (< 85 %) / no_data."""
    if value is None or baseline is None or target is None or expected is None:
        return "no_data"
    if value >= target:
        return "achieved"
    if progress is None:
        return "no_data"
    if progress >= ON_TRACK * expected:
        return "on_track"
    if progress >= BEHIND * expected:
        return "behind"
    return "at_risk"


def evaluate(g: Goal, series: pd.DataFrame, year: int) -> dict:
    """One target's standing in ``year`` from its yearly series (year, value)."""
    values = dict(zip(series["year"], series["value"], strict=True))
    baseline = _num(values.get(g.baseline_year))
    value = _num(values.get(year))
    target = target_value(baseline, g.uplift_pct)
    progress = progress_pct(value, baseline, target)
    expected = expected_pct(year, g.baseline_year, g.target_year)
    return {
        "code": g.code, "baseline_year": g.baseline_year, "baseline": baseline,
        "target": None if target is None else round(target, 2), "target_year": g.target_year, "value": value,
        "progress_pct": None if progress is None else round(progress, 1),
        "expected_pct": None if expected is None else round(expected, 1),
        "status": status(value=value, baseline=baseline, target=target, progress=progress, expected=expected),
    }


def _num(value) -> int | None:
    return None if value is None or value != value else int(value)


# The cube (one GROUP BY) ---------------------------------------------------------------------------------------

CUBE_COLUMNS = ["year", "term", "group", "direction", "programme", "value", "examples", "updated_at"]


def count_cube(engine: Engine, *, academic: bool = False, faculty: str | None = None, programme: str | None = None,
               level: str | None = None) -> pd.DataFrame:
    """Counts summed per period year × term × group × direction × programme, filters applied in SQL."""
    c = MobilityCount
    period = case((c.term == "VT", c.year - 1), else_=c.year) if academic else c.year
    query = select(
        period.label("period"), c.term, c.group, c.direction, c.programme, func.sum(c.count),
        func.sum(case((c.source == "example", 1), else_=0)), func.max(c.updated_at),
    ).group_by(period, c.term, c.group, c.direction, c.programme)
    if academic:
        query = query.where(c.term != "")
    for column, value in ((c.faculty, faculty), (c.programme, programme), (c.level, level)):
        if value is not None:
            query = query.where(column == value)
    with Session(engine) as session:
        cube = pd.DataFrame(session.execute(query).all(), columns=CUBE_COLUMNS)
    cube[["year", "value", "examples"]] = cube[["year", "value", "examples"]].astype("int64")
    if academic and len(cube):
        terms = cube.groupby("year")["term"].agg(set)
        cube = cube[cube["year"].isin(terms[terms.map(lambda t: {"VT", "HT"} <= t)].index)]
    return cube


def _sum_by_year(cube: pd.DataFrame, *, group: str, direction: str | None = None,
                 programmes=None) -> pd.Series:
    rows = cube[cube["group"] == group]
    if direction:
        rows = rows[rows["direction"] == direction]
    if programmes is not None:
        rows = rows[rows["programme"].isin(list(programmes))]
    return rows.groupby("year")["value"].sum()


def series_from_cube(cube: pd.DataFrame, g: Goal) -> pd.DataFrame:
    sums = _sum_by_year(cube, group=g.group, direction=g.direction, programmes=g.programmes)
    return pd.DataFrame({"year": sums.index.astype("int64"), "value": sums.values.astype("int64")})


def balance_from_cube(cube: pd.DataFrame) -> pd.DataFrame:
    """Per year: incoming, outgoing (exchange programmes) and their ratio (None without incoming)."""
    spec = plan_goals()["balance"]
    years = sorted(set(cube.loc[cube["group"] == spec["group"], "year"]))
    out = _sum_by_year(cube, group=spec["group"], direction="out", programmes=spec["programmes"])
    inc = _sum_by_year(cube, group=spec["group"], direction="in", programmes=spec["programmes"])
    frame = pd.DataFrame({"year": years, "incoming": [int(inc.get(y, 0)) for y in years],
                          "outgoing": [int(out.get(y, 0)) for y in years]})
    frame["ratio"] = [round(o / i, 3) if i else None for o, i in zip(frame["outgoing"], frame["incoming"],
                                                                      strict=True)]
    return frame


def composition_from_cube(cube: pd.DataFrame) -> pd.DataFrame:
    """Per year: incoming students split into the parts of the plan's mix (exchange, fee_paying, no_fee)."""
    spec = plan_goals()["composition"]
    years = sorted(set(cube.loc[(cube["group"] == spec["group"]) & (cube["direction"] == spec["direction"]), "year"]))
    frame = pd.DataFrame({"year": years})
    for part, programmes in spec["parts"].items():
        sums = _sum_by_year(cube, group=spec["group"], direction=spec["direction"], programmes=programmes)
        frame[part] = [int(sums.get(y, 0)) for y in years]
    return frame


# What callers use --------------------------------------------------------------------------------------------------

def target_series(engine: Engine, code: str, *, academic: bool = False, faculty: str | None = None,
                  programme: str | None = None, level: str | None = None) -> pd.DataFrame:
    """The yearly values (year, value) of target ``code``; years without any matching row are absent."""
    cube = count_cube(engine, academic=academic, faculty=faculty, programme=programme, level=level)
    return series_from_cube(cube, goal(code))


def report_from_cube(cube: pd.DataFrame, year: int | None = None) -> dict:
    year = year if year is not None else (int(cube["year"].max()) if len(cube) else None)
    targets = [evaluate(g, series_from_cube(cube, g), year) if year is not None else
               {**evaluate(g, series_from_cube(cube, g), g.baseline_year), "value": None, "progress_pct": None,
                "expected_pct": None, "status": "no_data"}
               for g in plan_goals()["targets"]]
    balance = balance_from_cube(cube).set_index("year")
    mix = composition_from_cube(cube).set_index("year")
    parts = list(plan_goals()["composition"]["parts"])
    return {
        "year": year,
        "targets": targets,
        "balance": {
            "incoming": int(balance.at[year, "incoming"]) if year in balance.index else 0,
            "outgoing": int(balance.at[year, "outgoing"]) if year in balance.index else 0,
            "ratio": balance.at[year, "ratio"] if year in balance.index else None,
        },
        "composition": {p: int(mix.at[year, p]) if year in mix.index else 0 for p in parts},
    }


def last_year_by(as_of: date, academic: bool) -> int:
    """The latest period year that has begun by ``as_of`` (an academic year begins with its autumn term)."""
    return as_of.year if not academic or as_of.month >= 8 else as_of.year - 1


def headline_year(years, as_of: date, academic: bool = False) -> tuple[int | None, str]:
    """The year the targets' headline shows on ``as_of``, and why: ``as_of_year`` (that year has counts),
    ``latest_before`` (the last year with counts up to it) or ``no_data``."""
    limit = last_year_by(as_of, academic)
    known = [int(y) for y in years if y <= limit]
    if limit in known:
        return limit, "as_of_year"
    return (max(known), "latest_before") if known else (None, "no_data")


def up_to(cube: pd.DataFrame, as_of: date, academic: bool = False) -> pd.DataFrame:
    """The counts of periods begun by ``as_of``: a view of an earlier day does not show later years."""
    return cube[cube["year"] <= last_year_by(as_of, academic)]


def targets_report(engine: Engine, *, as_of: date, year: int | None = None, academic: bool = False,
                   faculty: str | None = None, programme: str | None = None, level: str | None = None) -> dict:
    """Every target's standing, the balance and the mix in ``year`` (default: the headline year on ``as_of``).

    The shape of ``python -m mobility targets --json``; ``year_reason`` says which year was chosen and why.
    """
    cube = up_to(count_cube(engine, academic=academic, faculty=faculty, programme=programme, level=level), as_of,
                 academic)
    reason = "chosen"
    if year is None:
        year, reason = headline_year(cube["year"].unique(), as_of, academic)
    report = {"as_of": as_of.isoformat(), "year_reason": reason, "example": bool(cube["examples"].sum()),
              **report_from_cube(cube, year)}
    ratio = report["balance"]["ratio"]
    report["balance"]["ratio"] = None if ratio is None or ratio != ratio else float(ratio)
    return report


def national_reference() -> pd.DataFrame:
    """Sweden's national totals per academic year (all universities together), with their sources."""
    frame = pd.read_csv(NATIONAL_FILE, dtype={"academic_year": str})
    frame["year"] = frame["academic_year"].str[:4].astype("int64")
    return frame


def national_comparison(cube_academic: pd.DataFrame) -> pd.DataFrame:
    """University vs Sweden as an index (first academic year both have = 100), for outgoing and incoming students.

    Rows: year, direction, who ("university"/"national"), value, index.
    """
    national = national_reference()
    rows = []
    for direction, column in (("out", "outgoing_total"), ("in", "incoming_total")):
        ours = _sum_by_year(cube_academic, group="student", direction=direction)
        theirs = national.dropna(subset=[column]).set_index("year")[column]
        common = sorted(set(ours.index) & set(theirs.index))
        if not common or not ours.get(common[0]) or not theirs.get(common[0]):
            continue
        base_year = common[0]
        for who, values in (("university", ours), ("national", theirs)):
            for y, v in values.items():
                if y >= base_year:
                    rows.append({"year": int(y), "direction": direction, "who": who, "value": float(v),
                                 "index": round(100 * float(v) / float(values[base_year]), 1)})
    return pd.DataFrame(rows, columns=["year", "direction", "who", "value", "index"])


def targets_page(engine: Engine, *, as_of: date, academic: bool = False, faculty: str | None = None,
                 programme: str | None = None, level: str | None = None) -> dict:
    """Everything the targets page draws on ``as_of``, from two GROUP BY queries (cached on the data version)."""
    cube = up_to(count_cube(engine, academic=academic, faculty=faculty, programme=programme, level=level), as_of,
                 academic)
    cube_academic = cube if academic else up_to(count_cube(engine, academic=True, faculty=faculty,
                                                           programme=programme, level=level), as_of, True)
    years = sorted(int(y) for y in cube["year"].unique())
    return {
        "years": years,
        "headline": headline_year(years, as_of, academic),
        "series": {g.code: series_from_cube(cube, g) for g in plan_goals()["targets"]},
        "balance": balance_from_cube(cube),
        "composition": composition_from_cube(cube),
        "national": national_comparison(cube_academic),
        "examples": int(cube["examples"].sum()) + int(cube_academic["examples"].sum()),
        "updated_at": cube["updated_at"].max() if len(cube) else None,
        "cube": cube,
    }


def national_sources(engine: Engine | None = None) -> list[tuple[str, str]]:
    """(academic years, source address) of the national figures shipped in data/reference/, one entry per source."""
    frame = national_reference()
    return [(", ".join(rows["academic_year"]), url) for url, rows in frame.groupby("source", sort=False)]
