"""``python -m mobility …``: the same service functions as the pages, for scripts and automation."""

import argparse
import getpass
import json
import os
import sys
from datetime import date
from decimal import Decimal
from pathlib import Path

import pandas as pd
from sqlalchemy.exc import SQLAlchemyError

from mobility import budget, parsing, spending
from mobility.activities import activity_links, activity_table, split_goals
from mobility.asof import parse_as_of, plan_period
from mobility.auth import save_account
from mobility.checklist_documents import checklists_json
from mobility.db import DatabaseURLError, database_url, make_engine
from mobility.examples import example_counts, remove_example_data
from mobility.i18n import DEFAULT_LANG, LANGS, local_today, t
from mobility.plan import init_database
from mobility.service import SYSTEM, Actor, ValidationError

DEFAULT_SECRETS = Path(".streamlit") / "secrets.toml"


def _month(value) -> str | None:
    return value.strftime("%Y-%m") if value else None


_AS_OF_PROBLEMS = {"asof.problem.malformed": "is not a date (YYYY-MM-DD)",
                   "asof.problem.before_plan": "is before the plan began", "asof.problem.future": "is in the future"}


def as_of_date(engine, text: str | None) -> date:
    """``--as-of`` as the pages read ``?as_of=``: default today while the plan runs, else its last day."""
    day, problem = parse_as_of(text, plan_period(engine), local_today())
    if problem:
        raise ValidationError(f"--as-of: {text!r} {_AS_OF_PROBLEMS[problem]}")
    return day


def activities_json(engine, as_of: date) -> dict:
    """Every activity as it stood on ``as_of``: the status then, late, starting soon, the end used for "late"."""
    df = activity_table(engine, as_of)
    return {"as_of": as_of.isoformat(), "example": "statuschange" in example_counts(engine), "activities": [
        {
            "code": r.code, "section": r.area, "goals": split_goals(r.goals_text), "title": r.title_sv,
            "title_en": r.title_en, "responsible": r.responsible, "start_text": r.start_text, "end_text": r.end_text,
            "start": _month(r.start_month), "end": _month(r.end_month), "end_used": _month(r.end_used),
            "end_assumed": bool(r.end_assumed),
            "budget_sek": None if pd.isna(r.budget_sek) else int(r.budget_sek),
            "links": links, "status": r.status, "overdue": bool(r.overdue), "starting_soon": bool(r.starting_soon),
            "decided": bool(r.decided), "cofinancing_required": bool(r.cofinancing_required),
        }
        for r, links in zip(df.itertuples(), activity_links(engine), strict=True)
    ]}


def cmd_init(engine, args) -> int:
    print(f"Database ready: {_safe_url(database_url())}")
    return 0


def cmd_activities(engine, args) -> int:
    data = activities_json(engine, as_of_date(engine, args.as_of))
    if args.json:
        print(json.dumps(data, ensure_ascii=False, indent=2))
    else:
        print(f"As of {data['as_of']}" + (" (example data)" if data["example"] else ""))
        for r in data["activities"]:
            print(f"{r['code']:<4} {r['status']:<10} {r['start_text'] or '–':<14} {r['title'][:70]}")
    return 0


def cmd_add_user(engine, args) -> int:
    password = os.environ.get("MOBILITY_PASSWORD") or (
        sys.stdin.readline().rstrip("\n") if not sys.stdin.isatty() else getpass.getpass("Password: ")
    )
    save_account(engine, SYSTEM, args.secrets, args.name, role=args.role, password=password)
    print(f"Account {args.name.lower()} ({args.role}) saved in {args.secrets}")
    return 0


def cmd_remove_example(engine, args) -> int:
    removed = remove_example_data(engine=engine, actor=_cli_actor(args))
    print("Removed example data: " + (", ".join(f"{n} {table}" for table, n in removed.items()) or "none"))
    return 0


def _iso_date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {text!r}") from None


def _positive(kind):
    def parse(text: str):
        value = kind(text)
        if value <= 0:
            raise argparse.ArgumentTypeError(f"must be positive: {text!r}")
        return value

    return parse


