"""Exports: chart images (PNG/SVG, one or all as a ZIP) and data (XLSX/CSV), safe to open in a spreadsheet.

Both are registries: a domain adds one ``ChartSpec`` to ``CHARTS`` or one loader to ``SHEETS`` and every export
(the pages' download buttons, ``python -m mobility export-charts`` and ``export``) picks it up.
"""

import hashlib
import io
import re
import threading
import unicodedata
import warnings
import zipfile
from collections import OrderedDict
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
from mobility.charts import timeline
from mobility.charts_budget import burn_chart
from mobility.charts_targets import balance_chart, mix_chart, national_comparison_chart, target_chart
from mobility.checklist_documents import checklists_json
from mobility.counts import counts_frame
from mobility.examples import example_counts
from mobility.i18n import fmt_date, fmt_int, fmt_number, fmt_sek, local_time, t
from mobility.print_layout import DEFAULT_SIZE, PrintSize, plain, print_figure

# Chart images ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Chart:
    """A chart as it leaves the app: the figure and what its caption says about it."""

    figure: go.Figure
    alt: str  # one sentence for readers who cannot see the image
    definition: str  # what is counted
    examples: bool  # example data contributes


@dataclass(frozen=True)
class ChartSpec:
    stems: dict[str, str]  # file name without extension, per language: {"sv": "tidsplan-…", "en": "timeline-…"}
    make: Callable[[Engine, str, date], Chart]  # (engine, lang, as_of) -> chart
    source_key: str = "print.source.io"  # the source line's organisation, a string key

    def file_stem(self, lang: str) -> str:
        return self.stems.get(lang) or self.stems["sv"]

    def build(self, engine: Engine, lang: str, as_of: date) -> go.Figure:
        return self.make(engine, lang, as_of).figure


def _timeline(engine: Engine, lang: str, as_of: date) -> Chart:
    area_names = {a.code: getattr(a, f"name_{lang}") for a in area_summaries(engine)}
    from mobility.overview import plan_texts, short_title

    table = activity_table(engine, as_of)
    texts = plan_texts()
    dated = table[table["start_month"].notna()]
    first = int(dated["start_month"].min().year) if len(dated) else as_of.year
    last = max([e.year for e in dated["end_month"].dropna()] + [s.year for s in dated["start_month"]],
               default=as_of.year)
    alt = t("print.alt.timeline", lang, n=len(dated), first=first, last=last,
            done=int((table["status"] == "done").sum()), late=int(table["overdue"].sum()), date=fmt_date(as_of, lang))
    figure = timeline(table, lang=lang, today=as_of, area_names=area_names,
                      short_titles={c: short_title(c, texts, lang) for c in table["code"]})
    return Chart(figure, alt, t("print.definition.timeline", lang), False)


def _target(code: str) -> Callable[[Engine, str, date], Chart]:
    def make(engine: Engine, lang: str, as_of: date) -> Chart:
        cube = targets.up_to(targets.count_cube(engine), as_of)
        year, _ = targets.headline_year(cube["year"].unique(), as_of)
        row = next(r for r in targets.report_from_cube(cube, year)["targets"] if r["code"] == code)
        goal = targets.goal(code)
        figure = target_chart(targets.series_from_cube(cube, goal), row, name=goal.name[lang], lang=lang)
        alt = t("print.alt.target", lang, name=goal.name[lang], year=row["target_year"],
                value=fmt_int(row["value"], lang), latest=report_year(cube), target=fmt_int(row["target"], lang),
                baseline=fmt_int(row["baseline"], lang),
                baseline_year=row["baseline_year"], status=t(f"targets.status.{row['status']}", lang).lower())
        return Chart(figure, alt, goal.definition[lang], bool(cube["examples"].any()))

    return make


def report_year(cube: pd.DataFrame) -> str:
    return str(int(cube["year"].max())) if len(cube) else "–"


def _balance(engine: Engine, lang: str, as_of: date) -> Chart:
    cube = targets.up_to(targets.count_cube(engine), as_of)
    spec = targets.plan_goals()["balance"]
    frame = targets.balance_from_cube(cube)
    latest = frame.iloc[-1] if len(frame) else None
    alt = t("print.alt.balance", lang, year=report_year(cube),
            ratio=fmt_number(None if latest is None else latest["ratio"], lang, 2),
            outgoing=fmt_int(None if latest is None else latest["outgoing"], lang),
            incoming=fmt_int(None if latest is None else latest["incoming"], lang),
            goal=fmt_number(spec["goal_ratio"], lang, 1))
    return Chart(balance_chart(frame, lang=lang, goal_ratio=spec["goal_ratio"]), alt, spec["definition"][lang],
                 bool(cube["examples"].any()))


