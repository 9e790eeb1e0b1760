"""Router only: every page sets itself up through mobility.ui.shell.page().

Streamlit runs this file for every page view (``__name__ == "__main__"``). ``streamlit run app.py`` also imports it
once as a module to find ``app``: Streamlit's own server plus the route that sets the login cookie and each page's
address served with the server's address named (``deep_links``: a deep link connects at the first try).
"""

import streamlit as st

if __name__ == "__main__":
    from mobility.ui.shell import route

    route().run()
else:
    from mobility.ui import cookies, deep_links
    from mobility.ui.shell import PAGES
    from mobility.ui.startup import lifespan

    app = st.App(__file__, routes=cookies.ROUTES + deep_links.routes([p.key for p in PAGES]), lifespan=lifespan)
