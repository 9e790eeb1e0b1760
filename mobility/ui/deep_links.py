"""A link to a page other than "/" connects at the first try.

Streamlit's browser code cannot tell "/budget" (the page budget of an app served at "/") from the main page of an app
served under the path "/budget", so it asks "/budget/_stcore/health" first and, after that 404, "/_stcore/health"
after a pause (~100 ms in a browser trace) on every first load of a deep link (its own comment, ``UriUtil.ts``, says
so). A host page may name the server's address in ``window.__streamlit.BACKEND_BASE_URL``, read before the app
starts; at each page's address we serve Streamlit's own index.html with that one line added. The address is the
page's minus its last segment, taken in the browser, so a proxy's path prefix stays in it.
"""

from functools import cache
from pathlib import Path

import streamlit
from starlette.requests import Request
from starlette.responses import HTMLResponse
from starlette.routing import Route

INDEX_HTML = Path(streamlit.__file__).with_name("static") / "index.html"
LAST_SEGMENT = r"[^/]*\/?$"  # read alike by JavaScript and Python
BASE_URL_SCRIPT = ("<script>window.__streamlit = {BACKEND_BASE_URL: "
                   f'location.origin + location.pathname.replace(/{LAST_SEGMENT}/, "")}}</script>')


@cache
def index_html() -> str:
    """Streamlit's index.html with the server's address set before its scripts (module scripts run after it)."""
    html = INDEX_HTML.read_text(encoding="utf-8")
    if "<head>" not in html:
        raise RuntimeError(f"{INDEX_HTML} has no <head>: Streamlit's page changed, check deep_links")
    return html.replace("<head>", "<head>\n    " + BASE_URL_SCRIPT, 1)


def _index(_request: Request) -> HTMLResponse:
    return HTMLResponse(index_html(), headers={"Cache-Control": "no-cache"})  # as Streamlit serves it


def routes(page_keys: list[str]) -> list[Route]:
    """One route per page address ("/" needs none: Streamlit tries it alone)."""
    index_html()  # read now: a Streamlit whose page changed shape stops the server's start, not a reader's page
    return [Route(f"/{key}", _index, methods=["GET", "HEAD"]) for key in page_keys]
