"""The plan's own words around its activity list (background, goals, strategy, implementation), for the About page."""

import re

from mobility.plan import PLAN_FILES, load_plan_file


def about_the_plan(engine=None) -> dict:
    """Title, text sections, areas with goals, working group and the 2018 note, from the (newest) plan file.

    ``engine`` is unused: the text is plan data read from the file, so the page can cache it like any query.
    """
    raw = load_plan_file(PLAN_FILES[-1])
    return {"title": raw["title"], "sections": raw.get("about", []), "areas": raw["areas"],
            "working_group": raw.get("working_group", []), "not_decided_note": raw["not_decided_note"]}


_MARKDOWN = re.compile(r"([\\`*_\[\]<>#|~$:])")  # what could start emphasis, a link, HTML, maths or an icon


def plain(text: str) -> str:
    """Text shown as it is written, with Markdown's special characters escaped."""
    return _MARKDOWN.sub(r"\\\1", text or "")
