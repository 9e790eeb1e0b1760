"""Exports: chart images (PNG/SVG, one or all as a ZIP) and data (XLSX/CSV), safe to open in a spreadsheet.

Both are registries: a domain adds one ``ChartSpec`` to ``CHARTS`` or one loader to ``SHEETS`` and every export
(the pages' download buttons, ``python -m mobility export-charts`` and ``export``) picks it up.
"""

import io
import threading
import warnings
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime

import pandas as pd
import plotly.graph_objects as go
import plotly.io as pio
from sqlalchemy import Engine

from mobility import budget, targets
from mobility.activities import activity_table, area_summaries
from mobility.audit import audit_entries
from mobility.charts import mark_example, timeline
from mobility.charts_budget import burn_chart
from mobility.charts_targets import balance_chart, mix_chart, target_chart
from mobility.checklists import checklists_json
from mobility.counts import counts_frame
from mobility.examples import example_counts
from mobility.i18n import local_time, local_today, t

# Chart images ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ChartSpec:
    stems: dict[str, str]  # file name without extension, per language: {"sv": "tidsplan-…", "en": "timeline-…"}
    build: Callable[[Engine, str, date], go.Figure]  # (engine, lang, today) -> figure

    def file_stem(self, lang: str) -> str:
        return self.stems.get(lang) or self.stems["sv"]


def _timeline(engine: Engine, lang: str, today: date) -> go.Figure:
    area_names = {a.code: getattr(a, f"name_{lang}") for a in area_summaries(engine)}
    from mobility.overview import plan_texts, short_title

    table = activity_table(engine, today)
    texts = plan_texts()
    return timeline(table, lang=lang, today=today, area_names=area_names,
                    short_titles={c: short_title(c, texts, lang) for c in table["code"]})


def _target(code: str) -> Callable[[Engine, str, date], go.Figure]:
    def build(engine: Engine, lang: str, today: date) -> go.Figure:
        cube = targets.count_cube(engine)
        row = next(r for r in targets.report_from_cube(cube)["targets"] if r["code"] == code)
        goal = targets.goal(code)
        figure = target_chart(targets.series_from_cube(cube, goal), row, name=goal.name[lang], lang=lang)
        return mark_example(figure, lang) if cube["examples"].any() else figure

    return build


def _balance(engine: Engine, lang: str, today: date) -> go.Figure:
    cube = targets.count_cube(engine)
    figure = balance_chart(targets.balance_from_cube(cube), lang=lang,
                           goal_ratio=targets.plan_goals()["balance"]["goal_ratio"])
    return mark_example(figure, lang) if cube["examples"].any() else figure


def _mix(engine: Engine, lang: str, today: date) -> go.Figure:
    cube = targets.count_cube(engine)
    figure = mix_chart(targets.composition_from_cube(cube), lang=lang)
    return mark_example(figure, lang) if cube["examples"].any() else figure


def _budget_burn(engine: Engine, lang: str, today: date) -> go.Figure:
    total = budget.budget_report(engine, as_of=today)["total"]
    figure = burn_chart(budget.cumulative_spend(engine, as_of=today), budget.planned_burn(engine, as_of=today),
                        lang=lang, scope=t("chart.burn.whole", lang), as_of=today,
                        allocated_ore=round(total["allocated"] * 100))
    return mark_example(figure, lang) if "spend" in example_counts(engine) else figure


CHARTS: dict[str, ChartSpec] = {
    "timeline": ChartSpec({"sv": "tidsplan-mobilitetsplan", "en": "timeline-mobility-plan"}, _timeline),
    "target_a": ChartSpec({"sv": "utresande-studenter-mal-a", "en": "outgoing-students-target-a"}, _target("A")),
    "target_b": ChartSpec({"sv": "erasmus-lararmobilitet-mal-b", "en": "erasmus-teacher-mobility-target-b"},
                          _target("B")),
    "balance": ChartSpec({"sv": "balans-in-och-utresande", "en": "balance-incoming-outgoing"}, _balance),
    "mix": ChartSpec({"sv": "sammansattning-internationella-studenter", "en": "mix-international-students"}, _mix),
    "budget_burn": ChartSpec({"sv": "budgetforbrukning", "en": "budget-burn"}, _budget_burn),
}

