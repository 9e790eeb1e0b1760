"""Router only: every page sets itself up through mobility.ui.shell.page().

Streamlit runs this file for every page view (``__name__ == "__main__"``). ``streamlit run app.py`` also imports it
once as a module to find ``app``: Streamlit's own server plus the one route that sets the login cookie.
"""

import streamlit as st

if __name__ == "__main__":
    from mobility.ui.shell import route

    route().run()
else:
    from mobility.ui.cookies import ROUTES
    from mobility.ui.startup import lifespan

    app = st.App(__file__, routes=ROUTES, lifespan=lifespan)
