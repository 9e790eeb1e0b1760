"""Amounts and dates as people write them (forms, imports) → integer öre and dates; öre back to kronor for JSON and
the audit log. Money is integer öre inside, so every sum is exact.
"""

import re
from datetime import date, datetime, time
from decimal import Decimal

import pandas as pd

ORE = 100
MAX_AMOUNT_ORE = 10_000_000 * ORE

_AMOUNT = re.compile(r"([+-]?)(\d{1,3}(?:[ \u00a0\u202f]\d{3})+|\d+)(?:[.,](\d{1,2}))?", re.ASCII)  # 0–9 only
_KRONOR = re.compile(r"\s*kr\.?$", re.IGNORECASE)  # compiled once: 50 000 amounts in an import
_NOT_DIGIT = re.compile(r"\D")


def parse_amount(value) -> int:
    """'75 000,50', '-2 500', '1234.5', or a spreadsheet number → öre. ValueError for anything else."""
    if isinstance(value, bool) or value is None:
        raise ValueError(value)
    if isinstance(value, int):
        return value * ORE
    if isinstance(value, float | Decimal):
        if not Decimal(value).is_finite():
            raise ValueError(value)
        ore = Decimal(repr(value) if isinstance(value, float) else value) * ORE
        if ore != ore.to_integral_value():
            raise ValueError(value)
        return int(ore)
    text = _KRONOR.sub("", str(value).strip().replace("\u2212", "-"))
    m = _AMOUNT.fullmatch(text)
    if not m:
        raise ValueError(value)
    kronor = int(_NOT_DIGIT.sub("", m[2]))
    ore = kronor * ORE + int((m[3] or "0").ljust(2, "0"))
    return -ore if m[1] == "-" else ore


_DAY = re.compile(r"(\d{4})-(\d{2})-(\d{2})(?:[ T](\d{2}:\d{2}(?::\d{2}(?:\.\d{1,6})?)?))?", re.ASCII)


def parse_day(value) -> date:
    """A date or datetime cell, or text 'YYYY-MM-DD' (a time after it is ignored). ValueError otherwise."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    m = _DAY.fullmatch(str(value or "").strip())
    if not m:
        raise ValueError(value)
    if m[4]:
        time.fromisoformat(m[4])  # a time after the date must be a real one: 99:99:99 is not
    return date(int(m[1]), int(m[2]), int(m[3]))


def sek(ore: int | None) -> int | float | None:
    """Öre → kronor as a JSON number: whole kronor stay integers, öre become two exact decimals."""
    if ore is None or pd.isna(ore):
        return None
    ore = int(ore)
    return ore // ORE if ore % ORE == 0 else float(Decimal(ore) / ORE)


def sek_text(ore: int) -> str:
    """Öre → exact kronor as text for the audit log: ``1234.56``."""
    return str(Decimal(ore) / ORE)


def shown(value) -> str:
    """A value as the user gave it, for an error message that says what was wrong."""
    return "" if value is None else str(value).strip()
