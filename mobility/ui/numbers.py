"""Numbers stay numbers in tables: numeric columns, formatted by the browser in the page's language.

``format="localized"`` formats with the browser's locale; the page shell pins that locale to the page language
(``shell.document_language``), so a Swedish page shows ``1 560 500`` and ``−45 049,50`` whatever the reader's
browser says, and sorting stays numeric.
"""

import streamlit as st

PCT_FORMAT = {"sv": "%.0f %%", "en": "%.0f%%"}  # 76 % / 76%, as fmt_pct writes them
DATE_FORMAT = {"sv": "YYYY-MM-DD", "en": "D MMM YYYY"}  # 2018-12-31 / 31 Dec 2018, as fmt_date writes them


def kr_column(label: str, lang: str, *, ore: bool = False, **kwargs):
    """Kronor: whole kronor (headline tables) or to the öre (the ledger). Values in kronor, not öre."""
    return st.column_config.NumberColumn(label, format="localized", step=0.01 if ore else 1, **kwargs)


def count_column(label: str, lang: str, **kwargs):
    return st.column_config.NumberColumn(label, format="localized", step=1, **kwargs)


def pct_column(label: str, lang: str, **kwargs):
    return st.column_config.NumberColumn(label, format=PCT_FORMAT[lang], **kwargs)


def date_column(label: str, lang: str, **kwargs):
    """Dates as dates (they sort by time, not as text), written the way fmt_date writes them."""
    return st.column_config.DateColumn(label, format=DATE_FORMAT[lang], **kwargs)