def cmd_export_charts(engine, args) -> int:
    """Every registered chart on one print canvas, and the caption file, as the page's ZIP holds them."""
    from mobility import exports

    files = exports.chart_files(engine, lang=args.lang, as_of=as_of_date(engine, args.as_of), formats=(args.format,),
                                size=args.size)
    args.outdir.mkdir(parents=True, exist_ok=True)
    for name, content in files.items():
        (args.outdir / name).write_bytes(content)
        print(args.outdir / name)
    return 0


def cmd_export(engine, args) -> int:
    from mobility import exports

    if args.file.suffix.lower() != ".xlsx":
        raise ValidationError(f"FILE: {args.file} must end in .xlsx")
    args.file.write_bytes(exports.export_workbook(engine, as_of=as_of_date(engine, args.as_of)))
    print(f"{args.file}: sheets {', '.join(exports.SHEETS)}")
    return 0


def cmd_report(engine, args) -> int:
    from mobility import followup, meetings, report

    as_of = as_of_date(engine, args.as_of)
    since = args.since or meetings.last_meeting_before(engine, as_of) or plan_period(engine).first
    data = followup.followup_report(engine, since=since, as_of=as_of)
    args.out.write_bytes(report.render(data, args.format, args.lang))
    print(args.out)
    return 0


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise ValidationError(f"{path}: cannot read the file ({exc.strerror})") from None


def cmd_import_counts(engine, args) -> int:
    from mobility.counts import import_counts

    data = _read(args.file)
    summary = import_counts(engine=engine, actor=_cli_actor(args),
                            data=data, filename=args.file.name)
    print(f"Imported {args.file.name}: {summary.added} new, {summary.changed} changed, "
          f"{summary.unchanged} unchanged cells")
    return 0


def _num(value, decimals: int = 1) -> str:
    """A figure for the terminal: ``–`` where there is none, whole numbers without a decimal point."""
    if value is None or value != value:
        return "–"
    return f"{value:.0f}" if float(value).is_integer() else f"{value:.{decimals}f}"


def _word(prefix: str, code: str) -> str:
    """The English word for a status or category code (the CLI speaks English), never the raw key."""
    return t(f"{prefix}.{code}", "en").lower()


def cmd_import_mobilities(engine, args) -> int:
    """A list of mobilities (one row each) → counts; the rows are read in memory and only the counts are saved."""
    from mobility import record_import as ri
    from mobility.counts import cell_label

    data = _read(args.file)
    profile = ri.get_profile(args.profile, engine)
    plan = ri.plan_import(engine, data, args.file.name, profile)
    print(f"{args.file.name}: {plan.rows} mobilities in {len(plan.periods)} terms "
          f"({', '.join(f'{term} {year}' for year, term in plan.periods)}), profile {profile.name}, "
          f"SHA-256 {plan.sha256[:12]}…")
    print(ri.term_rule_text(plan))
    print("Scope: " + "; ".join(f"{dim} {', '.join(values)}" for dim, values in plan.scope.items()))
    for change in plan.changes:
        typed = "  (typed by hand)" if change.before_source == "form" else ""
        before = "–" if change.before is None else change.before
        print(f"  {cell_label(change.key)}: {before} → {change.after}{typed}")
    verb = "Would import" if args.dry_run else "Imported"
    if not args.dry_run:
        actor = _cli_actor(args)
        ri.save_import(engine=engine, actor=actor, plan=plan, confirm_hand_typed=args.replace_typed)
    print(f"{verb} {args.file.name}: {plan.summary.added} new, {plan.summary.changed} changed, "
          f"{plan.summary.unchanged} unchanged cells")
    return 0


