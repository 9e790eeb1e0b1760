"""The press view: headline figures as the reports give them, small counts hidden, example data stamped."""

from datetime import date

import plotly.graph_objects as go

from mobility.counts import import_counts
from mobility.examples import remove_example_data
from mobility.press import headlines, press_view, publishable_count, suppress_small_counts
from mobility.service import SYSTEM
from tests.conftest import texts

TODAY = date(2026, 11, 28)
REAL_COUNTS = b"""year,term,group,direction,programme,level,faculty,count,note
2015,,student,out,erasmus,,,40,
2018,,student,out,erasmus,,,52,
2015,,teacher,out,erasmus,,,3,
2018,,teacher,out,erasmus,,,4,
2018,,student,in,erasmus,,,80,
"""


def test_counts_under_five_are_printed_as_less_than_five():
    assert [publishable_count(n, "sv") for n in (0, 4, 5, 1234, None)] == ["<5", "<5", "5", "1\u00a0234", "–"]


def test_headlines_follow_the_reports():
    """Values, targets, balance, budget share and activities done, each with its status where it has one."""
    targets = {"targets": [{"code": "A", "value": 122, "target": 125, "target_year": 2018, "baseline": 100,
                            "baseline_year": 2015, "status": "behind"}],
               "balance": {"incoming": 214, "outgoing": 122, "ratio": 0.5701}}
    money = {"total": {"allocated": 1_560_500, "decided": 1_360_500, "not_decided": 200_000, "spent": 562_751.25,
                       "remaining": 997_748.75}}
    figures = headlines(target_figures=targets, budget_figures=money, activities_done=7, activities_total=28, lang="sv")
    assert [(h.key, h.value, h.status) for h in figures] == [
        ("target_a", "122", "behind"), ("balance", "0,57", None), ("budget", "36\u00a0%", None),
        ("activities", "7/28", None),
    ]
    assert figures[0].detail == "mål 125 år 2018 · utgångsläge 100 (2015)"
    budget_detail = figures[2].detail.replace("\u00a0", " ")
    assert budget_detail == "562 751 kr av 1 560 500 kr (varav ej beslutat 200 000 kr)"


def test_a_chart_hides_points_under_five():
    """The point is dropped, '<5' is written low on the axis, and no hover tells the exact value."""
    fig = go.Figure(go.Scatter(x=[2015, 2018], y=[3, 12], text=["3", "12"], mode="lines+markers+text"))
    suppress_small_counts(fig)
    assert list(fig.data[0].y) == [None, 12] and list(fig.data[0].text) == ["<5", "12"]
    assert list(fig.data[1].text) == ["<5"] and all(trace.hoverinfo == "skip" for trace in fig.data)


def test_the_press_view_marks_example_data_on_every_chart(engine):
    """While example counts and spending are shown, each chart image carries the stamp and the source."""
    view = press_view(engine, lang="sv", as_of=TODAY)
    assert view.examples and len(view.charts) == 3
    for stem, figure in view.charts:
        notes = [a.text for a in figure.layout.annotations]
        assert "EXEMPELDATA" in notes, stem
        assert any(n.startswith("Källa: International Office, Mittuniversitetet") for n in notes), stem
    assert [key for key, _ in view.charts] == ["target_a", "target_b", "budget_burn"]


def test_small_real_counts_never_reach_the_press_view(engine):
    """Real data without examples: no stamp, and four Erasmus teachers are printed as '<5'."""
    remove_example_data(engine=engine, actor=SYSTEM)
    import_counts(engine=engine, actor=SYSTEM, data=REAL_COUNTS, filename="real.csv")
    view = press_view(engine, lang="sv", as_of=TODAY)
    assert not view.examples
    teachers = next(h for h in view.headlines if h.key == "target_b")
    assert teachers.value == "<5" and "<5" in teachers.detail
    _, chart_b = view.charts[1]
    plotted = [y for trace in chart_b.data if trace.mode != "text" for y in (trace.y or [])]
    assert plotted and all(y is None or y >= 5 for y in plotted)


def test_the_headline_cards_say_each_figure_with_its_label_and_definition(app):
    """Five cards; a shared screen (presentation mode) keeps the definitions out of sight, as the labels' tooltips and
    descriptions."""
    def cards(at) -> str:
        return next(h.value for h in at.html if 'class="press-cards"' in h.value)

    normal, present = cards(app("press", lang="en")), cards(app("press", lang="en", present="1"))
    assert normal.count('class="press-card"') == 5
    for label in ("Outgoing students", "Erasmus teacher mobility", "Balance out/in", "Budget used", "Activities done"):
        assert f">{label}</div>" in normal
    assert '<div class="press-value">122</div>' in normal and "<strong>Behind</strong>" in normal
    assert normal.count('class="press-definition"') == 5 and " hidden>" not in normal
    assert present.count(" hidden>") == 5 and present.count('aria-describedby="definition-') == 5


def test_the_press_page_in_both_languages(app):
    """Headlines, the example warning and the source line, in Swedish and in English."""
    sv = texts(app("press"))
    assert "Mobilitetsplanen i siffror" in sv and "Exempeldata" in sv
    assert "Källa: International Office, Mittuniversitetet" in sv
    en = texts(app("press", lang="en"))
    assert "The mobility plan in figures" in en and "Source: International Office" in en
