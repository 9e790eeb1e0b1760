"""Make a server process ready before its first visitor: the room at the monthly meeting opens the link at once.

A fresh process paid, on its first page, for importing the app (~0.7 s), parsing its texts and the plan file and
creating and migrating the database engine (first page 1.4 s instead of 0.3 s), and, on the press view, for starting
the Chromium that draws chart images. ``prepare_process`` does that while the server starts, before it listens
(``lifespan``, given to ``st.App``: not at import, since a spawned worker process imports app.py too).
"""

import gc
import importlib
import pkgutil
from contextlib import asynccontextmanager

import mobility


def import_app_modules() -> list[str]:
    """Every module of the app (``mobility.__main__`` would run the CLI), as the pages will import them anyway."""
    names = [m.name for m in pkgutil.walk_packages(mobility.__path__, "mobility.") if m.name != "mobility.__main__"]
    for name in names:
        importlib.import_module(name)
    return names


def route_through_app_py() -> None:
    """Every run goes through app.py's ``st.navigation``, from the process's first request on.

    With a ``pages/`` folder beside app.py, Streamlit runs its legacy multipage routing until some run calls
    ``st.navigation``: every run then builds a page list from the folder (a Page object per file, realpaths, a
    second navigation message), and a deep link as the first request runs the page without app.py. A process
    that is never asked for "/" stayed that way. ``st.navigation`` switches it off by this flag; so do we, at start.
    """
    from streamlit.runtime.pages_manager import PagesManager

    PagesManager.uses_pages_directory = False


def prepare_process() -> None:
    from mobility import exports, i18n, plan
    from mobility.ui.data import engine

    route_through_app_py()
    import_app_modules()
    i18n.strings()  # every text in both languages, parsed once
    for path in plan.PLAN_FILES:
        plan.load_plan_file(path)
    engine()  # created, migrated and seeded once per process (st.cache_resource)
    exports.start_export_server()  # before the server listens: drawing it later would slow the first pages down
    # What is loaded now lives as long as the process: keep it out of every later full garbage collection.
    gc.freeze()


@asynccontextmanager
async def lifespan(_app):
    """The server's start-up: ready before it accepts the first connection."""
    prepare_process()
    yield