def cmd_targets(engine, args) -> int:
    from mobility.targets import targets_report

    report = targets_report(engine, as_of=as_of_date(engine, args.as_of), year=args.year, academic=args.academic,
                            faculty=args.faculty, programme=args.programme, level=args.level)
    if args.json:
        print(json.dumps(report, ensure_ascii=False, indent=2))
    else:
        kind = "academic" if args.academic else "calendar"
        if report["year"] is None:
            print(f"No data: {t('targets.no_data', 'en')} ({kind} years, as of {report['as_of']})")
            return 0
        print(f"As of {report['as_of']}: year {report['year']} ({kind} year, {report['year_reason'].replace('_', ' ')})"
              + (" (example data)" if report["example"] else ""))
        for r in report["targets"]:
            print(f"{r['code']}: {_num(r['value'])} vs target {_num(r['target'])} ({r['target_year']}; baseline "
                  f"{_num(r['baseline'])} in {r['baseline_year']}), progress {_num(r['progress_pct'])} % of "
                  f"{_num(r['expected_pct'])} % expected: {_word('targets.status', r['status'])}")
        b = report["balance"]
        print(f"Balance: {b['outgoing']} out / {b['incoming']} in = {_num(b['ratio'], 2)}")
        print("Mix of incoming students: " + ", ".join(f"{_word('targets.mix', k)} {v}"
                                                      for k, v in report["composition"].items()))
    return 0


def cmd_checklists(engine, args) -> int:
    from mobility.checklist_runs import staff_visits_per_year

    as_of = as_of_date(engine, args.as_of)
    rows = checklists_json(engine)
    visits = staff_visits_per_year(engine, as_of)
    if args.json:
        print(json.dumps({"as_of": as_of.isoformat(), "example": "checklistrun" in example_counts(engine),
                          "staff_visits": {str(y): n for y, n in visits.items()}, "templates": rows},
                         ensure_ascii=False, indent=2))
    else:
        print(f"As of {as_of.isoformat()}: completed C2 staff visits "
              + (", ".join(f"{y}: {n}" for y, n in visits.items()) or "none"))
        for r in rows:
            print(f"{r['key']:<34} {','.join(r['activities']):<6} v{r['version']} {r['status']:<9} "
                  f"{len(r['items']):>3} items  {r['title'][:60]}")
    return 0


# Budget ----------------------------------------------------------------------------------------------------------
def _cli_actor(args=None) -> Actor:
    """Who the change log names: the operating-system user, or an account proven by its password (``--actor``).

    ``--actor NAME`` alone forges nothing: the password comes from MOBILITY_PASSWORD, stdin or a prompt and is checked
    against the account in the secrets file.
    """
    name = getattr(args, "actor", None)
    if name:
        from mobility.auth import check_password, read_secrets

        password = os.environ.get("MOBILITY_PASSWORD") or (
            sys.stdin.readline().rstrip("\n") if not sys.stdin.isatty() else getpass.getpass(f"Password for {name}: ")
        )
        actor = check_password(read_secrets(args.secrets).get("users", {}), name, password)
        if actor is None:
            raise ValidationError(f"--actor {name}: no such account with editing rights, or a wrong password "
                                  f"(accounts in {args.secrets})")
        return actor
    try:
        return Actor(f"cli:{getpass.getuser()}", "system")
    except (KeyError, OSError):
        return SYSTEM


def _actor_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--actor", metavar="ACCOUNT", help="record this account as the author; its password is read from "
                   "MOBILITY_PASSWORD, stdin or a prompt (default: the operating-system user, cli:NAME)")
    p.add_argument("--secrets", type=Path, default=DEFAULT_SECRETS, help="accounts file (default %(default)s)")


