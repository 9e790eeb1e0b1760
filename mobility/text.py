"""What a person typed, shown as that text: never as Markdown, HTML, an image or a link.

Streamlit renders Markdown almost everywhere (``st.markdown``, captions, titles, alerts, widget labels, table cells),
and so does the Markdown report. An editor's note such as ``![](http://elsewhere/x.png)`` would make every reader's
browser fetch an outside address. ``plain`` escapes the punctuation Markdown reads with a backslash (CommonMark allows
exactly that), so Markdown, HTML, Streamlit's ``:red[…]`` and ``$…$`` stay text; bare ``http://``, ``www.`` and
e-mail addresses get an invisible word joiner so that they are not turned into links.
Use it on every user-typed value that goes into a Markdown-rendering place; DOCX and PDF take the raw text.
"""

import re

from mobility.i18n import t

# The characters Markdown (GFM, Streamlit's directives, math) reads anywhere on a line; "_" only at a word's edge
# (inside a word it never emphasises), and "-", "." only where they could start a list at the start of a line.
# Dots and hyphens inside names and references (io.editor, V-2017-77) stay as typed.
_ALWAYS = re.compile(r"([\\`*{}\[\]()<>!#|~$&^=+\"]|:(?=\S))")  # ":" only where a :directive: could start
_UNDERSCORE = re.compile(r"(?<![0-9A-Za-z])_|_(?![0-9A-Za-z])")
_LIST_START = re.compile(r"^(-|\d+)(\.?)")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
# GFM turns bare addresses into links even when their punctuation is escaped; an invisible word joiner after the
# scheme (or before an e-mail's @) keeps them text that reads the same.
_AUTOLINK = re.compile(r"(?i)\b(https?|mailto|xmpp|www)(?=[:.])|(?=@)")
_JOINER = "\u2060"


def plain(text, *, inline: bool = False) -> str:
    """``text`` escaped for a Markdown-rendering place; line breaks kept (or, ``inline``, turned into spaces)."""
    if text is None:
        return ""
    unlinked = _AUTOLINK.sub(lambda m: (m.group(1) or "") + _JOINER, _CONTROL.sub("", str(text)))
    escaped = _UNDERSCORE.sub(r"\\_", _ALWAYS.sub(r"\\\1", unlinked))
    lines = escaped.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    # Leading spaces would start a code block; a hard break ("  \n") keeps each typed line on its own line.
    lines = [_LIST_START.sub(_unlisted, line.lstrip(" \t")) for line in lines]
    return " ".join(lines) if inline else "  \n".join(lines)


def _unlisted(m: re.Match) -> str:
    """``- item`` and ``1. item`` at a line's start are a list in Markdown: escape the marker."""
    return "\\-" if m.group(1) == "-" else m.group(1) + ("\\." if m.group(2) else "")


def control_character(text) -> str | None:
    """The first control character in typed text as ``U+0007``, or None: such text is refused, never stored
    (it breaks the XLSX and Word exports and cannot be seen on screen). Tabs and line breaks are fine."""
    found = _CONTROL.search(str(text or ""))
    return f"U+{ord(found.group()):04X}" if found else None


def control_problems(lang: str, *texts) -> list[str]:
    """A refusal in ``lang`` for each typed text that holds a control character, quoting its start (the character
    shown as its visible Unicode picture, e.g. ␇), so that the writer finds it; [] when all are fine."""
    problems = []
    for text in texts:
        if code := control_character(text):
            shown = _CONTROL.sub(lambda m: chr(0x2421 if m.group() == "\x7f" else 0x2400 + ord(m.group())), str(text))
            problems.append(t("text.err.control_in", lang, text=shown[:40] + ("…" if len(shown) > 40 else ""),
                              code=code))
    return problems