def _mix(engine: Engine, lang: str, as_of: date) -> Chart:
    cube = targets.up_to(targets.count_cube(engine), as_of)
    frame = targets.composition_from_cube(cube)
    parts = targets.report_from_cube(cube, targets.headline_year(cube["year"].unique(), as_of)[0])["composition"]
    alt = t("print.alt.mix", lang, year=report_year(cube), parts=", ".join(
        f"{t(f'targets.mix.{p}', lang).lower()} {fmt_int(n, lang)}" for p, n in parts.items()))
    return Chart(mix_chart(frame, lang=lang), alt, targets.plan_goals()["composition"]["definition"][lang],
                 bool(cube["examples"].any()))


def _national(engine: Engine, lang: str, as_of: date) -> Chart:
    cube = targets.up_to(targets.count_cube(engine, academic=True), as_of, academic=True)
    comparison = targets.national_comparison(cube)
    years = sorted(set(comparison["year"])) if len(comparison) else []
    span = f"{targets.year_label(years[0], True)}–{targets.year_label(years[-1], True)}" if years else "–"
    sources = ", ".join(f"{y}: {u}" for y, u in targets.national_sources())
    return Chart(national_comparison_chart(comparison, lang=lang), t("print.alt.national", lang, years=span),
                 t("targets.national.caption", lang, sources=sources), bool(cube["examples"].any()))


def _budget_burn(engine: Engine, lang: str, as_of: date) -> Chart:
    total = budget.budget_report(engine, as_of=as_of)["total"]
    spend, planned = budget.cumulative_spend(engine, as_of=as_of), budget.planned_burn(engine, as_of=as_of)
    allocated = round(total["allocated"] * 100)
    figure = burn_chart(spend, planned, lang=lang, scope=t("chart.burn.whole", lang), as_of=as_of,
                        allocated_ore=allocated)
    planned_now = planned.loc[planned["date"] <= as_of, "planned_sek"]
    alt = t("chart.burn.alt", lang, spent=fmt_sek(total["spent"], lang),
            planned=fmt_sek(planned_now.iloc[-1] if len(planned_now) else 0, lang), date=fmt_date(as_of, lang),
            allocated=fmt_sek(total["allocated"], lang))
    return Chart(figure, alt, t("print.definition.budget_burn", lang), "spend" in example_counts(engine))


CHARTS: dict[str, ChartSpec] = {
    "timeline": ChartSpec({"sv": "tidsplan-mobilitetsplan", "en": "timeline-mobility-plan"}, _timeline),
    "target_a": ChartSpec({"sv": "utresande-studenter-mal-a", "en": "outgoing-students-target-a"}, _target("A")),
    "target_b": ChartSpec({"sv": "erasmus-lararmobilitet-mal-b", "en": "erasmus-teacher-mobility-target-b"},
                          _target("B")),
    "balance": ChartSpec({"sv": "balans-in-och-utresande", "en": "balance-incoming-outgoing"}, _balance),
    "mix": ChartSpec({"sv": "sammansattning-internationella-studenter", "en": "mix-international-students"}, _mix),
    "national": ChartSpec({"sv": "miun-och-sverige", "en": "miun-and-sweden"}, _national,
                          source_key="print.source.national"),
    "budget_burn": ChartSpec({"sv": "budgetforbrukning", "en": "budget-burn"}, _budget_burn),
}

FORMATS = {"png": "image/png", "svg": "image/svg+xml"}
DEFAULT_WIDTH, DEFAULT_HEIGHT, DEFAULT_SCALE = 1200, 675, 2

_export_lock = threading.Lock()
_server_started = False
# Drawn images by what they show: a write that leaves a chart as it was (most writes, for most charts) does not
# make Chromium draw it again. ~30 images of 20–200 kB.
_drawn: OrderedDict[str, bytes] = OrderedDict()
DRAWN_KEPT = 32


def _ensure_export_server() -> None:
    """One long-lived Chromium for the whole process: a cold start costs seconds, a warm export a fraction."""
    global _server_started
    if not _server_started:
        import kaleido

        kaleido.start_sync_server(n=1, timeout=90, mathjax=False, silence_warnings=True)
        _server_started = True


def start_export_server() -> None:
    """Start the export Chromium now (at process start-up) rather than on the first image someone asks for; its
    first drawing is slow too, so draw a small one."""
    figure_image(go.Figure(go.Bar(x=[1], y=[1])), fmt="svg", width=100, height=100, scale=1)