def cmd_budget(engine, args) -> int:
    report = budget.budget_report(engine, as_of=as_of_date(engine, args.as_of))
    if args.json:
        print(json.dumps(report, ensure_ascii=False, indent=2))
        return 0
    def kr(v):
        return "–" if v is None else f"{v:>14,.2f}".replace(",", " ")

    print(f"Budget as of {report['as_of']} (SEK)      allocated          spent      remaining"
          + ("   (example data)" if report["example"] else ""))
    for a in report["areas"]:
        print(f"  area {a['code']:<22}{kr(a['allocated'])} {kr(a['spent'])} {kr(a['remaining'])}")
    total = report["total"]
    print(f"  {'total':<27}{kr(total['allocated'])} {kr(total['spent'])} {kr(total['remaining'])}")
    print(f"  {'of which decided':<27}{kr(total['decided'])}   not decided {kr(total['not_decided']).strip()}")
    for a in report["areas"]:
        if a["unnumbered"]:
            print(f"  area {a['code']}'s total includes {', '.join(a['unnumbered'])} (no activity number in the plan)")
    for r in report["activities"]:
        if r["flags"]:
            print(f"  {r['code']:<5} {', '.join(_word('budget.flag', f) for f in r['flags'])}")
    return 0


def cmd_import_spend(engine, args) -> int:
    data = _read(args.file)
    result = spending.import_spend(engine=engine, actor=_cli_actor(args), data=data, filename=args.file.name, lang="en")
    total = Decimal(result.total_ore) / parsing.ORE
    print(f"Imported {len(result.rows)} entries ({total:.2f} SEK) from {args.file.name}; "
          f"skipped {len(result.skipped)} already in the ledger"
          + (f": {', '.join(r.reference for r in result.skipped)}" if result.skipped else ""))
    return 0


# Backups ---------------------------------------------------------------------------------------------------------
def cmd_backup(engine, args) -> int:
    from mobility.backup import backup

    summary = backup(engine, args.file)
    print(f"{args.file}: {sum(s.rows for s in summary.values())} rows from {len(summary)} tables")
    return 0


def cmd_restore(engine, args) -> int:
    from mobility.backup import restore

    summary = restore(engine, args.file)
    print(f"Restored {sum(s.rows for s in summary.values())} rows into {len(summary)} tables of "
          f"{_safe_url(database_url())}; every table matches its checksum")
    return 0


# Deliverables, communication (goal E) and meetings -----------------------------------------------------------------
def cmd_deliverables(engine, args) -> int:
    from mobility.deliverables import deliverables_json

    rows = deliverables_json(engine)
    if args.json:
        print(json.dumps(rows, ensure_ascii=False, indent=2))
    else:
        for r in rows:
            print(f"{r['activity']:<4} {r['state']:<12} {r['approved_on'] or '':<10} {r['title'][:70]}")
    return 0


def cmd_communications(engine, args) -> int:
    from mobility.communications import communications_json

    data = communications_json(engine, as_of=args.as_of or local_today())
    if args.json:
        print(json.dumps(data, ensure_ascii=False, indent=2))
    else:
        for c in data["counts"]:
            print(f"{c['term']} {c['year']}  {c['channel']:<20} {c['n']:>5}")
    return 0


def cmd_meetings(engine, args) -> int:
    from mobility.meetings import meetings_json

    data = meetings_json(engine, as_of=args.as_of or local_today())
    if args.json:
        print(json.dumps(data, ensure_ascii=False, indent=2))
    else:
        for m in data["meetings"]:
            print(f"{m['date']}  {len(m['decisions'])} decisions, {len(m['actions'])} actions  {m['notes'][:60]}")
        print(f"Open actions: {data['open_actions']}; months without a meeting: {len(data['missed_months'])}")
    return 0


def _safe_url(url: str) -> str:
    """Never print a password that sits in DATABASE_URL."""
    from mobility.db import parse_database_url

    try:
        return parse_database_url(url).render_as_string(hide_password=True)
    except DatabaseURLError:
        return "(DATABASE_URL)"


