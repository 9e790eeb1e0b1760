"""One engine per process, and cached reads keyed on the data version so every write shows at once."""

import threading
from collections.abc import Callable
from functools import wraps

import streamlit as st
from sqlalchemy import Engine

from mobility.db import database_url, make_engine
from mobility.plan import init_database
from mobility.service import data_version


@st.cache_resource(show_spinner=False)
def _engine_for(url: str) -> Engine:
    engine = make_engine(url)
    init_database(engine)
    return engine


def engine() -> Engine:
    return _engine_for(database_url())


def current_version() -> int:
    """Read once per script run by the page shell; cheap (one row)."""
    version = data_version(engine())
    st.session_state["_data_version"] = version
    return version


# The function a cache miss runs is the caller's own, passed beside the cache key (which holds only its name): a
# page's helper reads the globals of the run that defined it (its language, its filters), and another session's run
# may have defined one of the same name a moment ago and be halfway through its script.
_calling = threading.local()


def _compute(args: tuple, kwargs: tuple):
    return _calling.fn(engine(), *args, **dict(kwargs))


@st.cache_data(show_spinner=False, max_entries=256)
def _cached(name: str, url: str, version: int, args: tuple, kwargs: tuple):
    return _compute(args, kwargs)


@st.cache_resource(show_spinner=False, max_entries=128)
def _shared(name: str, url: str, version: int, args: tuple, kwargs: tuple):
    return _compute(args, kwargs)


def _name(fn: Callable) -> str:
    name = f"{fn.__module__}.{fn.__qualname__}"
    # Every page script runs as "__main__": its file tells two pages' helpers of the same name apart.
    return f"{fn.__code__.co_filename}:{name}" if fn.__module__ == "__main__" else name


def _keyed_on_version(fn: Callable, store: Callable) -> Callable:
    name = _name(fn)

    @wraps(fn)
    def call(*args, **kwargs):
        version = st.session_state.get("_data_version")
        if version is None:
            version = current_version()
        outer, _calling.fn = getattr(_calling, "fn", None), fn  # a cached builder may call another one
        try:
            return store(name, database_url(), version, args, tuple(sorted(kwargs.items())))
        finally:
            _calling.fn = outer

    return call


def cached_query(fn: Callable) -> Callable:
    """Wrap ``fn(engine, *args)`` so its result is cached until the next write (in any process)."""
    return _keyed_on_version(fn, _cached)


def cached_build(fn: Callable) -> Callable:
    """As ``cached_query``, for built objects that cost more to copy than to share (plotly figures, frames drawn as
    they are): every session gets the same object, so callers draw it and never change it. A page may define its
    own builder (``@cached_build def _figures(engine, …)``): built once per data version and arguments."""
    return _keyed_on_version(fn, _shared)


def after_write() -> None:
    """Make the write visible to this session now; other sessions see the new data version on their next run."""
    st.session_state.pop("_data_version", None)
