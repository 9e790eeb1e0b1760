"""Built figures and frames shared between sessions (ui.data.cached_build): a write anywhere shows at the next run.

The pages keep what they build (charts, tables as drawn) per data version. These tests write the way another
session or another app process would — straight through the service, never through the page that shows it — and
check that the page's next run shows the change. The ledger pages through its entries.
"""

import subprocess
import sys
import textwrap

import pytest
import streamlit as st

from mobility import spending
from mobility.examples import remove_example_data
from mobility.service import SYSTEM
from mobility.ui import data
from tests.conftest import EDITOR, ROOT, texts
from tests.html_tables import read_tables

TODAY = "2017-03-01"


@pytest.fixture
def clean(engine):
    remove_example_data(engine=engine, actor=SYSTEM)
    return engine


def spend(engine, code: str, amount: str, *, n: int = 0) -> None:
    spending.add_spend(engine=engine, actor=EDITOR, spent_on=TODAY, activity=code, amount=amount,
                       description=f"test {n}", reference=f"T-{n}", today=None)


def burn_alt(at) -> str:
    return at.get("plotly_chart")[0].proto.alt


def spent_metric(at) -> str:
    return at.metric[1].value


def test_a_write_by_another_session_shows_in_the_budget_charts_and_tables_at_the_next_run(app, clean):
    at = app("budget", lang="en")
    before = (burn_alt(at), spent_metric(at), at.dataframe[0].value.to_dict())
    spend(clean, "A4", "1 234")  # another session's save: this one's cached figures must not survive it
    at.run()
    assert not at.exception
    after = (burn_alt(at), spent_metric(at), at.dataframe[0].value.to_dict())
    assert all(b != a for b, a in zip(before, after, strict=True))
    assert "1,234" in after[0] and "1,234" in after[1]


def test_a_write_by_another_process_shows_in_the_targets_charts_at_the_next_run(app, engine, db_url):
    at = app("targets", lang="en")
    figures = [chart.proto.spec for chart in at.get("plotly_chart")]
    script = textwrap.dedent(f"""
        from mobility import counts
        from mobility.db import make_engine
        from mobility.service import Actor
        engine = make_engine({db_url!r})
        old = counts.counts_frame(engine)
        row = old[(old["group"] == "student") & (old["direction"] == "out")].iloc[0]
        cell = counts.Cell(int(row["year"]), row["term"], "student", "out", row["programme"], row["level"],
                           row["faculty"], count=int(row["count"]) + 500)
        counts.save_counts(engine=engine, actor=Actor("other.process", "editor"), source="form", cells=[cell],
                           expected={{cell.key: int(row["count"])}})
    """)
    subprocess.run([sys.executable, "-c", script], cwd=ROOT, check=True, timeout=120)
    at.run()
    assert not at.exception
    assert [chart.proto.spec for chart in at.get("plotly_chart")] != figures


def test_the_ledger_shows_one_page_of_entries_and_says_which(app, clean):
    for n in range(120):
        spend(clean, "B2", "10", n=n)
    first = app("budget", lang="en")
    assert len(first.dataframe[-1].value) == 50
    assert any("Entries 1–50 of 120" in c.value for c in first.caption)
    last = app("budget", lang="en", l_page="3")
    assert len(last.dataframe[-1].value) == 20
    assert any("Entries 101–120 of 120" in c.value for c in last.caption)
    assert list(last.dataframe[-1].value.iloc[:, 3]) == [f"test {n}" for n in range(19, -1, -1)]  # oldest last


def test_two_pages_helpers_of_the_same_name_are_cached_apart():
    """Every page script runs as "__main__": a ``_figures`` of the budget page is not the targets page's."""
    helpers = []
    for page in ("pages/budget.py", "pages/targets.py"):
        scope = {"__name__": "__main__"}
        exec(compile("def _figures(engine):\n    return 1\n", page, "exec"), scope)
        helpers.append(scope["_figures"])
    assert data._name(helpers[0]) != data._name(helpers[1])


