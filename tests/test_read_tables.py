"""Tables to read (``drawn.table``): one HTML element, text as typed, numbers as the page's language writes them."""

from streamlit.testing.v1 import AppTest

from tests.html_tables import read_tables


def _draw():
    import pandas as pd
    import streamlit as st

    from mobility.ui import drawn

    lang = st.query_params.get("lang", "sv")
    drawn.table(pd.DataFrame({
        "Namn": ["<script>alert(1)</script>", "**fet** & [länk](https://example.org)", None],
        "Antal": pd.array([1560500, 3, None], dtype="Int64"),
        "Andel": [0.5, 12.25, 3.0],
    }), lang=lang, label="Försök <1>")


def _run(lang: str) -> AppTest:
    at = AppTest.from_function(_draw)
    at.query_params["lang"] = lang
    return at.run()


def test_text_is_shown_as_typed_and_never_as_markup():
    at = _run("sv")
    assert read_tables(at)[0]["Namn"].tolist() == ["<script>alert(1)</script>",
                                                    "**fet** & [länk](https://example.org)", ""]
    markup = at.html[0].value
    assert "<script>" not in markup and "&lt;script&gt;" in markup
    assert 'aria-label="Försök &lt;1&gt;"' in markup  # named for screen readers, escaped too


def test_numbers_are_written_as_the_language_does_and_right_aligned():
    swedish, english = read_tables(_run("sv"))[0], read_tables(_run("en"))[0]
    assert swedish["Antal"].tolist() == ["1\xa0560\xa0500", "3", ""]
    assert english["Antal"].tolist() == ["1,560,500", "3", ""]
    assert swedish["Andel"].tolist() == ["0,50", "12,25", "3"] and english["Andel"].tolist() == ["0.50", "12.25", "3"]
    markup = _run("sv").html[0].value
    assert markup.count('class="num"') == 2 * (1 + 3)  # both number columns: header and three rows


def _draw_links():
    from mobility.ui import drawn

    drawn.table({"Länk": ["https://www.miun.se/a?b=1&c=\"2\"", "javascript:alert(1)", ""]}, lang="sv", label="L",
                links=("Länk",))


def test_a_link_column_links_web_addresses_and_leaves_anything_else_text():
    markup = AppTest.from_function(_draw_links).run().html[0].value
    assert ('<a href="https://www.miun.se/a?b=1&amp;c=&quot;2&quot;" target="_blank" rel="noopener noreferrer">'
            'www.miun.se/a?b=1&amp;c=&quot;2&quot;</a>') in markup
    assert markup.count("<a ") == 1 and "javascript:alert(1)" in markup  # shown, not followed
