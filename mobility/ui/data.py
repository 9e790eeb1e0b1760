"""One engine per process, and cached reads keyed on the data version so every write shows at once."""

import pickle
import threading
from collections import OrderedDict
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


class _VersionedStore:
    """A process's bounded store of results by (function, database, data version, arguments).

    Its key is a plain tuple, hashed in microseconds; Streamlit's own caches hash every argument with their hasher
    (~0.3 ms a call, a dozen calls a page run). A miss is computed once while other sessions asking for the same
    key wait for it, and the oldest entries go first. ``copies=True`` gives every caller its own copy (pickled once,
    unpickled per call, as ``st.cache_data``); otherwise every caller gets the same object.
    """

    def __init__(self, max_entries: int, *, copies: bool):
        self.max_entries, self.copies = max_entries, copies
        self._items: OrderedDict = OrderedDict()
        self._computing: dict = {}
        self._lock = threading.Lock()

    def get(self, key: tuple, compute: Callable):
        found, value = self._lookup(key)
        if not found:
            with self._lock:
                computing = self._computing.setdefault(key, threading.Lock())
            with computing:  # one session computes; the others asking for it meanwhile find its result
                found, value = self._lookup(key)
                if not found:
                    try:
                        value = pickle.dumps(compute()) if self.copies else compute()
                        with self._lock:
                            self._items[key] = value
                            while len(self._items) > self.max_entries:
                                self._items.popitem(last=False)
                    finally:
                        with self._lock:
                            self._computing.pop(key, None)
        return pickle.loads(value) if self.copies else value

    def _lookup(self, key: tuple) -> tuple[bool, object]:
        with self._lock:
            if key not in self._items:
                return False, None
            self._items.move_to_end(key)
            return True, self._items[key]

    def clear(self) -> None:
        with self._lock:
            self._items.clear()


_COPIED = _VersionedStore(256, copies=True)
_SHARED = _VersionedStore(128, copies=False)


def forget_cached() -> None:
    """Empty both stores (tests: caches outlive one AppTest, and a fresh database may reuse a version number)."""
    _COPIED.clear()
    _SHARED.clear()


def _key(*parts) -> tuple:
    """The parts as they are when they hash (dates, strings, numbers, tuples), else pickled (lists, dicts)."""
    try:
        hash(parts)
        return parts
    except TypeError:
        return (pickle.dumps(parts),)


def _name(fn: Callable) -> str:
    name = f"{fn.__module__}.{fn.__qualname__}"
    # Every page script runs as "__main__": its file tells two pages' helpers of the same name apart.
    return f"{fn.__code__.co_filename}:{name}" if fn.__module__ == "__main__" else name


def _keyed_on_version(fn: Callable, store: _VersionedStore) -> Callable:
    name = _name(fn)

    @wraps(fn)
    def call(*args, **kwargs):
        version = st.session_state.get("_data_version")
        if version is None:
            version = current_version()
        # A miss runs the caller's own function: a page's helper reads the globals of the run that defined it (its
        # language, its filters), and another session's run may have defined one of the same name a moment ago.
        return store.get(_key(name, database_url(), version, args, tuple(sorted(kwargs.items()))),
                         lambda: fn(engine(), *args, **kwargs))

    return call


def cached_query(fn: Callable) -> Callable:
    """Wrap ``fn(engine, *args)`` so its result is cached until the next write (in any process)."""
    return _keyed_on_version(fn, _COPIED)


def cached_build(fn: Callable) -> Callable:
    """As ``cached_query``, for built objects that cost more to copy than to share (plotly figures, frames drawn as
    they are): every session gets the same object, so callers draw it and never change it. A page may define its
    own builder (``@cached_build def _figures(engine, …)``): built once per data version and arguments."""
    return _keyed_on_version(fn, _SHARED)


def after_write() -> None:
    """Make the write visible to this session now; other sessions see the new data version on their next run."""
    st.session_state.pop("_data_version", None)
