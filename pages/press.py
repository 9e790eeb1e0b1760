import base64
import html

import streamlit as st

from mobility import communications, press
from mobility.i18n import fmt_date
from mobility.ui import drawn, shell
from mobility.ui.data import cached_build
from mobility.ui.exports import chart_downloads

ctx = shell.page("press")
lang, t = ctx.lang, ctx.t
present = st.query_params.get("present") == "1"
as_of = ctx.as_of

# Headline numbers read from across a room (3.4vw: 65 px at 1920 wide), labels wrap instead of being cut, and the
# charts are the print images themselves, as tall as the screen leaves them: the view is one clean screenshot.
st.html(
    "<style>"
    "[data-testid='stMetricValue']{font-size:clamp(2.25rem,3.4vw,5.5rem) !important;line-height:1.3}"
    "[data-testid='stMetricValue'] *,[data-testid='stMetricLabel'] *{white-space:normal !important;"
    "overflow:visible !important;text-overflow:clip !important}"
    ".press-chart{display:block;width:100%;height:auto;object-fit:contain;object-position:left top;"
    f"max-height:calc(100vh - {'28rem' if present else '24rem'});min-height:10rem}}"
    ".press-chart.short{display:none}"
    "@media (max-height:800px){.press-chart.tall{display:none}.press-chart.short{display:block}"
    "h1{font-size:2.25rem !important;padding-top:0 !important}}"
    "</style>"
)

view = cached_build(press.press_view)(lang=lang, as_of=as_of)  # figures: shared, not unpickled per run
source = t("press.source_line", source=t("print.source.io"), date=fmt_date(as_of, lang))

head, badge = st.columns([5, 2], vertical_alignment="bottom")
with head:
    ctx.heading(t("press.title"), note=not present)
head.markdown(t("press.subtitle", year=view.year or "–") + (f" · {ctx.as_of_line}" if present else ""))
if view.examples:
    badge.markdown(f":orange-badge[:material/science: {t('example.badge')}]  \n:orange[{t('press.example_note')}]")

for column, figure in zip(st.columns(len(view.headlines)), view.headlines, strict=True):
    with column.container(border=True, height="stretch"):
        st.metric(t(f"press.{figure.key}.label"), figure.value, help=t(f"press.{figure.key}.definition"))
        status = f" · **{t(f'targets.status.{figure.status}')}**" if figure.status else ""
        st.markdown(f"{figure.detail}{status}")
        if not present:  # on a shared screen the definitions sit behind the (?) of each number
            st.caption(t(f"press.{figure.key}.definition"))
st.caption(f"{source} · {t('press.small_counts')}")
said = cached_build(communications.counts_by_channel_and_term)(as_of=as_of)
st.markdown(t("comms.what_we_did", line=communications.summary_line(said, lang)))



@cached_build
def _chart_images(engine, lang: str, as_of) -> list[str]:
    """Each chart as the page draws it — one image per screen shape, CSS shows the one that fits — once per data
    version and view (each a few hundred kB of base64)."""
    return ["".join(f'<img class="press-chart {shape}" alt="{html.escape(alt)}" '
                    f'src="data:image/svg+xml;base64,{base64.b64encode(svg.encode("utf-8")).decode("ascii")}">'
                    for shape, svg in svgs.items())
            for _key, svgs, alt in cached_build(press.press_images)(lang=lang, as_of=as_of)]


images = _chart_images(lang, as_of)
for column, markup in zip(st.columns(len(images)), images, strict=True):
    drawn.html(markup, container=column)

if not present:  # download buttons would spoil a screenshot
    for column, (key, figure) in zip(st.columns(len(view.charts)), view.charts, strict=True):
        with column:
            chart_downloads(key, figure, lang=lang, as_of=as_of, examples=view.examples, variant="press")
    if st.button(t("press.present"), icon=":material/fullscreen:"):
        st.query_params["present"] = "1"
        st.rerun()
