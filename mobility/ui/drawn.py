"""Draw a shared figure or table without converting it again on every run.

Shared objects (``cached_build``: built once per data version and view, never changed after) are turned into what
Streamlit sends to the browser when first drawn, and that is kept on the object: every later run sends the same.
"""

import json
import math
from html import escape
from numbers import Number

import pandas as pd
import plotly.io
import streamlit as st
from plotly.basedatatypes import BaseFigure
from streamlit import dataframe_util

from mobility.i18n import fmt_int, fmt_number


class _AsDrawn(BaseFigure):
    """All ``st.plotly_chart`` asks of a figure — its dict — answered from the one made when it was first drawn."""

    def __init__(self, spec: dict):  # not BaseFigure's init: this object is its dict and nothing more
        object.__setattr__(self, "_spec", spec)

    def to_dict(self) -> dict:
        return self._spec


def plotly_chart(figure, **kwargs):
    """``st.plotly_chart`` for a figure built once per data version and shared (``cached_build``): plotly's
    ``to_dict`` — a deep copy with every array turned into base64 (the schedule: 3.5 ms of the overview's profiled
    run) — runs when the figure is first drawn, not on every run. Shared figures are never changed after they are
    built, so the dict stays true.

    The dict kept is the one plotly's JSON says, in plain JSON types: Streamlit encodes the figure to JSON on every
    run, and plotly's encoder calls back into Python for every value that is not one — every date of a time axis
    (the budget's burn charts at 100× the ledger: 2 000 dates a run; its profiled run 38.6 → 27.2 ms with this,
    scripts/profile_page.py). Encoding plain values gives the same text."""
    spec = figure.__dict__.get("_drawn_spec")
    if spec is None:
        spec = json.loads(plotly.io.to_json(figure.to_dict(), validate=False))
        object.__setattr__(figure, "_drawn_spec", spec)  # two sessions at once would both store the same dict
    return st.plotly_chart(_AsDrawn(spec), **kwargs)


def dataframe(frame, **kwargs):
    """``st.dataframe`` for a shared pandas frame: Streamlit turns a frame into an Arrow table on every run (the
    budget's three tables: 5.6 ms of its profiled run at 100× the data, scripts/profile_page.py). The table made by
    Streamlit's own conversion is kept on the frame, and Streamlit sends an Arrow table as it is: the same bytes."""
    table = frame.__dict__.get("_drawn_arrow")
    if table is None:
        table = dataframe_util.convert_pandas_df_to_arrow_table(frame)
        object.__setattr__(frame, "_drawn_arrow", table)  # not a column: pandas' own setattr would warn
    return st.dataframe(table, **kwargs)


class _Markup:
    """HTML that ``st.html`` takes as it is: a string it would dedent and strip on every run, an object with
    ``_repr_html_`` it does not."""

    def __init__(self, markup: str):
        self.markup = markup

    def _repr_html_(self) -> str:
        return self.markup


def html(markup: str, *, container=st, **kwargs):
    """``st.html`` for markup built once and shared, e.g. images as data URIs: Streamlit would run
    ``textwrap.dedent`` over the whole text on every run (the press view's three charts, a few hundred kB; with
    their markup built once, its profiled run at 100× the data 11.4 → 9.2 ms). The markup is sent as built, so build
    it without leading indentation."""
    return container.html(_Markup(markup), **kwargs)


TABLE_CLASS = "read-table"  # its look: shell.HOUSE_CSS


def table(rows, *, lang: str, label: str, links: tuple = (), container=st):
    """A table to read, as one HTML element (``table_markup``)."""
    return html(table_markup(rows, lang=lang, label=label, links=links), container=container)


def table_markup(rows, *, lang: str, label: str, links: tuple = ()) -> str:
    """A table to read, as HTML for one element: ``st.table`` renders every cell as Markdown, and a 20×6 table added
    ~130 ms to a page's ready time in Chromium, the same table as HTML ~20 (scripts/bench_elements.py). Text is
    escaped, so it shows as typed; numbers are in the language's format and right-aligned; ``label`` names the
    table for screen readers; the columns named in ``links`` hold web addresses, shown as links. ``rows``: a frame,
    a list of row dicts or a dict of columns. A page's cached builder may keep the markup: it is the same text."""
    frame = rows if isinstance(rows, pd.DataFrame) else pd.DataFrame(rows)
    linked = [c in links for c in frame.columns]
    numeric = [pd.api.types.is_numeric_dtype(frame[c]) and not pd.api.types.is_bool_dtype(frame[c])
               for c in frame.columns]
    right = ' class="num"'
    head = "".join(f'<th scope="col"{right if num else ""}>{escape(str(c))}</th>'
                   for c, num in zip(frame.columns, numeric, strict=True))
    body = "".join("<tr>" + "".join(f"<td{right if num else ''}>{_link(v, lang) if link else _cell(v, lang)}</td>"
                                    for v, num, link in zip(row, numeric, linked, strict=True)) + "</tr>"
                   for row in frame.itertuples(index=False, name=None))
    return (f'<div class="{TABLE_CLASS}"><table aria-label="{escape(label)}"><thead><tr>{head}</tr></thead>'
            f"<tbody>{body}</tbody></table></div>")


def _link(address, lang: str) -> str:
    """An http(s) address as a link that opens beside the dashboard, shown without its scheme; anything else as
    text (the forms let only http(s) addresses in, this keeps it so)."""
    if not isinstance(address, str) or not address.lower().startswith(("https://", "http://")):
        return _cell(address, lang)
    shown = address.split("://", 1)[1]
    shown = shown if len(shown) <= 48 else shown[:47] + "…"
    return f'<a href="{escape(address)}" target="_blank" rel="noopener noreferrer">{escape(shown)}</a>'


def _cell(value, lang: str) -> str:
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return ""
    if isinstance(value, bool):
        return escape(str(value))
    if isinstance(value, Number):
        return fmt_int(value, lang) if float(value).is_integer() else fmt_number(float(value), lang, 2)
    return escape(str(value))
