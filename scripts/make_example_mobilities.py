"""Write the two example lists of mobilities in data/examples/ (invented, clearly fake persons).

- ``beneficiary_module_export.csv``: laid out like an Erasmus+ Beneficiary Module / Mobility Tool+ export of a
  KA103 project (one row per mobility, personal columns included as in the real thing), HT 2017 – HT 2018;
- ``egen_mobilitetslista.csv``: a university's own list with Swedish column names, 2016, several programmes.

Every name is "Exempel"/"Test…", every e-mail ends in ``.invalid`` (a domain that cannot exist), every ID starts with
``FAKE``. ``python scripts/make_example_mobilities.py [--rows N --out FILE]`` also writes big files for benchmarks.
"""

import argparse
import csv
import io
import random
from datetime import date, timedelta
from pathlib import Path

EXAMPLES = Path(__file__).resolve().parents[1] / "data" / "examples"
HOME = "S SUNDSVA02"
PARTNERS = ["FAKE EXAMPL01", "FAKE TESTUNI02", "FAKE DEMOHOG03", "FAKE PROVUNI04"]
BM_COLUMNS = ["Mobility ID", "Project Code", "Activity Type", "Participant First Name", "Participant Last Name",
              "Participant Email", "Participant Date of Birth", "Participant Gender", "Participant Nationality",
              "Education Level", "Field of Education", "Sending Organisation Erasmus Code", "Sending Country",
              "Receiving Organisation Erasmus Code", "Receiving Country", "Start Date", "End Date"]
LEVELS = ["ISCED-6 - First cycle / Bachelor's or equivalent level (EQF-6)",
          "ISCED-7 - Second cycle / Master's or equivalent level (EQF-7)",
          "ISCED-8 - Third cycle / Doctoral or equivalent level (EQF-8)"]
FIRST = ["Exempel", "Testa", "Prova", "Demo", "Fiktiv", "Påhittad"]
LAST = ["Exempelsson", "Testsson", "Provander", "Demoberg", "Fiktivsson", "Påhittadsdotter"]

# (activity type, direction, first month, year) → how many: target B (STA out) is 14 in VT 2018 and 17 in HT 2018.
BM_PLAN = [
    ("STA", "out", date(2017, 9, 1), 12), ("STA", "out", date(2018, 1, 15), 14), ("STA", "out", date(2018, 8, 20), 17),
    ("STT", "out", date(2017, 10, 2), 4), ("STT", "out", date(2018, 4, 9), 6), ("STT", "out", date(2018, 9, 3), 5),
    ("SMS", "out", date(2017, 8, 28), 38), ("SMS", "out", date(2018, 1, 8), 33), ("SMS", "out", date(2018, 8, 27), 41),
    ("SMP", "out", date(2018, 6, 1), 7), ("SMP", "out", date(2018, 7, 1), 5),
    ("SMS", "in", date(2018, 1, 15), 9), ("STA", "in", date(2018, 10, 1), 3),
]

OWN_COLUMNS = ["Löpnummer", "Namn", "E-post", "Personnummer", "Kategori", "Riktning", "Program", "Nivå", "Fakultet",
               "Startdatum", "Slutdatum", "Lärosäte"]
OWN_PLAN = [  # (kategori, riktning, program, nivå, fakultet, start, how many)
    ("Student", "Ut", "Erasmus", "Grund", "NMT", date(2016, 1, 18), 11),
    ("Student", "Ut", "Erasmus", "Avancerad", "HUV", date(2016, 8, 29), 9),
    ("Student", "Ut", "Bilateralt", "Grund", "HUV", date(2016, 8, 22), 6),
    ("Student", "In", "Erasmus", "Grund", "NMT", date(2016, 8, 29), 21),
    ("Student", "In", "Nordplus", "Avancerad", "HUV", date(2016, 1, 11), 4),
    ("Student", "In", "Freemover betalande", "Avancerad", "NMT", date(2016, 8, 29), 7),
    ("Lärare", "Ut", "Erasmus", "", "HUV", date(2016, 5, 9), 5),
    ("Lärare", "Ut", "Linnaeus-Palme", "", "NMT", date(2016, 10, 3), 2),
    ("Personal", "Ut", "Erasmus", "", "Centralt", date(2016, 6, 13), 3),
]


def _person(rng: random.Random, n: int) -> tuple[str, str, str, date]:
    first, last = rng.choice(FIRST), rng.choice(LAST)
    born = date(1960, 1, 1) + timedelta(days=rng.randrange(0, 40 * 365))
    return first, f"{last}{n}", f"{first.lower()}.{n}@exempel.invalid".replace("å", "a"), born


def bm_rows(rng: random.Random, plan=BM_PLAN) -> list[list[str]]:
    rows, n = [], 0
    for activity, direction, start, how_many in plan:
        for _ in range(how_many):
            n += 1
            first, last, email, born = _person(rng, n)
            begin = start + timedelta(days=rng.randrange(0, 20))
            days = 120 if activity == "SMS" else 60 if activity == "SMP" else 5
            partner = rng.choice(PARTNERS)
            sending, receiving = (HOME, partner) if direction == "out" else (partner, HOME)
            level = rng.choice(LEVELS[:2]) if activity in ("SMS", "SMP") else ""
            rows.append([f"FAKE-MOB-{n:06d}", "2017-1-SE01-KA103-000000", activity, first, last, email,
                         born.strftime("%d-%m-%Y"), rng.choice("FM"), "SE" if direction == "out" else "DE", level,
                         "0613 Software and applications development and analysis",
                         sending, "SE" if direction == "out" else "DE", receiving, "DE" if direction == "out" else "SE",
                         begin.strftime("%d-%m-%Y"), (begin + timedelta(days=days)).strftime("%d-%m-%Y")])
    return rows


def own_rows(rng: random.Random) -> list[list[str]]:
    rows, n = [], 0
    for kategori, riktning, program, niva, fakultet, start, how_many in OWN_PLAN:
        for _ in range(how_many):
            n += 1
            first, last, email, born = _person(rng, n)
            begin = start + timedelta(days=rng.randrange(0, 10))
            rows.append([str(n), f"{first} {last}", email, f"{born:%Y%m%d}-FAKE", kategori, riktning, program, niva,
                         fakultet, begin.isoformat(), (begin + timedelta(days=140)).isoformat(),
                         rng.choice(PARTNERS)])
    return rows


def to_csv(columns: list[str], rows: list[list[str]], delimiter: str) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow(columns)
    writer.writerows(rows)
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def big_bm_export(n_rows: int, seed: int = 7) -> bytes:
    """An export of ``n_rows`` mobilities over 2014–2018 (for benchmarks)."""
    rng = random.Random(seed)
    kinds = [("SMS", "out"), ("SMP", "out"), ("STA", "out"), ("STT", "out"), ("SMS", "in"), ("STA", "in")]
    plan = [(a, d, date(2014, 1, 1) + timedelta(days=rng.randrange(0, 5 * 365)), 1)
            for a, d in (rng.choice(kinds) for _ in range(n_rows))]
    return to_csv(BM_COLUMNS, bm_rows(rng, plan), ";")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, help="write a big Beneficiary-Module-style export of this many rows")
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    if args.rows:
        args.out.write_bytes(big_bm_export(args.rows))
        return
    rng = random.Random(2018)
    (EXAMPLES / "beneficiary_module_export.csv").write_bytes(to_csv(BM_COLUMNS, bm_rows(rng), ";"))
    (EXAMPLES / "egen_mobilitetslista.csv").write_bytes(to_csv(OWN_COLUMNS, own_rows(rng), ";"))


if __name__ == "__main__":
    main()
