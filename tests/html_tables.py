"""The tables a page drew to read (``drawn.table``: HTML), as frames of the text a reader sees."""

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
