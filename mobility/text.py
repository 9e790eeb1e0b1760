"""What a person typed, shown as that text: never as Markdown, HTML, an image or a link.

Streamlit renders Markdown almost everywhere (``st.markdown``, captions, titles, alerts, widget labels, table cells),
and so does the Markdown report. An editor's note such as ``![](http://elsewhere/x.png)`` would make every reader's
browser fetch an outside address. ``plain`` escapes every ASCII punctuation mark with a backslash (CommonMark allows
exactly that), so Markdown, HTML, Streamlit's ``:red[…]`` and ``$…$`` and bare ``http://`` links all stay text.
Use it on every user-typed value that goes into a Markdown-rendering place; DOCX and PDF take the raw text.
"""

import re

_PUNCTUATION = re.compile(r"([!-/:-@\[-`{-~])")  # every ASCII punctuation character
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def plain(text, *, inline: bool = False) -> str:
    """``text`` escaped for a Markdown-rendering place; line breaks kept (or, ``inline``, turned into spaces)."""
    if text is None:
        return ""
    escaped = _PUNCTUATION.sub(r"\\\1", _CONTROL.sub("", str(text)))
    lines = escaped.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    # Leading spaces would start a code block; a hard break ("  \n") keeps each typed line on its own line.
    lines = [line.lstrip(" \t") for line in lines]
    return " ".join(lines) if inline else "  \n".join(lines)
