"""One term's counts as one grid: a row per breakdown (level × faculty) and direction, a column per programme.

IO enters a term's counts in one sitting instead of cycling level × faculty. The pure part lives here (frame ↔ cells,
testable without Streamlit); saving goes through ``counts.save_counts`` with the values the grid was drawn from.
"""

from collections.abc import Callable, Iterable

import pandas as pd
from sqlalchemy import Engine, select
from sqlmodel import Session

from mobility.counts import DIRECTIONS, FACULTIES, LEVELS, PROGRAMMES, Cell, Key
from mobility.models import MobilityCount

# (level, faculty, direction, programme) → count
GridKey = tuple[str, str, str, str]
ROW_COLUMNS = ("level", "faculty", "direction")
# Every breakdown, the broken-down ones first and the "not broken down" total last, as in a table with a sum row
BREAKDOWNS = tuple((level, faculty) for level in LEVELS for faculty in FACULTIES)


def term_counts(engine: Engine, *, year: int, term: str, group: str) -> dict[GridKey, tuple[int, str]]:
    """Every stored cell of one term and group, whatever its breakdown: {(level, faculty, direction, programme):
    (count, source)}."""
    query = select(MobilityCount.level, MobilityCount.faculty, MobilityCount.direction, MobilityCount.programme,
                   MobilityCount.count, MobilityCount.source).where(
        MobilityCount.year == year, MobilityCount.term == term, MobilityCount.group == group)
    with Session(engine) as session:
        return {(lvl, fac, d, p): (c, s) for lvl, fac, d, p, c, s in session.execute(query)}


def grid_rows(stored: Iterable[GridKey], *, every_breakdown: bool = False) -> list[tuple[str, str, str]]:
    """The grid's rows (level, faculty, direction): the breakdowns that hold counts this term, or every breakdown
    when asked to or when the term is still empty (so a new term can be entered from scratch)."""
    held = {(lvl, fac) for lvl, fac, _, _ in stored}
    shown = [b for b in BREAKDOWNS if every_breakdown or not held or b in held]
    return [(lvl, fac, d) for lvl, fac in shown for d in DIRECTIONS]


def row_id(level: str, faculty: str, direction: str) -> str:
    return f"{level}|{faculty}|{direction}"


def grid_frame(rows: list[tuple[str, str, str]], stored: dict[GridKey, tuple[int, str]],
               label: Callable[[str, str], str] = lambda column, code: code) -> pd.DataFrame:
    """The grid as a frame: the row's labels (``label(column, code)``) then one Int64 column per programme.

    The index holds the row's codes (``level|faculty|direction``) so edits map back to cells whatever the labels.
    """
    frame = pd.DataFrame(
        {column: [label(column, row[i]) for row in rows] for i, column in enumerate(ROW_COLUMNS)}
        | {p: pd.array([stored[(*row, p)][0] if (*row, p) in stored else None for row in rows], dtype="Int64")
           for p in PROGRAMMES},
        index=[row_id(*row) for row in rows],
    )
    return frame


def _number(value) -> int | float | None:
    """A grid value as saved: empty → None, whole → int; a fraction stays a float so the save refuses it."""
    if value is None or pd.isna(value):
        return None
    return int(value) if float(value).is_integer() else float(value)


def edited_cells(edited: pd.DataFrame, drawn: dict[GridKey, int], *, year: int, term: str,
                 group: str) -> tuple[list[Cell], dict[Key, int | None]]:
    """The cells the editor changed (only those) and, for each, the value the grid was drawn with: what
    ``save_counts`` needs to write them and to refuse a save over someone else's."""
    cells, expected = [], {}
    for rid, values in edited[list(PROGRAMMES)].iterrows():
        level, faculty, direction = str(rid).split("|")
        for programme in PROGRAMMES:
            new, before = _number(values[programme]), drawn.get((level, faculty, direction, programme))
            if new != before:
                cell = Cell(year, term, group, direction, programme, level, faculty, count=new)
                cells.append(cell)
                expected[cell.key] = before
    return cells, expected