def test_a_long_section_of_the_follow_up_shows_its_first_rows_and_says_the_report_holds_all(app, clean):
    for n in range(120):
        spending.add_spend(engine=clean, actor=EDITOR, spent_on="2018-12-10", activity="B2", amount="10",
                           description=f"december {n}", reference=f"D-{n}")
    at = app("followup", lang="en", as_of="2018-12-31")
    assert not at.exception
    assert max(len(table) for table in read_tables(at)) == 100
    assert "The first 100 of 120 rows are shown here" in texts(at)


def test_a_miss_is_built_by_the_callers_own_helper_not_by_another_runs_of_the_same_name(db_url):
    """Sessions run the same page at once, and each run defines the page's helper anew, reading its own globals
    (its language). A miss must be built by the caller's helper: not by an English run's defined a moment later, nor
    by one whose run has not yet reached the globals it reads (under load this was a NameError on the budget page)."""
    code = "@cached_build\ndef _label(engine, key, lang):\n    return WORDS[key]\n"

    def run_of_page(words: dict | None):
        scope = {"__name__": "__main__", "cached_build": data.cached_build}
        exec(compile(code, "pages/budget.py", "exec"), scope)
        if words is not None:
            scope["WORDS"] = words
        return scope["_label"]

    st.session_state["_data_version"] = 10**9  # a version no other test has cached: every call below is a miss
    swedish = run_of_page({"area": "område"})
    english = run_of_page({"area": "area"})
    run_of_page(None)  # a third session's run, halfway: its helper is defined, its WORDS not yet
    assert swedish("area", "sv") == "område"
    assert english("area", "en") == "area"


def test_a_query_result_is_every_callers_own_copy_and_a_build_is_one_shared_object():
    store_copy, store_shared = data._VersionedStore(4, copies=True), data._VersionedStore(4, copies=False)
    first = store_copy.get(("k",), lambda: {"rows": [1, 2]})
    first["rows"].append(3)  # a page that changes what it got must not change what the next session gets
    assert store_copy.get(("k",), lambda: {"rows": []}) == {"rows": [1, 2]}
    built = store_shared.get(("k",), lambda: {"figure": 1})
    assert store_shared.get(("k",), lambda: {"figure": 2}) is built