FORMATS = {"png": "image/png", "svg": "image/svg+xml"}
DEFAULT_WIDTH, DEFAULT_HEIGHT, DEFAULT_SCALE = 1200, 675, 2

_export_lock = threading.Lock()
_server_started = False


def _ensure_export_server() -> None:
    """One long-lived Chromium for the whole process: a cold start costs seconds, a warm export a fraction."""
    global _server_started
    if not _server_started:
        import kaleido

        kaleido.start_sync_server(n=1, timeout=90, mathjax=False, silence_warnings=True)
        _server_started = True


def figure_image(fig: go.Figure, *, fmt: str = "png", width: int | None = None, height: int | None = None,
                 scale: float = DEFAULT_SCALE) -> bytes:
    """``fig`` as PNG or SVG of exactly width·scale × height·scale pixels (default: the figure's own height).

    Calls are serialised: the export process is shared by every session of the app.
    """
    if fmt not in FORMATS:
        raise ValueError(f"format: {fmt!r} is not one of {', '.join(FORMATS)}")
    width = int(width or DEFAULT_WIDTH)
    height = int(height or fig.layout.height or DEFAULT_HEIGHT)
    with _export_lock:
        _ensure_export_server()
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", message="The kopts argument is ignored")
            return pio.to_image(fig, format=fmt, width=width, height=height, scale=scale)


def chart_image(engine: Engine, key: str, *, lang: str, today: date, fmt: str = "png", width: int | None = None,
                height: int | None = None, scale: float = DEFAULT_SCALE) -> bytes:
    """One registered chart, built from the database as it is now."""
    return figure_image(CHARTS[key].build(engine, lang, today), fmt=fmt, width=width, height=height, scale=scale)


def chart_file_name(key: str, *, lang: str, fmt: str) -> str:
    return f"{CHARTS[key].file_stem(lang)}.{fmt}"


def charts_zip(engine: Engine, *, lang: str, today: date, formats=("png", "svg"), width: int | None = None,
               height: int | None = None, scale: float = DEFAULT_SCALE) -> bytes:
    """Every registered chart in every format, one file each, in a ZIP."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for key, spec in CHARTS.items():
            fig = spec.build(engine, lang, today)
            for fmt in formats:
                archive.writestr(chart_file_name(key, lang=lang, fmt=fmt),
                                 figure_image(fig, fmt=fmt, width=width, height=height, scale=scale))
    return buffer.getvalue()


# Data -----------------------------------------------------------------------------------------------------------

# Text a spreadsheet would run as a formula (or that hides one behind a tab or carriage return).
XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value):
    """Prefix formula-like text with an apostrophe so a spreadsheet shows it instead of running it."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def neutralised(df: pd.DataFrame) -> pd.DataFrame:
    """A copy fit for a spreadsheet: formula-like text neutralised, times local and naive, lists joined."""
    out = df.copy()
    for column in out.columns:
        values = out[column]
        if isinstance(values.dtype, pd.DatetimeTZDtype):
            out[column] = values.dt.tz_convert("Europe/Stockholm").dt.tz_localize(None)
        elif values.dtype == object or pd.api.types.is_string_dtype(values):
            out[column] = values.map(_cell).astype(object)
    return out


def _cell(value):
    if isinstance(value, list | tuple | set):
        value = ", ".join(str(v) for v in value)
    if isinstance(value, datetime):
        return local_time(value).replace(tzinfo=None)
    return neutralise(value)


def activities_sheet(engine: Engine) -> pd.DataFrame:
    df = activity_table(engine, local_today())
    return df.drop(columns=["version", "years"])


