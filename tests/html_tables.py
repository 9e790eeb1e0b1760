"""What a page drew as HTML, as a reader sees it: its tables to read (``drawn.table``) as frames, its other text."""

from html.parser import HTMLParser

import pandas as pd

from mobility.ui.drawn import TABLE_CLASS


class _Tables(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tables: list[list[list[str]]] = []
        self.cell: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        if tag == "table":
            self.tables.append([])
        elif tag == "tr":
            self.tables[-1].append([])
        elif tag in ("th", "td"):
            self.cell = []

    def handle_endtag(self, tag):
        if tag in ("th", "td"):
            self.tables[-1][-1].append("".join(self.cell))
            self.cell = None

    def handle_data(self, data):
        if self.cell is not None:
            self.cell.append(data)


def tables_in(markup: str) -> list[pd.DataFrame]:
    """The tables to read in one element's HTML: each with its header row as the columns."""
    if f'class="{TABLE_CLASS}"' not in markup:
        return []
    parser = _Tables()
    parser.feed(markup)
    return [pd.DataFrame(rows[1:], columns=rows[0]) for rows in parser.tables]


def read_tables(at) -> list[pd.DataFrame]:
    """Every table to read on the page, in order."""
    return [frame for element in at.html for frame in tables_in(element.value)]


class _Text(HTMLParser):
    """The text outside tables, styles and scripts."""

    HIDDEN = ("style", "script", "table")

    def __init__(self):
        super().__init__()
        self.depth = 0
        self.found: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.depth += tag in self.HIDDEN

    def handle_endtag(self, tag):
        self.depth -= tag in self.HIDDEN

    def handle_data(self, data):
        if not self.depth:
            self.found.append(data)


def html_text(markup: str) -> str:
    """The text an HTML element shows, its tables to read left out as st.table's were (``read_tables`` reads them)."""
    parser = _Text()
    parser.feed(markup)
    return " ".join(parser.found)