def _as_of_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--as-of", metavar="YYYY-MM-DD", help="describe the plan as it stood on this day "
                        "(default: today while the plan runs, else its last day), as the pages' Per datum")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m mobility", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("init", help="migrate the database and seed the plan").set_defaults(run=cmd_init)
    p = sub.add_parser("activities", help="list the plan's activities")
    p.add_argument("--json", action="store_true", help="print JSON")
    _as_of_option(p)
    p.set_defaults(run=cmd_activities)
    p = sub.add_parser("add-user", help="create or update a local account (password from stdin or a prompt)")
    p.add_argument("name")
    p.add_argument("--role", required=True, choices=["editor", "admin"])
    p.add_argument("--secrets", type=Path, default=DEFAULT_SECRETS, help="secrets file (default %(default)s)")
    p.set_defaults(run=cmd_add_user)
    p = sub.add_parser("remove-example", help="remove every row marked as example data")
    _actor_options(p)
    p.set_defaults(run=cmd_remove_example)
    # Exports and the follow-up report
    from mobility.print_layout import DEFAULT_SIZE, SIZES

    p = sub.add_parser("export-charts", help="write every registered chart as an image file, with a caption file")
    p.add_argument("outdir", type=Path)
    p.add_argument("--lang", choices=LANGS, default=DEFAULT_LANG)
    p.add_argument("--format", choices=["png", "svg"], default="png")
    p.add_argument("--size", choices=list(SIZES), default=DEFAULT_SIZE,
                   help="print canvas in pixels (columns: 85 or 175 mm at 300 dpi); default %(default)s")
    _as_of_option(p)
    p.set_defaults(run=cmd_export_charts)
    p = sub.add_parser("export", help="write every table (activities, audit, …) to one XLSX file, a sheet each")
    p.add_argument("file", type=Path)
    _as_of_option(p)
    p.set_defaults(run=cmd_export)
    p = sub.add_parser("report", help="the follow-up report: what changed since a date, what is late, what comes")
    p.add_argument("--since", type=_iso_date, metavar="YYYY-MM-DD",
                   help="the previous meeting: changes dated after it (default: the last meeting before --as-of)")
    _as_of_option(p)
    p.add_argument("--format", choices=["md", "docx", "pdf"], default="md")
    p.add_argument("--lang", choices=LANGS, default=DEFAULT_LANG)
    p.add_argument("--out", type=Path, required=True)
    p.set_defaults(run=cmd_report)


    # Mobility counts and targets (goals A, B, D)
    from mobility.counts import FACULTIES, LEVELS, PROGRAMMES

    p = sub.add_parser("import-counts", help="import mobility counts from a CSV or XLSX file (all or nothing)")
    p.add_argument("file", type=Path)
    _actor_options(p)
    p.set_defaults(run=cmd_import_counts)
    p = sub.add_parser("import-mobilities", help="count a list of mobilities (one row each) and import the counts")
    p.add_argument("file", type=Path, help="CSV or XLSX, e.g. a Beneficiary Module export")
    p.add_argument("--profile", required=True, help="mapping profile (data/profiles/*.yaml or one saved in the page)")
    p.add_argument("--dry-run", action="store_true", help="show what would change, save nothing")
    p.add_argument("--replace-typed", action="store_true", help="allow replacing counts typed by hand in the form")
    _actor_options(p)
    p.set_defaults(run=cmd_import_mobilities)
    p = sub.add_parser("targets", help="where targets A and B, the balance and the mix stand")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.add_argument("--year", type=int, help="default: the latest year with data")
    p.add_argument("--academic", action="store_true", help="academic years (HT + VT) instead of calendar years")
    p.add_argument("--faculty", choices=[f for f in FACULTIES if f])
    p.add_argument("--programme", choices=PROGRAMMES)
    p.add_argument("--level", choices=[v for v in LEVELS if v])
    _as_of_option(p)
    p.set_defaults(run=cmd_targets)


    # Checklists
    p = sub.add_parser("checklists", help="list the checklist templates (current version, items in Swedish)")
    p.add_argument("--json", action="store_true", help="print JSON")
    _as_of_option(p)
    p.set_defaults(run=cmd_checklists)


    # Budget
    p = sub.add_parser("budget", help="allocated, spent and remaining per area and activity")
    p.add_argument("--json", action="store_true", help="print the report as JSON (amounts in SEK)")
    _as_of_option(p)
    p.set_defaults(run=cmd_budget)
    p = sub.add_parser("import-spend", help="import spending from CSV or XLSX, all or nothing")
    p.add_argument("file", type=Path, help="columns date, activity, amount_sek, description, reference")
    _actor_options(p)
    p.set_defaults(run=cmd_import_spend)


    # Backups
    p = sub.add_parser("backup", help="write a consistent snapshot of every table to FILE (JSON lines; .gz compresses)")
    p.add_argument("file", type=Path)
    p.set_defaults(run=cmd_backup)
    p = sub.add_parser("restore", help="load a backup into a new, empty database (refuses one with data)")
    p.add_argument("file", type=Path)
    p.set_defaults(run=cmd_restore, init=False)  # no seeding first: the database must stay empty for the restore

    # Deliverables, communication (goal E) and meetings
    p = sub.add_parser("deliverables", help="the documents the plan asks for: state, approval, link, file")
    p.add_argument("--json", action="store_true", help="print a JSON list")
    p.set_defaults(run=cmd_deliverables)
    p = sub.add_parser("communications", help="goal E's communication log: counts per channel and term, entries")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.add_argument("--as-of", type=_iso_date, metavar="YYYY-MM-DD", help="up to this day (default today)")
    p.set_defaults(run=cmd_communications)
    p = sub.add_parser("meetings", help="follow-up meetings: decisions, actions, months without a meeting")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.add_argument("--as-of", type=_iso_date, metavar="YYYY-MM-DD", help="up to this day (default today)")
    p.set_defaults(run=cmd_meetings)
    return parser


