"""Swedish first, English one click away: UI strings and Swedish number and date formats.

Strings live in ``mobility/locales/*.yaml`` (one file per domain, key → {sv, en}); a key defined twice is an error.
"""

from datetime import date, datetime
from functools import cache
from pathlib import Path
from zoneinfo import ZoneInfo

import yaml
from babel.dates import format_date as _babel_date
from babel.numbers import format_decimal

LANGS = ("sv", "en")
DEFAULT_LANG = "sv"
LOCALES = {"sv": "sv_SE", "en": "en_GB"}
TIMEZONE = ZoneInfo("Europe/Stockholm")
_DIR = Path(__file__).with_name("locales")
MINUS = "\u2212"  # a real minus sign, not a hyphen: "−2 500 kr"


@cache
def strings() -> dict[str, dict[str, str]]:
    merged: dict[str, dict[str, str]] = {}
    for path in sorted(_DIR.glob("*.yaml")):
        for key, texts in yaml.safe_load(path.read_text(encoding="utf-8")).items():
            if key in merged:
                raise KeyError(f"{path.name}: the string {key!r} is defined twice")
            merged[key] = texts
    return merged


def normalise_lang(lang: str | None) -> str:
    return lang if lang in LANGS else DEFAULT_LANG


def t(key: str, lang: str = DEFAULT_LANG, /, **values) -> str:
    """The text for ``key`` in ``lang``; a missing key shows itself rather than failing a page."""
    texts = strings().get(key)
    text = texts.get(lang) or texts.get(DEFAULT_LANG) if texts else key
    return text.format(**values) if values else text


def fmt_int(value: float | int | None, lang: str = DEFAULT_LANG) -> str:
    """``1560500`` → ``1 560 500`` (Swedish) / ``1,560,500`` (English)."""
    if value is None:
        return "–"
    return format_decimal(round(value), locale=LOCALES[lang]).replace("-", MINUS)


def fmt_number(value: float | None, lang: str = DEFAULT_LANG, decimals: int = 1) -> str:
    if value is None:
        return "–"
    number = format_decimal(round(value, decimals), format=f"#,##0.{'0' * decimals}", locale=LOCALES[lang])
    return number.replace("-", MINUS)


def fmt_sek(value: float | None, lang: str = DEFAULT_LANG, *, ore: bool = False) -> str:
    """``1 560 500 kr`` in both languages (kronor are kronor); ``ore=True`` keeps two decimals."""
    if value is None:
        return "–"
    number = fmt_number(value, lang, 2) if ore else fmt_int(value, lang)
    return f"{number}\u00a0kr"


def fmt_pct(value: float | None, lang: str = DEFAULT_LANG, decimals: int = 1) -> str:
    """``12,5 %`` (Swedish puts a space before the sign) / ``12.5%``."""
    if value is None:
        return "–"
    number = fmt_number(value, lang, decimals)
    return f"{number}\u00a0%" if lang == "sv" else f"{number}%"


def fmt_date(value: date | datetime | None, lang: str = DEFAULT_LANG) -> str:
    """ISO dates are how Swedes write dates (2026-11-28); English readers get 28 Nov 2026."""
    if value is None:
        return "–"
    if isinstance(value, datetime):
        value = local_time(value).date()
    return value.isoformat() if lang == "sv" else _babel_date(value, "d MMM y", locale=LOCALES[lang])


def fmt_datetime(value: datetime | None, lang: str = DEFAULT_LANG) -> str:
    if value is None:
        return "–"
    local = local_time(value)
    return f"{fmt_date(local.date(), lang)} {local:%H:%M}"


def fmt_month(value: date | None, lang: str = DEFAULT_LANG) -> str:
    """``feb. 2016`` / ``Feb 2016``."""
    if value is None:
        return "–"
    return _babel_date(value, "MMM y", locale=LOCALES[lang])


def local_today() -> date:
    """Today in Sweden: a UTC server is still on yesterday for the first hours after midnight here."""
    return datetime.now(TIMEZONE).date()


def local_time(value: datetime) -> datetime:
    return value.astimezone(TIMEZONE) if value.tzinfo else value
