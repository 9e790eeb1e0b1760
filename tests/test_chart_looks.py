"""Series told apart without colour (issue 10.6): every trace of the target and budget charts differs from the others
in line dash, marker shape, fill pattern or drawing mode, so a greyscale print or a colour-blind reader still
tells them apart."""

from datetime import date

import pytest

from mobility import budget
from mobility.charts import INK
from mobility.charts_budget import burn_chart
from mobility.charts_targets import balance_chart, mix_chart, national_comparison_chart, target_chart
from mobility.exports import CHARTS
from mobility.targets import targets_page, targets_report

END = date(2018, 12, 31)


def look(trace) -> tuple:
    """What a trace looks like with the colour taken away."""
    if trace.type == "bar":
        return ("bar", trace.marker.pattern.shape or "")
    mode = set((trace.mode or "lines").split("+")) - {"text"}
    return ("scatter", tuple(sorted(mode)), (trace.line.dash or "solid") if "lines" in mode else None,
            (trace.marker.symbol or "circle") if "markers" in mode else None)


def figures(engine, lang: str):
    data = targets_page(engine, as_of=END)
    report = targets_report(engine, as_of=END)
    yield "target A", target_chart(data["series"]["A"], report["targets"][0], name="A", lang=lang)
    yield "balance", balance_chart(data["balance"], lang=lang)
    yield "mix", mix_chart(data["composition"], lang=lang)
    yield "national", national_comparison_chart(data["national"], lang=lang)
    yield "burn", burn_chart(budget.cumulative_spend(engine), budget.planned_burn(engine, as_of=END), lang=lang,
                             scope="A1", as_of=END, allocated_ore=156_050_000)


@pytest.mark.parametrize("lang", ["sv", "en"])
def test_every_series_differs_from_the_others_without_its_colour(engine, lang):
    for name, fig in figures(engine, lang):
        looks = [look(trace) for trace in fig.data]
        assert len(fig.data) >= 2, name
        assert len(set(looks)) == len(looks), f"{name}: series alike but for colour: {looks}"


def test_patterned_bars_keep_their_colour_underneath(engine):
    """The pattern is drawn over the series' colour, not instead of it."""
    _, fig = next((n, f) for n, f in figures(engine, "sv") if n == "balance")
    bars = [trace for trace in fig.data if trace.type == "bar"]
    assert {bar.marker.pattern.shape for bar in bars} == {"", "/"}
    assert all(bar.marker.pattern.bgcolor == bar.marker.color for bar in bars)


@pytest.mark.parametrize("as_of", [date(2017, 6, 30), END])
@pytest.mark.parametrize("lang", ["sv", "en"])
def test_the_schedule_tells_every_status_apart_without_colour(engine, lang, as_of):
    """In greyscale the schedule still says each activity's status: the bars of each status carry their own fill
    pattern, and every bar and start marker has its status written beside it."""
    fig = CHARTS["timeline"].make(engine, lang, as_of).figure
    bars = [trace for trace in fig.data if trace.type == "bar"]
    assert len(bars) >= 3 and len({look(bar) for bar in bars}) == len(bars), [look(bar) for bar in bars]
    statuses = set()
    for trace in fig.data:
        word = trace.name.lower()
        assert len(trace.text) == len(trace.y) and all(text.startswith(word) for text in trace.text), trace.name
        assert trace.textfont.color == INK, "the words in the ink colour, not the status colour"
        statuses.add(word)
    assert len(statuses) >= 4, statuses  # done, in progress, late, not started (and cancelled at the end)
