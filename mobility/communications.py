"""Goal E's communication log: what was told about the plan, in which channel, to whom, when.

The channels are plan data (``communication: channels:`` in the plan file, from its section on implementation and
communication). Counts per channel and term are summed in SQL: VT = January–June, HT = July–December (July has
no teaching; it is counted with the autumn term it prepares).
"""

from dataclasses import dataclass
from datetime import date
from functools import cache

from sqlalchemy import Engine, case, extract, func, select
from sqlmodel import Session

from mobility.i18n import fmt_date, t
from mobility.models import Activity, Communication
from mobility.plan import PLAN_FILES, load_plan_file
from mobility.service import Actor, ValidationError, audit, now, write_transaction
from mobility.text import control_problems

NOTE_MAX = 500
AUDIENCE_MAX = 120
LINK_MAX = 500


@cache
def channels() -> dict[str, dict[str, str]]:
    """code → {sv, en}, in the plan file's order."""
    raw = load_plan_file(PLAN_FILES[-1]).get("communication", {}).get("channels", [])
    return {c["code"]: {"sv": c["sv"], "en": c["en"]} for c in raw}


def channel_name(code: str, lang: str) -> str:
    return channels().get(code, {}).get(lang, code)


def term_of(day: date) -> str:
    return "VT" if day.month <= 6 else "HT"


def term_label(year: int, term: str) -> str:
    """'VT 2017', 'HT 2016' — the same in both languages (the plan's own abbreviations)."""
    return f"{term} {year}"


# Writing ---------------------------------------------------------------------------------------------------------

def add_communication(*, engine: Engine, actor: Actor, held_on: date, channel: str, audience: str = "",
                      activity: str = "", note: str = "", link: str = "", today: date | None = None,
                      lang: str = "en") -> int:
    """Log one communication; editors only. Returns its id."""
    audience, activity, note, link = ((v or "").strip() for v in (audience, activity, note, link))
    problems = control_problems(lang, audience, note, link)
    if not isinstance(held_on, date):
        problems.append(t("comms.err.date", lang))
    elif today and held_on > today:
        problems.append(t("comms.err.future", lang, date=fmt_date(held_on, lang)))
    if channel not in channels():
        problems.append(t("comms.err.channel", lang))
    if len(audience) > AUDIENCE_MAX:
        problems.append(t("comms.err.audience_long", lang, limit=AUDIENCE_MAX))
    if not note:
        problems.append(t("comms.err.note_missing", lang))
    elif len(note) > NOTE_MAX:
        problems.append(t("comms.err.note_long", lang, limit=NOTE_MAX))
    if link and (not link.lower().startswith(("https://", "http://")) or len(link) > LINK_MAX or " " in link):
        problems.append(t("comms.err.link", lang, limit=LINK_MAX))
    if problems:
        raise ValidationError(problems)
    with write_transaction(engine, actor) as session:
        if activity and not session.execute(select(Activity.id).where(Activity.code == activity)).first():
            raise ValidationError(t("comms.err.activity", lang, code=activity))
        entry = Communication(held_on=held_on, channel=channel, audience=audience, activity_code=activity,
                              note=note, link=link, entered_by=actor.name, entered_at=now())
        session.add(entry)
        session.flush()
        audit(session, actor, action="add_communication", entity="communication", key=str(entry.id),
              after={"held_on": held_on, "channel": channel, "audience": audience, "activity": activity,
                     "note": note, "link": link})
        return entry.id


def remove_communication(*, engine: Engine, actor: Actor, entry_id: int, lang: str = "en") -> None:
    """Take back an entry logged by mistake (the audit log keeps what it said)."""
    with write_transaction(engine, actor) as session:
        entry = session.get(Communication, entry_id)
        if entry is None:
            raise ValidationError(t("comms.err.unknown", lang, id=entry_id))
        before = {"held_on": entry.held_on, "channel": entry.channel, "audience": entry.audience,
                  "activity": entry.activity_code, "note": entry.note, "link": entry.link}
        session.delete(entry)
        audit(session, actor, action="remove_communication", entity="communication", key=str(entry_id),
              before=before)


# Reading ---------------------------------------------------------------------------------------------------------

