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
    # The headline cards: one element, not five st.metric cards in bordered columns (scripts/bench_versions.py)
    ".press-cards{display:grid;grid-template-columns:repeat(auto-fit,minmax(9rem,1fr));gap:1rem}"
    ".press-card{border:1px solid #d5dbe1;border-radius:0.5rem;padding:0.75rem 1rem}"
    ".press-label{font-size:0.875rem;color:#1f2a37}"
    ".press-value{font-size:clamp(2.25rem,3.4vw,5.5rem);line-height:1.3;font-weight:400;color:#1f2a37}"
    ".press-detail{font-size:1rem;color:#1f2a37}.press-definition{font-size:0.875rem;color:#4a5260;margin-top:0.5rem}"
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



def headline_card(figure) -> str:
    label, definition = t(f"press.{figure.key}.label"), t(f"press.{figure.key}.definition")
    status = f" · <strong>{html.escape(t(f'targets.status.{figure.status}'))}</strong>" if figure.status else ""
    # On a shared screen the definition is out of sight: the label's tooltip, and its description for screen readers
    hidden = " hidden" if present else ""
    return (f'<div class="press-card"><div class="press-label" title="{html.escape(definition)}" '
            f'aria-describedby="definition-{figure.key}">{html.escape(label)}</div>'
            f'<div class="press-value">{html.escape(figure.value)}</div>'
            f'<div class="press-detail">{html.escape(figure.detail)}{status}</div>'
            f'<div class="press-definition" id="definition-{figure.key}"{hidden}>{html.escape(definition)}</div></div>')


st.html(f'<div class="press-cards">{"".join(headline_card(figure) for figure in view.headlines)}</div>')
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
