"""Download buttons for server-side chart images: one chart as PNG or SVG, or every chart as a ZIP.

The images are made only when a button is clicked (a callable ``data``), by the process's one export Chromium.
"""

from datetime import date

import pandas as pd
import streamlit as st

from mobility import exports
from mobility.i18n import t
from mobility.print_layout import DEFAULT_SIZE, SIZES
from mobility.ui import drawn
from mobility.ui.data import engine


def chart_downloads(chart: str, fig, *, lang: str, as_of: date, examples: bool, variant: str = "",
                    all_charts: bool = False) -> None:
    """``fig`` as PNG or SVG on the print canvas the reader picks (the layout ``export-charts`` uses), and
    optionally the ZIP of every registered chart with its caption file.

    ``chart`` is the registry key that names the file; ``variant`` tells a filtered view from the plain chart.
    """
    spec = exports.CHARTS[chart]
    # Built when the reader opens the box (opening it reruns): the picker and buttons of every chart were drawn on
    # every view of the page, for the few who print
    with st.popover(t("export.image", lang), icon=":material/image:", key=images_key(chart, variant),
                    on_change="rerun") as box:
        if not box.open:
            return
        # What the image holds is said behind the size's (?), not in a line under every chart of the page
        size = st.selectbox(t("print.size_label", lang), list(SIZES), index=list(SIZES).index(DEFAULT_SIZE),
                            format_func=lambda s: t(f"print.size.{s}", lang), key=f"print-size-{chart}-{variant}",
                            width=240, help=t("export.help", lang))
        row = st.container(horizontal=True)
        for fmt in exports.FORMATS:
            row.download_button(
                t(f"export.{fmt}", lang),
                data=lambda fmt=fmt: exports.print_image(fig, lang=lang, as_of=as_of, examples=examples, size=size,
                                                         fmt=fmt, source_key=spec.source_key),
                file_name=exports.image_file_name(spec.file_stem(lang), lang=lang, as_of=as_of, size=size, fmt=fmt,
                                                  variant=variant),
                mime=exports.FORMATS[fmt], on_click="ignore", icon=":material/image:",
                key=f"export-{chart}-{variant}-{fmt}",
            )
        if all_charts:
            row.download_button(
                t("export.zip", lang), data=lambda: exports.charts_zip(engine(), lang=lang, as_of=as_of, size=size),
                file_name=exports.zip_file_name(lang, as_of=as_of, size=size), mime="application/zip",
                on_click="ignore", icon=":material/folder_zip:", key="export-all-charts",
            )


def images_key(chart: str, variant: str = "") -> str:
    """The key of a chart's image box (its state: open or not)."""
    return f"images-{chart}-{variant}"


def table_downloads(df, *, stem: str, sheet: str, lang: str, key: str | None = None) -> None:
    """CSV (for machines) and XLSX (for people) of ``df``, both neutralised against spreadsheet formulas.

    ``df`` may be a function that loads the frame: it runs only when a file is asked for (a long log, all pages).
    """
    frame = df if callable(df) else lambda: df
    row = st.container(horizontal=True)
    row.download_button(t("common.download_csv", lang), data=lambda: exports.to_csv(frame()), file_name=f"{stem}.csv",
                        mime="text/csv", on_click="ignore", icon=":material/download:", key=f"csv-{key or stem}")
    row.download_button(t("export.download_xlsx", lang), data=lambda: exports.to_xlsx({sheet: frame()}),
                        file_name=f"{stem}.xlsx", mime=exports.XLSX_MIME, on_click="ignore",
                        icon=":material/table_view:", key=f"xlsx-{key or stem}")


def table_with_downloads(rows, *, stem: str, sheet: str, lang: str, static: bool = False, **options) -> None:
    """A table as shown on screen, with its CSV and XLSX downloads underneath: every table leaves the app.

    ``static``: a table to read (``drawn.table``) for a list read as it is, not sorted: a page's first interactive
    grid adds ~110–190 ms to its ready time, the table as HTML ~20 (scripts/bench_elements.py); ``options`` are
    then its ``label`` and ``links``. Otherwise ``options`` go to the grid; a frame passed in is drawn as shared
    (``drawn.dataframe``): never change it afterwards.
    """
    frame = rows if isinstance(rows, pd.DataFrame) else pd.DataFrame(rows)  # a shared frame stays itself
    if static:
        drawn.table(frame, lang=lang, **options)
    else:
        drawn.dataframe(frame, **options)
    table_downloads(frame, stem=stem, sheet=sheet, lang=lang)