def entries(engine: Engine, *, since: date | None = None, until: date | None = None,
            limit: int | None = 200) -> list[dict]:
    """Newest first, between the dates (inclusive)."""
    query = select(Communication).order_by(Communication.held_on.desc(), Communication.id.desc())
    if since:
        query = query.where(Communication.held_on >= since)
    if until:
        query = query.where(Communication.held_on <= until)
    if limit:
        query = query.limit(limit)
    with Session(engine) as session:
        return [c.model_dump() for c in session.execute(query).scalars()]


def count_entries(engine: Engine, *, since: date | None = None, until: date | None = None) -> int:
    query = select(func.count()).select_from(Communication)
    if since:
        query = query.where(Communication.held_on >= since)
    if until:
        query = query.where(Communication.held_on <= until)
    with Session(engine) as session:
        return session.execute(query).scalar_one()


@dataclass(frozen=True)
class TermCount:
    year: int
    term: str  # VT or HT
    channel: str
    n: int


def counts_by_channel_and_term(engine: Engine, *, as_of: date | None = None) -> list[TermCount]:
    """Entries per term and channel up to ``as_of`` (inclusive), oldest term first, channels in plan order."""
    year = extract("year", Communication.held_on)
    term = case((extract("month", Communication.held_on) <= 6, "VT"), else_="HT")
    query = select(year, term, Communication.channel, func.count()).group_by(year, term, Communication.channel)
    if as_of:
        query = query.where(Communication.held_on <= as_of)
    with Session(engine) as session:
        rows = session.execute(query).all()
    order = {code: n for n, code in enumerate(channels())}
    out = [TermCount(int(y), tm, ch, int(n)) for y, tm, ch, n in rows]
    return sorted(out, key=lambda c: (c.year, c.term == "HT", order.get(c.channel, 99)))


def totals_by_channel(counts: list[TermCount]) -> dict[str, int]:
    out: dict[str, int] = {}
    for c in counts:
        out[c.channel] = out.get(c.channel, 0) + c.n
    return dict(sorted(out.items(), key=lambda kv: list(channels()).index(kv[0]) if kv[0] in channels() else 99))


def latest_term(counts: list[TermCount]) -> tuple[int, str] | None:
    return max(((c.year, c.term) for c in counts), key=lambda yt: (yt[0], yt[1] == "HT"), default=None)


def summary_line(counts: list[TermCount], lang: str, *, term: tuple[int, str] | None = None) -> str:
    """'HT 2017: 4 Mittuppslaget (prorektors rader) · 2 Studentportalen' — one term (default the latest) in words."""
    term = term or latest_term(counts)
    if term is None:
        return t("comms.none_yet", lang)
    parts = [f"{c.n} {channel_name(c.channel, lang)}" for c in counts if (c.year, c.term) == term]
    return f"{term_label(*term)}: " + " · ".join(parts)


def table_by_term(counts: list[TermCount], lang: str) -> dict[str, list]:
    """Rows = channels, columns = terms (oldest first), cells = counts (0 where none): for a page or a sheet."""
    terms = sorted({(c.year, c.term) for c in counts}, key=lambda yt: (yt[0], yt[1] == "HT"))
    cell = {(c.channel, c.year, c.term): c.n for c in counts}
    used = [code for code in channels() if any(c.channel == code for c in counts)]
    table: dict[str, list] = {t("comms.col.channel", lang): [channel_name(code, lang) for code in used]}
    for year, term in terms:
        table[term_label(year, term)] = [cell.get((code, year, term), 0) for code in used]
    return table


def communications_json(engine: Engine, *, as_of: date | None = None) -> dict:
    counts = counts_by_channel_and_term(engine, as_of=as_of)
    return {
        "as_of": as_of.isoformat() if as_of else None,
        "channels": list(channels()),
        "counts": [{"year": c.year, "term": c.term, "channel": c.channel, "n": c.n} for c in counts],
        "entries": [
            {"date": e["held_on"].isoformat(), "channel": e["channel"], "audience": e["audience"],
             "activity": e["activity_code"] or None, "note": e["note"], "link": e["link"] or None,
             "entered_by": e["entered_by"]}
            for e in entries(engine, until=as_of, limit=None)
        ],
    }