def audit_sheet(engine: Engine) -> pd.DataFrame:
    return audit_entries(engine, limit=None).iloc[::-1].reset_index(drop=True)  # oldest first, as a ledger


# Sheet name (≤ 31 characters, Excel's limit) → loader. A domain adds its table here.
def checklist_items_sheet(engine: Engine) -> pd.DataFrame:
    """Every item of every checklist's newest version, one row each."""
    return pd.DataFrame([
        {"key": c["key"], "title": c["title"], "version": c["version"], "status": c["status"],
         "activities": ", ".join(c["activities"]), "phase": item["phase"], "text": item["text"]}
        for c in checklists_json(engine) for item in c["items"]
    ])


def deliverables_sheet(engine: Engine) -> pd.DataFrame:
    from mobility.deliverables import register

    return pd.DataFrame(register(engine)).drop(columns=["version"], errors="ignore")


def communications_sheet(engine: Engine) -> pd.DataFrame:
    from mobility.communications import entries
    from mobility.models import Communication

    return pd.DataFrame(entries(engine, limit=None)[::-1], columns=list(Communication.model_fields))


def meetings_sheet(engine: Engine) -> pd.DataFrame:
    from mobility.meetings import meetings
    from mobility.models import Meeting

    return pd.DataFrame([{**m, "attendees": ", ".join(m["attendees"])} for m in meetings(engine)][::-1],
                        columns=list(Meeting.model_fields))


def meeting_actions_sheet(engine: Engine) -> pd.DataFrame:
    """Every action, open or done, with the meeting that set it; decisions are one column of ``meetings``."""
    from mobility.meetings import actions, decisions

    rows = [{"kind": "action", **a} for a in actions(engine, as_of=date.max, open_only=False)]
    rows += [{"kind": "decision", "held_on": d["held_on"], "what": d["text"]} for d in decisions(engine)]
    # Named columns: an empty sheet still says what it would hold
    return pd.DataFrame(rows, columns=["kind", "held_on", "what", "who", "due_on", "done_on", "done_by", "overdue",
                                       "id"])


SHEETS: dict[str, Callable[[Engine], pd.DataFrame]] = {
    "activities": activities_sheet,
    "counts": counts_frame,
    "spending": lambda engine: budget.ledger_entries(engine, limit=None),
    "checklists": checklist_items_sheet,
    "deliverables": deliverables_sheet,
    "communications": communications_sheet,
    "meetings": meetings_sheet,
    "meeting_minutes": meeting_actions_sheet,
    "audit": audit_sheet,
}


def to_xlsx(sheets: dict[str, pd.DataFrame]) -> bytes:
    """One sheet per frame, neutralised, with a frozen header row."""
    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        for name, df in sheets.items():
            neutralised(df).to_excel(writer, sheet_name=name[:31], index=False)
            sheet = writer.sheets[name[:31]]
            sheet.freeze_panes = "A2"
            # Numbers stay numbers, shown with thousands separators in the reader's Excel locale
            for position, column in enumerate(df.columns, start=1):
                if pd.api.types.is_numeric_dtype(df[column]) and not pd.api.types.is_bool_dtype(df[column]):
                    number_format = "#,##0" if pd.api.types.is_integer_dtype(df[column]) else "#,##0.00"
                    for (cell,) in sheet.iter_rows(min_row=2, min_col=position, max_col=position):
                        cell.number_format = number_format
            for column in sheet.columns:
                width = max((len(str(c.value)) for c in column[:200] if c.value is not None), default=8)
                sheet.column_dimensions[column[0].column_letter].width = min(max(width + 2, 8), 60)
    return buffer.getvalue()


def to_csv(df: pd.DataFrame) -> bytes:
    """UTF-8 with a byte-order mark, so Excel reads å, ä and ö right; neutralised like every export."""
    return neutralised(df).to_csv(index=False).encode("utf-8-sig")


def export_workbook(engine: Engine) -> bytes:
    """Everything, one sheet per registered table."""
    return to_xlsx({name: load(engine) for name, load in SHEETS.items()})
