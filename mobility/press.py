"""The press view's figures: the plan's headline numbers, publishable as they are.

Built from the same reports as the CLI (``targets_report``, ``budget_report``) so the magazine and the dashboard
never disagree. Counts under five can identify people, so a publishable count below that is shown as "<5".
"""

from dataclasses import dataclass

from mobility.i18n import fmt_int, fmt_number, fmt_pct, fmt_sek, t

SMALL_COUNT = 5
SOURCE = "International Office, Mittuniversitetet"


def publishable_count(n: int | None, lang: str) -> str:
    """A count as it may be printed: "<5" below the threshold, the number otherwise."""
    if n is None:
        return "–"
    return "<5" if n < SMALL_COUNT else fmt_int(n, lang)


@dataclass(frozen=True)
class Headline:
    key: str  # press.<key>.label / .definition in the locale files
    value: str
    detail: str
    status: str | None = None  # a target's status word, or None


def headlines(*, targets: dict, budget: dict, activities_done: int, activities_total: int, lang: str) -> list[Headline]:
    """Outgoing students vs target, Erasmus teachers vs target, balance, budget used, activities done."""
    by_code = {row["code"]: row for row in targets.get("targets", [])}
    out = []
    for code in ("A", "B"):
        row = by_code.get(code)
        if row is None:
            continue
        out.append(Headline(
            key=f"target_{code.lower()}",
            value=publishable_count(row["value"], lang),
            detail=t("press.vs_target", lang, target=publishable_count(row["target"], lang),
                     year=row["target_year"], baseline=publishable_count(row["baseline"], lang),
                     baseline_year=row["baseline_year"]),
            status=row["status"],
        ))
    balance = targets.get("balance") or {}
    ratio = balance.get("ratio")
    out.append(Headline(
        key="balance",
        value="–" if ratio is None else fmt_number(ratio, lang, 2),
        detail=t("press.balance_detail", lang, outgoing=publishable_count(balance.get("outgoing"), lang),
                 incoming=publishable_count(balance.get("incoming"), lang)),
    ))
    total = budget["total"]
    used = 100 * total["spent"] / total["allocated"] if total["allocated"] else None
    out.append(Headline(
        key="budget", value=fmt_pct(used, lang, 0),
        detail=t("press.budget_detail", lang, spent=fmt_sek(total["spent"], lang), allocated=fmt_sek(total["allocated"], lang)),
    ))
    out.append(Headline(
        key="activities", value=f"{activities_done}/{activities_total}",
        detail=t("press.activities_detail", lang, pct=fmt_pct(100 * activities_done / activities_total, lang, 0)),
    ))
    return out
