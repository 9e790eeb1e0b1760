"""What one kind of element adds to a page's ready time in Chromium, against the same bare page without it.

Guides the choices in the pages (a plain table or the grid, pills or a multiselect): each kind is drawn on an
otherwise empty Streamlit page, loaded by turns with the empty page in one warmed browser profile (as
scripts/bench_browser.py does), and the medians are printed with the empty page's time beside them.

Usage: python scripts/bench_elements.py [runs]
"""

import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

KINDS = {
    "one st.dataframe (10 rows)": "st.dataframe(df)",
    "three st.dataframe": "[st.dataframe(df, key=f'd{i}') for i in range(3)]",
    "one st.table (10 rows)": "st.table(df)",
    "st.table, 20 rows x 6": "st.table(big)",
    "the same as HTML (drawn.table)": "table(big, lang='sv', label='t')",
    "four st.multiselect": "[st.multiselect(f'm{i}', ['a', 'b']) for i in range(4)]",
    "four st.pills": "[st.pills(f'p{i}', ['a', 'b'], selection_mode='multi') for i in range(4)]",
    "fifty st.markdown": "[st.markdown(f'**x** {i}') for i in range(50)]",
    "ten buttons with icons": "[st.button(f'b{i}', icon=':material/home:') for i in range(10)]",
    # The shell's choices: a sidebar at all, its menu, and where the as-of date picker sits
    "a sidebar with one line": "st.sidebar.markdown('Mobility plan')",
    "ten st.page_link (sidebar)": "[st.sidebar.page_link(HOME, label=f'l{i}', icon=':material/home:') "
                                  "for i in range(10)]",
    "Streamlit's menu, ten pages": "pass  # MENU below: the same ten pages in st.navigation's own menu",
    "date_input (sidebar)": "st.sidebar.date_input('as of', value=DAY)",
    "date_input in a popover": "st.sidebar.popover('As of').date_input('as of', value=DAY)",
    "ten headings": "[st.header(f'h{i}') for i in range(10)]",
    "three selectbox": "[st.selectbox(f's{i}', ['a', 'b']) for i in range(3)]",
    "five download buttons": "[st.download_button(f'd{i}', b'x', file_name='x.csv', key=f'd{i}') for i in range(5)]",
}
MENU = list(KINDS).index("Streamlit's menu, ten pages")

APP = '''
import datetime
import pandas as pd
import streamlit as st
from mobility.ui.drawn import table
DAY = datetime.date(2026, 1, 1)
def draw():
    kind = int(st.query_params.get("kind", "-1"))
    st.title("Elements")
    df = pd.DataFrame({"a": range(10), "b": ["x"] * 10, "c": [1.5] * 10})
    big = pd.DataFrame({f"col {j}": [f"text {i} {j} with some words" for i in range(20)] for j in range(6)})
''' + "".join(f"    if kind == {n}: {code}\n" for n, code in enumerate(KINDS.values())) + f'''
# One page routed by st.navigation, as in the app (page links need it); the menu kind gets nine more in the menu.
HOME = st.Page(draw, title="Home", url_path="home", default=True)
menu = st.query_params.get("kind") == "{MENU}"
others = [st.Page(draw, title=f"Page {{i}}", url_path=f"p{{i}}") for i in range(9)]  # as the app's: no icons
st.navigation([HOME, *others] if menu else [HOME], position="sidebar" if menu else "hidden").run()
'''


def main(runs: int = 7) -> None:
    from playwright.sync_api import sync_playwright

    from scripts.bench_browser import _ready_ms, _serve

    with tempfile.TemporaryDirectory() as tmp:
        (Path(tmp) / "elements.py").write_text(APP)
        server, url = _serve(Path(tmp) / "elements.py", Path(tmp), {**os.environ, "PYTHONPATH": str(ROOT)})
        try:
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox"])
                context = browser.new_context(viewport={"width": 1400, "height": 1000})
                kinds = range(-1, len(KINDS))
                for kind in kinds:
                    _ready_ms(context, f"{url}/?kind={kind}")  # warm: scripts and lazy chunks cached
                times = {kind: [] for kind in kinds}
                for _ in range(runs):
                    for kind in kinds:
                        times[kind].append(_ready_ms(context, f"{url}/?kind={kind}")[0])
                empty = statistics.median(times[-1])
                print(f"{'element':<28} {'page ms':>8} {'empty ms':>9} {'added':>6}")
                for n, name in enumerate(KINDS):
                    page = statistics.median(times[n])
                    print(f"{name:<28} {page:>8.0f} {empty:>9.0f} {page - empty:>+6.0f}")
                browser.close()
        finally:
            server.terminate()
            server.wait(10)


if __name__ == "__main__":
    subprocess.run(["uptime"], check=False)
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 7)
    subprocess.run(["uptime"], check=False)
