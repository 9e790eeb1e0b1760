"""Each page's own address serves Streamlit's page with the server's address named, so a deep link connects once."""

import re

from starlette.requests import Request
from starlette.routing import Match

from mobility.ui import deep_links
from mobility.ui.shell import PAGES


def _get(path: str, query: str = ""):
    """What the app's routes answer for a GET of ``path``, or None where they leave it to Streamlit."""
    scope = {"type": "http", "method": "GET", "path": path, "query_string": query.encode(), "headers": [],
             "root_path": ""}
    for route in deep_links.routes([p.key for p in PAGES]):
        if route.matches(scope)[0] == Match.FULL:
            return route.endpoint(Request(scope))
    return None


def test_every_page_address_serves_streamlits_page_with_the_server_address_set_before_its_scripts():
    for spec in PAGES:
        response = _get(f"/{spec.key}", "lang=en&as_of=2018-12-31")
        assert response.status_code == 200, spec.key
        assert response.headers["cache-control"] == "no-cache"  # a new Streamlit version's page is picked up
        html = response.body.decode()
        assert html.index("window.__streamlit") < html.index('<script type="module"'), spec.key
        # Nothing else of Streamlit's page changed
        assert html.replace(deep_links.BASE_URL_SCRIPT + "\n    ", "", 1) == deep_links.INDEX_HTML.read_text()


def test_the_address_named_is_the_pages_minus_its_last_segment_so_a_proxy_prefix_stays():
    assert f"replace(/{deep_links.LAST_SEGMENT}/, \"\")" in deep_links.BASE_URL_SCRIPT
    strip = lambda path: re.sub(deep_links.LAST_SEGMENT, "", path)  # noqa: E731 — the script's own pattern
    assert strip("/budget") == "/"
    assert strip("/budget/") == "/"
    assert strip("/mobilitet/budget") == "/mobilitet/"


def test_an_address_that_is_no_page_is_left_to_streamlit():
    assert _get("/no-such-page") is None  # Streamlit's own handler answers it in the app
    assert _get("/") is None
