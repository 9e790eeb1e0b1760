"""Write data/example_counts.csv: invented but plausible counts for 2014–2018, for a newcomer's first look.

Not real figures (no public per-university figures exist for these years); the app marks them as example data.
Yearly totals are split over terms, programmes, levels and faculties by fixed shares (largest remainder), so the
file is the same every time this runs.
"""

import csv
from pathlib import Path

OUT = Path(__file__).resolve().parents[1] / "data" / "example_counts.csv"
YEARS = range(2014, 2019)
TERMS = {"VT": 0.45, "HT": 0.55}
LEVELS = {"first": 0.7, "second": 0.3}
FACULTIES = {"NMT": 0.55, "HUV": 0.45}

# (group, direction) → ({programme: share}, {year: total}); the totals give goal A "behind" and goal B "achieved".
PLAN = {
    ("student", "out"): ({"erasmus": 0.55, "nordplus": 0.1, "bilateral": 0.25, "linnaeus_palme": 0.03, "mfs": 0.04,
                          "other_exchange": 0.03}, {2014: 96, 2015: 100, 2016: 106, 2017: 114, 2018: 122}),
    ("student", "in"): ({"erasmus": 0.65, "nordplus": 0.08, "bilateral": 0.22, "linnaeus_palme": 0.03,
                         "other_exchange": 0.02}, {2014: 190, 2015: 200, 2016: 204, 2017: 210, 2018: 214}),
    ("student", "in-fee"): ({"freemover_fee": 1.0}, {2014: 28, 2015: 31, 2016: 36, 2017: 40, 2018: 44}),
    ("student", "in-free"): ({"freemover_no_fee": 1.0}, {2014: 62, 2015: 58, 2016: 57, 2017: 55, 2018: 52}),
    ("teacher", "out"): ({"erasmus": 0.75, "nordplus": 0.15, "bilateral": 0.1},
                         {2014: 24, 2015: 27, 2016: 28, 2017: 31, 2018: 33}),
    ("teacher", "in"): ({"erasmus": 0.8, "nordplus": 0.2}, {2014: 17, 2015: 18, 2016: 20, 2017: 19, 2018: 22}),
}
ERASMUS_TEACHERS_OUT = {2014: 18, 2015: 20, 2016: 21, 2017: 23, 2018: 25}
STAFF = {("staff", "out"): {2014: 5, 2015: 6, 2016: 8, 2017: 9, 2018: 11},
         ("staff", "in"): {2014: 4, 2015: 5, 2016: 5, 2017: 7, 2018: 6}}
STAFF_FACULTIES = {"central": 0.6, "NMT": 0.2, "HUV": 0.2}


def split(total: int, shares: dict[str, float]) -> dict[str, int]:
    """Largest remainder: whole numbers that add up to ``total``."""
    raw = {k: total * s for k, s in shares.items()}
    whole = {k: int(v) for k, v in raw.items()}
    for k in sorted(raw, key=lambda k: raw[k] - whole[k], reverse=True)[: total - sum(whole.values())]:
        whole[k] += 1
    return whole


def rows():
    for (group, direction), (programmes, totals) in PLAN.items():
        direction = direction.split("-")[0]
        for year in YEARS:
            if group == "teacher" and direction == "out":  # goal B counts Erasmus only, so its figures are exact
                erasmus = ERASMUS_TEACHERS_OUT[year]
                others = {p: s for p, s in programmes.items() if p != "erasmus"}
                per_programme = {"erasmus": erasmus, **split(totals[year] - erasmus, others)}
            else:
                per_programme = split(totals[year], programmes)
            for programme, n in per_programme.items():
                for term, t_n in split(n, TERMS).items():
                    levels = LEVELS if group == "student" else {"": 1.0}
                    for level, l_n in split(t_n, levels).items():
                        for faculty, f_n in split(l_n, FACULTIES).items():
                            if f_n:
                                yield [year, term, group, direction, programme, level, faculty, f_n, ""]
    for (group, direction), totals in STAFF.items():
        for year in YEARS:
            for faculty, n in split(totals[year], STAFF_FACULTIES).items():
                if n:
                    yield [year, "", group, direction, "erasmus", "", faculty, n, "helår"]


if __name__ == "__main__":
    with open(OUT, "w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(["year", "term", "group", "direction", "programme", "level", "faculty", "count", "note"])
        writer.writerows(rows())
    print(f"wrote {OUT}")
