"""Download buttons for server-side chart images: one chart as PNG or SVG, or every chart as a ZIP.

The images are made only when a button is clicked (a callable ``data``), by the process's one export Chromium.
"""

from datetime import date

import pandas as pd
import streamlit as st

from mobility import exports
from mobility.i18n import t
from mobility.ui.data import engine


def chart_downloads(stem: str, fig, *, lang: str, today: date, all_charts: bool = True) -> None:
    """PNG and SVG of ``fig`` as drawn, saved as ``stem``.png/.svg (and optionally the ZIP of all charts)."""
    width = exports.DEFAULT_WIDTH * exports.DEFAULT_SCALE
    height = int(fig.layout.height or exports.DEFAULT_HEIGHT) * exports.DEFAULT_SCALE
    row = st.container(horizontal=True)
    for fmt in exports.FORMATS:
        row.download_button(
            t(f"export.{fmt}", lang), data=lambda fmt=fmt: exports.figure_image(fig, fmt=fmt),
            file_name=f"{stem}.{fmt}", mime=exports.FORMATS[fmt], on_click="ignore", icon=":material/image:",
            key=f"export-{stem}-{fmt}",
        )
    if all_charts:
        row.download_button(
            t("export.zip", lang), data=lambda: exports.charts_zip(engine(), lang=lang, today=today),
            file_name=f"{'diagram' if lang == 'sv' else 'charts'}-{today.isoformat()}.zip", mime="application/zip",
            on_click="ignore", icon=":material/folder_zip:", key="export-all-charts",
        )
    st.caption(t("export.help", lang, width=width, height=height))


def table_downloads(df, *, stem: str, sheet: str, lang: str, key: str | None = None) -> None:
    """CSV (for machines) and XLSX (for people) of ``df``, both neutralised against spreadsheet formulas."""
    row = st.container(horizontal=True)
    row.download_button(t("common.download_csv", lang), data=lambda: exports.to_csv(df), file_name=f"{stem}.csv",
                        mime="text/csv", on_click="ignore", icon=":material/download:", key=f"csv-{key or stem}")
    row.download_button(t("export.download_xlsx", lang), data=lambda: exports.to_xlsx({sheet: df}),
                        file_name=f"{stem}.xlsx", mime=exports.XLSX_MIME, on_click="ignore",
                        icon=":material/table_view:", key=f"xlsx-{key or stem}")


def table_with_downloads(rows, *, stem: str, sheet: str, lang: str, **dataframe_options) -> None:
    """A table as shown on screen, with its CSV and XLSX downloads underneath: every table leaves the app."""
    frame = pd.DataFrame(rows)
    st.dataframe(frame, **dataframe_options)
    table_downloads(frame, stem=stem, sheet=sheet, lang=lang)
