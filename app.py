"""Router only: every page sets itself up through mobility.ui.shell.page()."""

import streamlit as st

from mobility.ui.shell import st_pages

st.navigation(st_pages(), position="hidden").run()