# Exit codes (the README's table says the same)
EXIT_OK, EXIT_DATABASE, EXIT_INPUT, EXIT_INTERRUPTED, EXIT_PIPE = 0, 1, 2, 130, 141


def main(argv: list[str] | None = None) -> int:
    """Run one subcommand; a user's mistake is one line on stderr and a documented exit code, never a traceback."""
    args = build_parser().parse_args(argv)  # a bad argument: usage + message, exit 2 (argparse)
    try:
        engine = make_engine()
        if getattr(args, "init", True):
            init_database(engine)
        code = args.run(engine, args)
        sys.stdout.flush()  # a reader that went away shows here, inside the try
        return code
    except DatabaseURLError as exc:
        return _fail(str(exc), EXIT_DATABASE)
    except ValidationError as exc:
        for problem in exc.problems:
            print(f"error: {problem}", file=sys.stderr)
        return EXIT_INPUT
    except SQLAlchemyError as exc:
        return _fail(f"cannot use the database {_safe_url(database_url())}: {exc.__class__.__name__}: "
                     f"{str(exc).splitlines()[0]}", EXIT_DATABASE)
    except BrokenPipeError:
        # `python -m mobility budget | head`: the reader has what it wanted. Point stdout at /dev/null so Python's
        # own flush at exit does not complain, and exit like other Unix tools killed by SIGPIPE.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_PIPE
    except OSError as exc:
        return _fail(describe_os_error(exc), EXIT_INPUT)
    except KeyboardInterrupt:
        return _fail("interrupted", EXIT_INTERRUPTED)


def _fail(message: str, code: int) -> int:
    print(f"error: {message}", file=sys.stderr)
    return code


def describe_os_error(exc: OSError) -> str:
    """A file-system refusal in words a user can act on: which path, and what is wrong with it."""
    path = Path(exc.filename) if exc.filename else None
    if path is None:
        return exc.strerror or str(exc)
    if isinstance(exc, FileNotFoundError) and not path.parent.exists():
        return f"{path}: the folder {path.parent} does not exist"
    if isinstance(exc, FileNotFoundError):
        return f"{path}: no such file"
    if isinstance(exc, FileExistsError | NotADirectoryError) and path.is_file():
        return f"{path} is a file; a folder is needed here"
    if isinstance(exc, NotADirectoryError):
        return f"{path}: a part of this path is a file, not a folder"
    if isinstance(exc, IsADirectoryError):
        return f"{path} is a folder; give a file name"
    if isinstance(exc, PermissionError):
        return f"{path}: permission denied"
    return f"{path}: {exc.strerror or exc}"