def test_many_sessions_missing_the_same_result_at_once_build_it_once_and_the_oldest_entries_go_first():
    import threading

    sessions = 8
    missed, all_missed = set(), threading.Event()

    class WatchedStore(data._VersionedStore):
        def _lookup(self, key):
            found, value = super()._lookup(key)
            if not found:
                missed.add(threading.get_ident())
                if len(missed) == sessions:
                    all_missed.set()
            return found, value

    store, calls, results = WatchedStore(2, copies=False), [], []

    def build():
        calls.append(1)
        assert all_missed.wait(30), "every session has asked and missed while this one builds"
        return object()

    threads = [threading.Thread(target=lambda: results.append(store.get(("report", 7), build)))
               for _ in range(sessions)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(calls) == 1 and len(results) == sessions and len({id(r) for r in results}) == 1
    store.get(("a",), object)
    store.get(("b",), object)  # a third key: the least recently used ("report", 7) is dropped
    assert store.get(("report", 7), lambda: "rebuilt") == "rebuilt"


def test_arguments_that_do_not_hash_are_cached_by_their_value(db_url):
    calls = []

    def rows(engine, codes):
        calls.append(codes)
        return len(codes)

    cached = data.cached_query(rows)
    st.session_state["_data_version"] = 10**9 + 1
    assert cached(["A1", "A2"]) == 2 and cached(["A1", "A2"]) == 2 and cached(["B1"]) == 1
    assert calls == [["A1", "A2"], ["B1"]]


def test_a_shared_figure_is_drawn_as_plotly_would_draw_it_and_its_dict_is_made_once(monkeypatch):
    """``ui.figures.plotly_chart``: the browser gets the same spec as from ``st.plotly_chart``, and a figure drawn on
    every run (a cached_build figure) is turned into its dict once, not on every run — in plain JSON values, so that
    the runs after the first do not call plotly's encoder back for every date of a time axis."""
    import plotly.graph_objects as go
    import plotly.io as pio
    from _plotly_utils.utils import PlotlyJSONEncoder
    from streamlit.testing.v1 import AppTest

    def figure():
        from datetime import date

        import plotly.graph_objects as go

        return go.Figure(go.Scatter(x=[date(2017, 1, 1), date(2017, 2, 1), date(2017, 3, 1)], y=[3.5, float("nan"), 1]))

    def script():
        import streamlit as st

        from mobility.ui.drawn import plotly_chart

        plotly_chart(st.session_state.setdefault("figure", st.session_state["make"]()), theme=None)

    calls, encoded = [], []
    to_dict, default = go.Figure.to_dict, PlotlyJSONEncoder.default
    monkeypatch.setattr(go.Figure, "to_dict", lambda self: calls.append(1) or to_dict(self))
    at = AppTest.from_function(script)
    at.session_state["make"] = figure
    at.run()
    monkeypatch.setattr(PlotlyJSONEncoder, "default", lambda self, o: encoded.append(o) or default(self, o))
    at.run()
    at.run()
    assert not at.exception and len(calls) == 1 and not encoded
    assert at.get("plotly_chart")[0].proto.spec == pio.to_json(to_dict(figure()), validate=False)


def test_a_shared_table_is_drawn_with_the_bytes_streamlit_would_send_and_converted_once(monkeypatch):
    """``ui.drawn.dataframe``: the browser gets the same Arrow bytes as from ``st.dataframe(frame)`` — nullable
    numbers, dates, missing values — and a shared frame is converted once over three runs, not on every run."""
    import pandas as pd
    from streamlit import dataframe_util
    from streamlit.testing.v1 import AppTest

    def frame():
        import pandas as pd

        return pd.DataFrame({"Kod": ["A1", "B2", None], "Kronor": pd.array([1500, None, 7], dtype="Int64"),
                             "Dag": pd.to_datetime(["2017-03-15", None, "2018-12-31"])})

    def script():
        import streamlit as st

        from mobility.ui.drawn import dataframe

        dataframe(st.session_state.setdefault("frame", st.session_state["make"]()), hide_index=True)

    conversions = []
    convert = dataframe_util.convert_pandas_df_to_arrow_table
    monkeypatch.setattr(dataframe_util, "convert_pandas_df_to_arrow_table",
                        lambda df, **kw: conversions.append(1) or convert(df, **kw))
    at = AppTest.from_function(script)
    at.session_state["make"] = frame
    at.run()
    at.run()
    at.run()
    assert not at.exception and len(conversions) == 1
    sent = at.dataframe[0].proto.arrow_data.data
    assert sent == dataframe_util.convert_pandas_df_to_arrow_bytes(frame())
    pd.testing.assert_frame_equal(at.dataframe[0].value, frame())


def test_shared_markup_is_sent_as_built_without_being_scanned_again(monkeypatch):
    """``ui.drawn.html``: the browser gets the markup exactly as built (what ``st.html`` sends for it), and
    Streamlit's dedent, which scans the whole text, does not run over it on every run."""
    import textwrap

    from streamlit.testing.v1 import AppTest

    markup = '<img class="press-chart tall" alt="A" src="data:image/svg+xml;base64,' + "QUJD" * 50_000 + '">'

    def script():
        import streamlit as st

        from mobility.ui.drawn import html

        html(st.session_state["markup"])

    scanned = []
    dedent = textwrap.dedent
    monkeypatch.setattr(textwrap, "dedent", lambda text: scanned.append(len(text)) or dedent(text))
    at = AppTest.from_function(script)
    at.session_state["markup"] = markup
    at.run()
    assert not at.exception and at.get("html")[0].proto.body == markup
    assert len(markup) not in scanned
