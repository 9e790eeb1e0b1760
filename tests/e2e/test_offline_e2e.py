"""Offline-clean: with every request to another origin blocked, each page loads whole and nothing fails."""

import re
from urllib.parse import urlsplit

from mobility.ui.shell import PAGES
from tests.e2e.conftest import assert_no_exception, login, open_page

# On a deep link (/targets) Streamlit's client first probes /targets/_stcore/… in case the app lives under that path,
# then uses /_stcore/…: those same-origin 404s are expected. Anything else that fails is a finding.
_BASE_PATH_PROBE = re.compile(r"/\w+/_stcore/(health|host-config) 404$")


def test_no_page_asks_another_origin_for_anything(browser, server):
    """Every page, as an editor (forms drawn too): fonts, icons, scripts and images all come from the app's origin."""
    context = browser.new_context(viewport={"width": 1280, "height": 720})
    own = urlsplit(server).netloc
    outside, failed = [], []

    def guard(route):
        if urlsplit(route.request.url).netloc == own or route.request.url.startswith(("data:", "blob:")):
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort("blockedbyclient")

    def watch(page):
        page.on("requestfailed", lambda r: failed.append(f"{r.url} {r.failure}"))
        page.on("response", lambda r: r.status >= 400 and failed.append(f"{r.url} {r.status}"))

    context.route("**/*", guard)
    first = context.new_page()
    watch(first)
    open_page(first, server)
    login(first)
    first.wait_for_function("() => performance.getEntriesByType('resource')"
                            ".some(e => e.name.includes('session/cookie') && e.responseEnd > 0)")  # the login stays
    first.wait_for_load_state("networkidle")
    for spec in PAGES:
        page = context.new_page()
        watch(page)
        open_page(page, f"{server}/{'' if spec is PAGES[0] else spec.key}")
        page.get_by_test_id("stSidebar").get_by_text("Inloggad som").wait_for()
        assert_no_exception(page)
        page.wait_for_load_state("networkidle")  # lazy chunks, fonts and images have arrived (or failed)
        seen = list(failed)
        page.close()
        failed[:] = seen
    context.close()
    assert outside == [], outside
    assert [f for f in failed if not _BASE_PATH_PROBE.search(f)] == []