def figure_image(fig: go.Figure, *, fmt: str = "png", width: int | None = None, height: int | None = None,
                 scale: float = DEFAULT_SCALE) -> bytes:
    """``fig`` as PNG or SVG of exactly width·scale × height·scale pixels (default: the figure's own height).

    Calls are serialised: the export process is shared by every session of the app.
    """
    if fmt not in FORMATS:
        raise ValueError(f"format: {fmt!r} is not one of {', '.join(FORMATS)}")
    width = int(width or DEFAULT_WIDTH)
    height = int(height or fig.layout.height or DEFAULT_HEIGHT)
    key = hashlib.sha256(f"{fmt} {width} {height} {scale} {fig.to_json()}".encode()).hexdigest()
    with _export_lock:
        if key in _drawn:
            _drawn.move_to_end(key)
            return _drawn[key]
        _ensure_export_server()
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", message="The kopts argument is ignored")
            image = pio.to_image(fig, format=fmt, width=width, height=height, scale=scale)
        _drawn[key] = image
        while len(_drawn) > DRAWN_KEPT:
            _drawn.popitem(last=False)
        return image


def print_image(fig: go.Figure, *, lang: str, as_of: date, examples: bool, size: str | PrintSize = DEFAULT_SIZE,
                fmt: str = "png", source_key: str = "print.source.io") -> bytes:
    """``fig`` on the print canvas ``size`` (see ``print_layout.SIZES``): the one way every chart image is made."""
    canvas = print_figure(fig, size=size, lang=lang, as_of=as_of, examples=examples, source_key=source_key)
    return figure_image(canvas.figure, fmt=fmt, width=canvas.width, height=canvas.height, scale=canvas.scale)


def chart_image(engine: Engine, key: str, *, lang: str, as_of: date, fmt: str = "png",
                size: str = DEFAULT_SIZE) -> bytes:
    """One registered chart, built from the database as it stood on ``as_of``, on the print canvas ``size``."""
    spec = CHARTS[key]
    chart = spec.make(engine, lang, as_of)
    return print_image(chart.figure, lang=lang, as_of=as_of, examples=chart.examples, size=size, fmt=fmt,
                       source_key=spec.source_key)


def image_file_name(stem: str, *, lang: str, as_of: date, size: str, fmt: str, variant: str = "") -> str:
    """One pattern per language: ``<chart>[-<variant>]-<as-of date>-<size>.<format>``, lower-case ASCII."""
    parts = [stem, variant, as_of.isoformat(), t(f"print.size_file.{size}", lang)]
    return slug("-".join(p for p in parts if p)) + f".{fmt}"


def slug(text: str) -> str:
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    return re.sub(r"[^a-z0-9]+", "-", plain).strip("-")


def chart_file_name(key: str, *, lang: str, fmt: str, as_of: date, size: str = DEFAULT_SIZE) -> str:
    return image_file_name(CHARTS[key].file_stem(lang), lang=lang, as_of=as_of, size=size, fmt=fmt)


def caption_file_name(lang: str, *, as_of: date, size: str) -> str:
    return image_file_name(t("print.captions_stem", lang), lang=lang, as_of=as_of, size=size, fmt="txt")


def caption(chart: Chart, files: list[str], *, lang: str, as_of: date, source_key: str = "print.source.io") -> str:
    """One image's caption, ready to print: title, alt text, source, definition and date, in ``lang``."""
    lines = [", ".join(files),
             f"{t('print.caption.title', lang)}: {plain(chart.figure.layout.title.text)}",
             f"{t('print.caption.alt', lang)}: {chart.alt}",
             f"{t('print.caption.source', lang)}: {t(source_key, lang)}",
             f"{t('print.caption.definition', lang)}: {' '.join(chart.definition.split())}",
             f"{t('print.caption.date', lang)}: {t('common.data_date', lang, date=fmt_date(as_of, lang))}"]
    if chart.examples:
        lines.append(t("print.caption.example", lang))
    return "\n".join(lines) + "\n"


def chart_files(engine: Engine, *, lang: str, as_of: date, formats=("png", "svg"),
                size: str = DEFAULT_SIZE) -> dict[str, bytes]:
    """Every registered chart in every format, plus one caption file: {file name: content}."""
    files: dict[str, bytes] = {}
    captions = []
    for key, spec in CHARTS.items():
        chart = spec.make(engine, lang, as_of)
        names = [chart_file_name(key, lang=lang, fmt=fmt, as_of=as_of, size=size) for fmt in formats]
        for name, fmt in zip(names, formats, strict=True):
            files[name] = print_image(chart.figure, lang=lang, as_of=as_of, examples=chart.examples, size=size,
                                      fmt=fmt, source_key=spec.source_key)
        captions.append(caption(chart, names, lang=lang, as_of=as_of, source_key=spec.source_key))
    files[caption_file_name(lang, as_of=as_of, size=size)] = "\n".join(captions).encode("utf-8")
    return files


