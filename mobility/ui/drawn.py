"""Draw a shared figure or table without converting it again on every run.

Shared objects (``cached_build``: built once per data version and view, never changed after) are turned into what
Streamlit sends to the browser when first drawn, and that is kept on the object: every later run sends the same.
"""

import json

import plotly.io
import streamlit as st
from plotly.basedatatypes import BaseFigure
from streamlit import dataframe_util


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
