"""Widgets whose value lives in the URL as codes (``?lang=en&area=A&area=B``), so a link reproduces the view.

Streamlit's ``bind="query-params"`` writes the *formatted label* to the URL when a ``format_func`` is given, which
would make links depend on the language; these helpers keep codes in the URL and labels on screen.
"""

from collections.abc import Callable, Sequence
from datetime import date

import streamlit as st

from mobility.i18n import fmt_date, t


def _write_param(key: str, multi: bool) -> None:
    value = st.session_state[f"_url_{key}"]
    if value in (None, [], ()):
        st.query_params.pop(key, None)
    else:
        st.query_params[key] = [str(v) for v in value] if multi else str(value)


def _from_url(key: str, options: Sequence, *, multi: bool, lang: str):
    """The URL's value(s) that are valid options; anything else is reported and ignored."""
    by_text = {str(o): o for o in options}
    raw = st.query_params.get_all(key) if multi else ([st.query_params[key]] if key in st.query_params else [])
    valid = [by_text[r] for r in raw if r in by_text]
    bad = [r for r in raw if r not in by_text]
    if bad:
        st.warning(t("url.bad_param", lang, key=key, values=", ".join(bad)))
    return valid if multi else (valid[0] if valid else None)


def url_selectbox(label: str, options: Sequence, *, key: str, lang: str, format_func: Callable = str,
                  default=None, container=st, **kwargs):
    """A selectbox kept in ``?key=…``; ``default`` applies when the URL says nothing (None = placeholder)."""
    value = _from_url(key, options, multi=False, lang=lang)
    value = default if value is None else value
    index = list(options).index(value) if value in options else None
    return container.selectbox(label, options, index=index, format_func=format_func, key=f"_url_{key}",
                               on_change=_write_param, args=(key, False), **kwargs)


def url_multiselect(label: str, options: Sequence, *, key: str, lang: str, format_func: Callable = str,
                    container=st, **kwargs) -> list:
    return container.multiselect(label, options, default=_from_url(key, options, multi=True, lang=lang),
                                 format_func=format_func, key=f"_url_{key}", on_change=_write_param,
                                 args=(key, True), **kwargs)


def url_pills(label: str, options: Sequence, *, key: str, lang: str, format_func: Callable = str,
              container=st, **kwargs) -> list:
    """As ``url_multiselect`` for a handful of options: all in view at once, and in the browser a row of buttons
    costs a fraction of a multiselect (four: +38 ms against +101 ms to a ready page, scripts/bench_elements.py)."""
    chosen = _from_url(key, options, multi=True, lang=lang)
    return container.pills(label, options, selection_mode="multi", default=chosen, format_func=format_func,
                           key=f"_url_{key}", on_change=_write_param, args=(key, True), **kwargs)


def url_segmented(label: str, options: Sequence, *, key: str, lang: str, default, format_func: Callable = str,
                  container=st, **kwargs):
    value = _from_url(key, options, multi=False, lang=lang)
    return container.segmented_control(label, options, default=default if value is None else value, required=True,
                                       format_func=format_func, key=f"_url_{key}", on_change=_write_param,
                                       args=(key, False), **kwargs)


def _write_date(key: str) -> None:
    value = st.session_state[f"_url_{key}"]
    if value is None:
        st.query_params.pop(key, None)
    else:
        st.query_params[key] = value.isoformat()


def url_date_input(label: str, *, key: str, lang: str, default: date, min_value: date, max_value: date,
                   container=st, **kwargs) -> date:
    """A date kept in ``?key=YYYY-MM-DD``; a URL date that cannot be read or lies outside the range is refused with
    a message naming it (Streamlit's own ``bind=`` would silently replace it)."""
    raw, value, problem = st.query_params.get(key), default, None
    if raw is not None:
        try:
            value = date.fromisoformat(raw) if len(raw) == 10 else None
        except ValueError:
            value = None
        if value is None:
            value, problem = default, "malformed"
        elif not min_value <= value <= max_value:
            value, problem = default, "range"
    if problem:
        st.warning(t(f"url.bad_date.{problem}", lang, field=label, value=raw, first=fmt_date(min_value, lang),
                     last=fmt_date(max_value, lang), shown=fmt_date(default, lang)), icon=":material/event_busy:")
    st.session_state[f"_url_{key}"] = value  # the URL decides, also when another link changed it
    container.date_input(label, key=f"_url_{key}", min_value=min_value, max_value=max_value, format="YYYY-MM-DD",
                         on_change=_write_date, args=(key,), **kwargs)
    return value