def charts_zip(engine: Engine, *, lang: str, as_of: date, formats=("png", "svg"), size: str = DEFAULT_SIZE) -> bytes:
    """Every registered chart in every format, one file each, and the caption file, in a ZIP."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in chart_files(engine, lang=lang, as_of=as_of, formats=formats, size=size).items():
            archive.writestr(name, content)
    return buffer.getvalue()


def zip_file_name(lang: str, *, as_of: date, size: str) -> str:
    return image_file_name(t("print.zip_stem", lang), lang=lang, as_of=as_of, size=size, fmt="zip")


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


def activities_sheet(engine: Engine, as_of: date) -> pd.DataFrame:
    df = activity_table(engine, as_of)
    return df.drop(columns=["version", "years"])


def audit_sheet(engine: Engine, as_of: date) -> pd.DataFrame:
    """The change log up to the end of ``as_of``, oldest first, as a ledger."""
    return audit_entries(engine, until=as_of, limit=None).iloc[::-1].reset_index(drop=True)


def spending_sheet(engine: Engine, as_of: date) -> pd.DataFrame:
    ledger = budget.ledger_entries(engine, limit=None)
    return ledger[ledger["spent_on"] <= as_of].reset_index(drop=True)


def counts_sheet(engine: Engine, as_of: date) -> pd.DataFrame:
    """The counts of periods begun by ``as_of``."""
    frame = counts_frame(engine)
    return frame[frame["year"] <= as_of.year].reset_index(drop=True)


# Sheet name (≤ 31 characters, Excel's limit) → loader. A domain adds its table here.
def checklist_items_sheet(engine: Engine, as_of: date) -> pd.DataFrame:
    """Every item of every checklist's newest version, one row each."""
    return pd.DataFrame([
        {"key": c["key"], "title": c["title"], "version": c["version"], "status": c["status"],
         "activities": ", ".join(c["activities"]), "phase": item["phase"], "text": item["text"]}
        for c in checklists_json(engine) for item in c["items"]
    ])


def deliverables_sheet(engine: Engine, as_of: date) -> pd.DataFrame:
    """The register as it is now (deliverables carry no business date)."""
    from mobility.deliverables import register

    return pd.DataFrame(register(engine)).drop(columns=["version"], errors="ignore")


def communications_sheet(engine: Engine, as_of: date) -> pd.DataFrame:
    from mobility.communications import entries
    from mobility.models import Communication

    return pd.DataFrame(entries(engine, limit=None)[::-1], columns=list(Communication.model_fields))


def meetings_sheet(engine: Engine, as_of: date) -> pd.DataFrame:
    """The meetings held by ``as_of``."""
    from mobility.meetings import meetings
    from mobility.models import Meeting

    return pd.DataFrame([{**m, "attendees": ", ".join(m["attendees"])} for m in meetings(engine)
                         if m["held_on"] <= as_of][::-1],
                        columns=list(Meeting.model_fields))


def meeting_actions_sheet(engine: Engine, as_of: date) -> pd.DataFrame:
    """Every action, open or done, with the meeting that set it; decisions are one column of ``meetings``."""
    from mobility.meetings import actions, decisions

    rows = [{"kind": "action", **a} for a in actions(engine, as_of=date.max, open_only=False)]
    rows += [{"kind": "decision", "held_on": d["held_on"], "what": d["text"]} for d in decisions(engine)]
    # Named columns: an empty sheet still says what it would hold
    return pd.DataFrame(rows, columns=["kind", "held_on", "what", "who", "due_on", "done_on", "done_by", "overdue",
                                       "id"])


# Each loader is (engine, as_of) -> frame: the workbook describes the plan as it stood on one day.
SHEETS: dict[str, Callable[[Engine, date], pd.DataFrame]] = {
    "activities": activities_sheet,
    "counts": counts_sheet,
    "spending": spending_sheet,
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


def export_workbook(engine: Engine, *, as_of: date) -> bytes:
    """Everything as it stood on ``as_of``, one sheet per registered table."""
    return to_xlsx({name: load(engine, as_of) for name, load in SHEETS.items()})
