"""``flask --app wsgi ...`` commands for operators, advisors and batch work."""

from __future__ import annotations

import json
import sys
from collections import Counter
from dataclasses import replace
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import AppGroup, with_appcontext
from sqlalchemy import select

from .catalogue import CatalogueError, load_catalogue
from .catalogue.loader import catalogue_dirs_for
from .catalogue.stats import catalogue_stats

catalogue_cli = AppGroup("catalogue", help="Validate and describe questionnaire catalogues.")
assessments_cli = AppGroup("assessments", help="Export and import assessments as exchange files.")
users_cli = AppGroup("users", help="Manage staff accounts.")
demo_cli = AppGroup("demo", help="Synthetic, clearly labelled demo data.")
stats_cli = AppGroup("stats", help="Anonymised statistics of consenting municipalities.")


@catalogue_cli.command("check")
@click.argument("paths", nargs=-1, type=click.Path(exists=True, path_type=Path))
def catalogue_check(paths: tuple[Path, ...]) -> None:
    """Validate catalogues (all under CATALOGUE_DIR, or those holding PATHS); exit 1 on errors."""
    directories = catalogue_dirs_for(paths or [Path(current_app.config["CATALOGUE_DIR"])])
    if not directories:
        click.echo("no catalogue found", err=True)
        sys.exit(1)
    failed = False
    for directory in directories:
        try:
            catalogue = load_catalogue(directory)
        except CatalogueError as exc:
            failed = True
            for problem in exc.problems:
                click.echo(str(problem), err=True)
            click.echo(f"{directory}: {len(exc.problems)} problem(s)", err=True)
            continue
        click.echo(
            f"{directory}: ok – catalogue {catalogue.id} version {catalogue.version} "
            f"(hash {catalogue.hash[:12]}), {catalogue.question_count} questions in "
            f"{len(catalogue.fields)} fields"
        )
    sys.exit(1 if failed else 0)


@catalogue_cli.command("stats")
@click.option("--json", "as_json", is_flag=True, help="Print machine-readable JSON.")
def catalogue_stats_command(as_json: bool) -> None:
    """Counts per field, question type and level for every loaded catalogue."""
    error = current_app.extensions.get("advisor.catalogue_error")
    if error is not None:
        click.echo(str(error), err=True)
        sys.exit(1)
    stats = [catalogue_stats(c) for c in current_app.extensions["advisor.catalogues"].values()]
    if as_json:
        click.echo(json.dumps(stats if len(stats) != 1 else stats[0], indent=2, ensure_ascii=False))
        return
    for entry in stats:
        click.echo(
            f"{entry['id']} {entry['version']}: {entry['questions']} questions, "
            f"{entry['measures']} measures ({entry['profile_dependent_measures']} profile-dependent)"
        )
        for field_id, count in entry["questions_per_field"].items():
            click.echo(f"  {field_id}: {count} questions, {entry['measures_per_field'][field_id]} measures")
        click.echo(f"  cross_cutting: {entry['measures_per_field']['cross_cutting']} measures")
        for name, cover in entry["framework_coverage"].items():
            uncovered = ", ".join(cover["uncovered"]) or "none"
            click.echo(f"  {name}: {cover['questions']} questions; uncovered areas: {uncovered}")


def _find_assessment(ident: str):
    from .assessments.models import Assessment
    from .db import db

    column = Assessment.id if ident.isdigit() else Assessment.public_id
    value = int(ident) if ident.isdigit() else ident
    assessment = db.session.scalar(select(Assessment).where(column == value))
    if assessment is None:
        raise click.ClickException(f"no assessment {ident}")
    return assessment


@assessments_cli.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print machine-readable JSON.")
@click.option("--owner", default=None, metavar="EMAIL", help="Only the assessments this advisor owns.")
def assessments_list(as_json: bool, owner: str | None) -> None:
    """List assessments: id, municipality, status, owner, respondents, guided, last change.

    ``follows`` is the id of the earlier round an assessment follows up (None: a first round).

    With --json each respondent appears by role with the number of questions they answered
    (and whether they said they are done); names stay out of the listing.
    """
    import sqlalchemy as sa
    from sqlalchemy import func

    from .accounts.models import User
    from .advising.models import GuidedSession
    from .assessments.models import AnswerState, Assessment, Respondent, RespondentAnswer
    from .db import db

    per_assessment = select(Respondent.assessment_id, func.count().label("n"))
    respondents = per_assessment.group_by(Respondent.assessment_id).subquery()
    query = (
        select(Assessment, User.email, respondents.c.n, GuidedSession.id)
        .outerjoin(User, User.id == Assessment.owner_id)
        .outerjoin(respondents, respondents.c.assessment_id == Assessment.id)
        .outerjoin(GuidedSession, GuidedSession.assessment_id == Assessment.id)
        .order_by(Assessment.id)
    )
    if owner:
        query = query.where(User.email == owner.strip().lower())
    rows = [
        {
            "id": a.id,
            "public_id": a.public_id,
            "municipality": a.municipality_name,
            "type": a.municipality_type,
            "state": a.state,
            "status": a.status.value,
            "owner": email,
            "respondents": n or 0,
            "guided": bool(n) or session_id is not None,
            "catalogue": f"{a.catalogue_id} {a.catalogue_version}",
            "follows": a.predecessor_id,
            "updated_at": a.updated_at.isoformat(),
        }
        for a, email, n, session_id in db.session.execute(query)
    ]
    if as_json:
        # An answer counts when it says something: a value (stored JSON null is none), or a status.
        given = sa.or_(
            RespondentAnswer.state != AnswerState.ANSWERED,
            sa.cast(RespondentAnswer.value, sa.String) != "null",
        )
        answered = (
            select(RespondentAnswer.respondent_id, func.count().label("n"))
            .where(given)
            .group_by(RespondentAnswer.respondent_id)
            .subquery()
        )
        participants = (
            select(Respondent.assessment_id, Respondent.role, Respondent.submitted_at, answered.c.n)
            .outerjoin(answered, answered.c.respondent_id == Respondent.id)
            .order_by(Respondent.assessment_id, Respondent.id)
        )
        if owner:
            participants = (
                participants.join(Assessment, Assessment.id == Respondent.assessment_id)
                .join(User, User.id == Assessment.owner_id)
                .where(User.email == owner.strip().lower())
            )
        people: dict[int, list[dict]] = {}
        for assessment_id, role, submitted_at, count in db.session.execute(participants):
            people.setdefault(assessment_id, []).append(
                {"role": role, "answered": count or 0, "submitted": submitted_at is not None}
            )
        for row in rows:
            row["participants"] = people.get(row["id"], [])
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    for row in rows:
        click.echo(
            f"{row['id']:>5}  {row['public_id']}  {row['status']:<11}  {row['updated_at'][:10]}  "
            f"{row['owner'] or '-':<30}  {row['respondents']} respondents  "
            f"{'guided  ' if row['guided'] else ''}"
            f"{'follows ' + str(row['follows']) + '  ' if row['follows'] else ''}"
            f"{row['municipality'] or '(no name)'}"
        )
    click.echo(f"{len(rows)} assessments", err=True)


@assessments_cli.command("export")
@click.argument("ident")
@click.option(
    "-o", "--output", type=click.Path(dir_okay=False, path_type=Path), help="File to write (default: stdout)."
)
def assessments_export(ident: str, output: Path | None) -> None:
    """Write assessment IDENT (number or public id) as an exchange file."""
    from .assessments import exchange
    from .assessments.services import catalogue_of
    from .db import db

    assessment = _find_assessment(ident)
    catalogue = catalogue_of(db.session, current_app.extensions["advisor.catalogues"], assessment)
    text = json.dumps(exchange.export_assessment(catalogue, assessment), ensure_ascii=False, indent=2)
    if output is None:
        click.echo(text)
    else:
        output.write_text(text + "\n", encoding="utf-8")
        click.echo(f"written {output}")


@assessments_cli.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def assessments_import(file: Path) -> None:
    """Create a new assessment from an exchange file; print its id and resume path."""
    from .assessments import exchange
    from .db import db

    if file.stat().st_size > current_app.config["MAX_CONTENT_LENGTH"]:
        raise click.ClickException(f"{file}: larger than {current_app.config['MAX_CONTENT_LENGTH']} bytes")
    try:
        assessment, token = exchange.import_assessment(
            db.session, current_app.extensions["advisor.catalogues"], file.read_bytes()
        )
    except exchange.ImportRefused as exc:
        for problem in exc.problems:
            click.echo(f"{file}: {problem}", err=True)
        sys.exit(1)
    db.session.commit()
    click.echo(f"imported as assessment {assessment.id} ({assessment.public_id})")
    click.echo(f"resume path: /r/{token}")
    if assessment.predecessor_hash:
        # No browser here, so no assessment it may open: the round is not linked to another.
        click.echo(f"follow-up of the round with content hash {assessment.predecessor_hash}")
    _echo_upgrade(assessment)


def _echo_upgrade(assessment) -> None:
    notice = assessment.upgrade_notice or {}
    if "from" in notice:
        click.echo(f"carried over from catalogue version {notice['from']} to {notice['to']}")
    _echo_upgrade_choices(assessment)


@assessments_cli.command("upgrade")
@click.argument("idents", nargs=-1)
@click.option("--all", "every", is_flag=True, help="Every assessment with a newer catalogue version.")
@click.option("--completed", is_flag=True, help="Completed assessments too (their results will change).")
def assessments_upgrade(idents: tuple[str, ...], every: bool, completed: bool) -> None:
    """Carry assessments onto the newer catalogue version by its migration rules.

    Assessments in progress also move when next opened; completed ones keep their version
    unless named here with --completed (or switched by the user on the results page).
    """
    from .assessments.models import Assessment, Status
    from .assessments.services import upgrade_catalogue
    from .db import db

    if not idents and not every:
        raise click.UsageError("name assessment ids or use --all")
    found = [_find_assessment(i) for i in idents] if idents else db.session.scalars(select(Assessment)).all()
    moved = 0
    for assessment in found:
        if assessment.status is Status.COMPLETED and not completed:
            continue
        if upgrade_catalogue(db.session, current_app.extensions["advisor.catalogues"], assessment):
            moved += 1
            old, new = assessment.upgrade_notice["from"], assessment.catalogue_version
            click.echo(f"assessment {assessment.id} ({assessment.public_id}): {old} -> {new}")
            _echo_upgrade_choices(assessment)
    db.session.commit()
    click.echo(f"{moved} assessment(s) carried over")


def _echo_upgrade_choices(assessment) -> None:
    for key, values in ((assessment.upgrade_notice or {}).get("choices") or {}).items():
        click.echo(f"  {key} was split: the user chooses one of {', '.join(values)} on the profile page")


@assessments_cli.command("purge")
@click.option(
    "--older-than",
    "older_than",
    default=None,
    metavar="PERIOD",
    help="Delete unfinished assessments unchanged for PERIOD (30d, 8w, 12m, 2y); "
    "default: ADVISOR_PURGE_UNFINISHED_AFTER.",
)
@click.option("--dry-run", is_flag=True, help="Only count what would be deleted.")
def assessments_purge(older_than: str | None, dry_run: bool) -> None:
    """Delete abandoned unfinished assessments (and completed ones if so configured)."""
    from .assessments.retention import BadPeriod, configured_purge
    from .db import db

    try:
        result = configured_purge(db.session, dry_run=dry_run, unfinished=older_than)
    except BadPeriod as exc:
        message = f"{exc} is not a period such as 30d, 8w, 12m or 2y"
        raise click.BadParameter(message, param_hint="--older-than") from None
    if not dry_run:
        db.session.commit()
    verb = "would delete" if dry_run else "deleted"
    click.echo(
        f"{verb} {result.unfinished} unfinished and {result.completed} completed assessments, "
        f"{result.grants} unused browser grants, {result.account_events} old account events"
    )


@assessments_cli.command("schema")
def assessments_schema() -> None:
    """Print the JSON Schema of the exchange file (kept in docs/exchange-format.schema.json)."""
    from .assessments import exchange

    click.echo(json.dumps(exchange.json_schema(), indent=2, ensure_ascii=False))


@demo_cli.command("seed")
@click.option("--municipalities", "count", type=click.IntRange(1, 10_000), default=20, show_default=True)
@click.option(
    "--seed", "seed", type=int, default=None, help="Random seed: the same seed gives the same data."
)
@click.option("--replace", is_flag=True, help="Delete the earlier demo data first (and nothing else).")
def demo_seed(count: int, seed: int | None, replace: bool) -> None:
    """Create synthetic demo assessments, a third of them guided sessions of the demo advisor.

    Demo assessments are named "Demo-... (synthetisch)" and have the IT provider
    "Demo-Daten (synthetisch)"; only assessments with both are removed by --replace.
    """
    from . import demo
    from .db import db

    catalogue = current_app.extensions["advisor.catalogues"][current_app.config["ACTIVE_CATALOGUE"]]
    result = demo.seed(db.session, catalogue, count, seed=seed, replace=replace)
    db.session.commit()
    if result.removed:
        click.echo(f"removed {result.removed} earlier demo assessments")
    if result.advisor_created:
        click.echo(f"created the demo advisor {demo.ADVISOR_EMAIL} (no password; use `flask users reset`)")
    click.echo(
        f"created {result.assessments} demo assessments ({result.completed} completed, {result.guided} "
        f"guided with {result.respondents} respondents, {result.agreements} agreed answers and "
        f"{result.measures} advisor's measures) against catalogue {catalogue.id} {catalogue.version}"
    )


@stats_cli.command("snapshot")
def stats_snapshot() -> None:
    """Freeze today's statistics: the consenting, completed assessments and the published tables."""
    import time

    from .db import db
    from .stats.services import take_snapshot
    from .web import active_catalogue, catalogues, today

    started = time.perf_counter()
    snapshot = take_snapshot(db.session, catalogues(), active_catalogue(), today())
    db.session.commit()
    cells = [cell for table in snapshot.publication["tables"] for cell in table["cells"]]
    withheld = sum(1 for cell in cells if cell["suppressed"])
    click.echo(
        f"snapshot {snapshot.id}: {snapshot.assessments} assessments, {len(cells)} cells in "
        f"{len(snapshot.publication['tables'])} tables, {withheld} withheld "
        f"({time.perf_counter() - started:.1f} s)"
    )


@stats_cli.command("export")
@click.option("--format", "fmt", type=click.Choice(["json", "csv"]), default="json", show_default=True)
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), help="Default: stdout.")
@click.option("--snapshot", "snapshot_id", type=int, default=None, help="Snapshot id (default: the latest).")
def stats_export(fmt: str, output: Path | None, snapshot_id: int | None) -> None:
    """Export the published tables of a snapshot (withheld cells marked, never their values)."""
    from .db import db
    from .stats import exports
    from .stats.models import StatsSnapshot
    from .stats.services import latest

    snapshot = db.session.get(StatsSnapshot, snapshot_id) if snapshot_id else latest(db.session)
    if snapshot is None:
        raise click.ClickException("no such snapshot (take one with `flask stats snapshot`)")
    if fmt == "json":
        text = json.dumps(exports.as_document(snapshot), indent=2, ensure_ascii=False) + "\n"
    else:
        text = exports.as_csv(snapshot)
    if output is None:
        click.echo(text, nl=False)
    else:
        output.write_text(text, encoding="utf-8")
        click.echo(f"written {output}", err=True)


def _link_note() -> str:
    from .accounts.services import LINK_VALIDITY

    hours = int(LINK_VALIDITY.total_seconds() // 3600)
    note = f"one-time link to set the password, valid for {hours} hours"
    if not current_app.config.get("PUBLIC_BASE_URL"):
        note += " (set ADVISOR_PUBLIC_BASE_URL for your site's address)"
    return note


@users_cli.command("create")
@click.argument("email")
@click.option("--role", type=click.Choice(["admin", "advisor", "analyst"]), required=True)
@click.option("--name", default="", help="Display name.")
def users_create(email: str, role: str, name: str) -> None:
    """Create a staff account and print the one-time link that sets its password."""
    from .accounts.models import Role
    from .accounts.services import AccountError, create_user
    from .accounts.views import account_link_url
    from .db import db

    try:
        user, token = create_user(db.session, email, Role(role), name)
    except AccountError as exc:
        from flask_babel import force_locale

        with force_locale("en"):  # the command line speaks English, like its other messages
            raise click.ClickException(f"{email}: {exc.message}") from None
    db.session.commit()
    click.echo(f"created {role} {user.email}")
    click.echo(f"{_link_note()}:")
    click.echo(account_link_url(token))


@users_cli.command("reset")
@click.argument("email")
def users_reset(email: str) -> None:
    """Print a new one-time link to set the password of EMAIL (earlier links stop working)."""
    from .accounts.models import LinkPurpose
    from .accounts.services import by_email, issue_link
    from .accounts.views import account_link_url
    from .db import db

    user = by_email(db.session, email)
    if user is None or not user.active:
        raise click.ClickException(f"no active account {email}")
    token = issue_link(db.session, user, LinkPurpose.RESET)
    db.session.commit()
    click.echo(f"{_link_note()}:")
    click.echo(account_link_url(token))


@click.command("assess")
@with_appcontext
@click.argument(
    "files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path)
)
@click.option("--json", "as_json", is_flag=True, help="Print machine-readable JSON (one object, or a list).")
@click.option(
    "--date", "on", type=click.DateTime(["%Y-%m-%d"]), help="Evaluate as of this day (default: today)."
)
@click.option("--jobs", type=int, default=None, help="Processes for many files (default: all cores).")
@click.option(
    "--pdf",
    "pdf",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Also write the PDF report (one file).",
)
@click.option("--lang", type=click.Choice(["de", "en"]), default="de", help="Language of the PDF report.")
@click.option(
    "--baseline",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="An earlier round's exchange file: also print what changed since (one FILE).",
)
def assess(
    files: tuple[Path, ...],
    as_json: bool,
    on,
    jobs: int | None,
    pdf: Path | None,
    lang: str,
    baseline: Path | None,
) -> None:
    """Score exchange files offline: scores, gaps and the phased roadmap.

    With --baseline, the comparison with the earlier round too: score and band per field
    then and now, ``delta`` (now minus then) and the questions that moved.
    Exit status 1 if any file is refused (its problems go to stderr).
    """
    from datetime import date

    from .assessments.batch import run_batch

    today = on.date() if on else date.today()
    limit = current_app.config["MAX_CONTENT_LENGTH"]
    inputs = []
    for file in files:
        if file.stat().st_size > limit:
            raise click.ClickException(f"{file}: larger than {limit} bytes")
        inputs.append((str(file), file.read_bytes()))
    results = run_batch(current_app.config["CATALOGUE_DIR"], inputs, today, jobs)
    failed = [r for r in results if "error" in r]
    for entry in failed:
        for problem in entry["error"]:
            click.echo(f"{entry['source']}: {problem}", err=True)
    good = [r for r in results if "error" not in r]
    if pdf is not None:
        if len(files) != 1 or failed:
            raise click.ClickException("--pdf needs exactly one valid file")
        if good[0]["profile_missing"]:
            raise click.ClickException(
                f"no report: the profile lacks {', '.join(good[0]['profile_missing'])}, "
                "which the advice depends on"
            )
        _write_pdf_for_file(inputs[0][1], today, pdf, lang)
    if baseline is not None:
        if len(files) != 1 or failed:
            raise click.ClickException("--baseline needs exactly one valid FILE")
        _add_baseline(good[0], inputs[0][1], baseline, today)
    if as_json:
        click.echo(json.dumps(good[0] if len(files) == 1 and good else good, indent=2, ensure_ascii=False))
    else:
        for entry in good:
            _print_summary(entry)
    sys.exit(1 if failed else 0)


def _add_baseline(entry: dict, raw: bytes, baseline: Path, today) -> None:
    """Put the comparison with the earlier round into the result of the later one."""
    from .assessments import exchange
    from .assessments.batch import evaluation_of
    from .assessments.rounds import months_between
    from .core.comparison import compare

    loaded = current_app.extensions["advisor.catalogues"]
    earlier = baseline.read_bytes()
    try:
        old = exchange.check(loaded, earlier)
    except exchange.ImportRefused as exc:
        raise click.ClickException(f"{baseline}: " + "; ".join(str(p) for p in exc.problems)) from None
    new = exchange.check(loaded, raw)
    # Whether the later file names this earlier round: its content hash, as the file says it.
    old_hash = exchange.content_hash(json.loads(earlier.decode("utf-8-sig")))
    named = new.document.predecessor
    linked = None if named is None else named.content_hash == old_hash
    if linked is False:
        click.echo(
            f"warning: {entry['source']} is the follow-up of another round than {baseline} "
            f"(it names content hash {named.content_hash[:12]}…, {baseline.name} has {old_hash[:12]}…)",
            err=True,
        )
    # Each round as of its own day: the earlier one's roadmap is the one it was given then.
    old_day = old.document.completed_at.date() if old.document.completed_at else today
    new_day = new.document.completed_at.date() if new.document.completed_at else today
    before, after = evaluation_of(old.catalogue, old, old_day), evaluation_of(new.catalogue, new, today)
    change = compare(before.result, after.result)
    asked = _asked_in_earlier_version(old)
    if asked is not None:  # the earlier file was migrated: what its version did not ask is new
        change = replace(
            change,
            moved=tuple(
                replace(m, kind="new") if m.kind == "now_known" and m.question_id not in asked else m
                for m in change.moved
            ),
        )
    rounded = {c.field_id: c for c in change.fields}
    for field in entry["fields"]:
        c = rounded.get(field["id"])
        field["before"] = None if c is None or c.before is None else round(c.before, 1)
        field["band_before"] = None if c is None else c.band_before
        field["delta"] = None if c is None or c.delta is None else round(c.delta, 1)
    entry["overall"]["before"] = None if change.overall_before is None else round(change.overall_before, 1)
    entry["overall"]["delta"] = None if change.overall_delta is None else round(change.overall_delta, 1)
    entry["baseline"] = {
        "source": str(baseline),
        "catalogue": {"id": old.catalogue.id, "version": old.catalogue.version},
        "content_hash": old_hash,
        # True: the later file names this round as its predecessor; False: another one; None: none.
        "linked": linked,
        # What the earlier round's measure board marked done or started, by measure id.
        "measures": {
            status: sorted(m for m, e in old.progress.items() if e.status.value == status)
            for status in ("done", "started")
        },
        "projection": _projection(before, old, after, months_between(old_day, new_day)),
        "moved": [
            {
                "question": m.question_id,
                "field": m.field_id,
                "before": None if m.before is None else round(m.before, 2),
                "after": None if m.after is None else round(m.after, 2),
                "kind": m.kind,
            }
            for m in change.moved
        ],
    }


def _asked_in_earlier_version(old) -> set[str] | None:
    """Questions the earlier file's own catalogue version asked (by today's ids).

    Only where that version is stored here; None when the file was not migrated or its version
    is unknown (then questions new since show as "now known").
    """
    from .assessments.models import CatalogueSnapshot
    from .assessments.rounds import asked_then
    from .catalogue import catalogue_from_dict
    from .db import db

    ref = old.document.catalogue
    if ref.version == old.catalogue.version:
        return None
    snapshot = db.session.get(CatalogueSnapshot, ref.hash) if ref.hash else None
    if snapshot is None:
        return None
    return asked_then(old.catalogue, ref.version, catalogue_from_dict(snapshot.content))


def _projection(before, old, after, months: int) -> dict | None:
    """Whether the earlier roadmap's projection for the phase due by now was met, per field."""
    from .core.comparison import projection_since

    done = [m for m, e in old.progress.items() if e.status.value == "done"]
    measures = {m.id: m for m in old.catalogue.measures}
    found = projection_since(before.plan, before.result, measures, done, after.result, months)
    if found is None:
        return None
    return {
        "months": months,
        "phase": found.phase.number,
        "phase_end": found.phase.end_month,
        # False: the first phase still runs, so its projection is not due yet.
        "due": found.due,
        "fields": [
            {
                "id": c.field_id,
                "planned": None if c.planned is None else round(c.planned, 1),
                "from_done": None if c.from_done is None else round(c.from_done, 1),
                "now": None if c.now is None else round(c.now, 1),
                "met": c.met,
            }
            for c in found.checks
        ],
    }


def _write_pdf_for_file(raw: bytes, today, target: Path, lang: str) -> None:
    from .assessments import exchange
    from .assessments.batch import evaluation_of, municipality_and_notes
    from .reports.context import report_html
    from .reports.render import render_pdf

    checked = exchange.check(current_app.extensions["advisor.catalogues"], raw)
    evaluation = evaluation_of(checked.catalogue, checked, today)
    municipality, notes = municipality_and_notes(checked)
    html, _data = report_html(checked.catalogue, evaluation, municipality, notes, lang, today)
    target.write_bytes(render_pdf(html))
    click.echo(f"written {target}", err=True)


@click.command("report")
@with_appcontext
@click.argument("ident")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), required=True)
@click.option("--lang", type=click.Choice(["de", "en"]), default="de", help="Language of the report.")
def report(ident: str, output: Path, lang: str) -> None:
    """Write the PDF report of assessment IDENT (number or public id)."""
    from datetime import date

    from .assessments.services import catalogue_of, missing_for_advice
    from .db import db
    from .reports.services import report_pdf

    assessment = _find_assessment(ident)
    missing = missing_for_advice(assessment)
    if missing:
        raise click.ClickException(
            f"no report: the profile lacks {', '.join(missing)}, which the advice depends on"
        )
    catalogue = catalogue_of(db.session, current_app.extensions["advisor.catalogues"], assessment)
    result = report_pdf(db.session, catalogue, assessment, lang, date.today())
    db.session.commit()
    output.write_bytes(result.pdf)
    click.echo(f"written {output} ({len(result.pdf)} bytes{', from cache' if result.cached else ''})")


@click.command("worker")
@with_appcontext
@click.option("--burst", is_flag=True, help="Run the jobs waiting now, then stop.")
@click.option("--simple", is_flag=True, help="Run jobs in this process (no fork per job; for debugging).")
def worker(burst: bool, simple: bool) -> None:
    """Run background jobs (report rendering) from Redis; needs ADVISOR_REDIS_URL."""
    from rq import SimpleWorker, Worker

    from .jobs import QUEUE_NAME, queue, schedule_daily_jobs, worker_process_setup

    app = current_app._get_current_object()
    url = app.config.get("REDIS_URL")
    if not url:
        raise click.ClickException(
            "ADVISOR_REDIS_URL is not set: without Redis the web process runs jobs itself, "
            "no worker is needed"
        )
    worker_process_setup(app)
    schedule_daily_jobs(app)  # the purge; once, however many workers start
    worker_class = SimpleWorker if simple else Worker
    # Every job runs in this application context: a forked work horse inherits it. The
    # scheduler moves daily jobs into the queue when they are due.
    worker_class([QUEUE_NAME], connection=queue().connection).work(
        burst=burst, logging_level="INFO", with_scheduler=not burst
    )


def _print_summary(entry: dict) -> None:
    overall = entry["overall"]
    click.echo(f"{entry['source']}: overall {overall['score']} ({overall['band']})")
    if entry["profile_missing"]:
        click.echo(f"  profile lacks {', '.join(entry['profile_missing'])}: the advice is not tailored")
    for field in entry["fields"]:
        click.echo(
            f"  {field['id']:<20} {field['score']!s:>6}  {field['band']!s:<12} "
            f"confidence {field['confidence']}"
        )
    for gap in entry["gaps"][:5]:
        due = f", due {gap['due']}" if gap["due"] else ""
        click.echo(f"  gap {gap['question']} (level {gap['current_level']} -> {gap['target_level']}{due})")
    for phase in entry["roadmap"]["phases"]:
        start, end = phase["months"]
        click.echo(f"  phase {phase['phase']} months {start}-{end}: {', '.join(phase['measures']) or '-'}")
    if "baseline" in entry:
        overall = entry["overall"]
        click.echo(
            f"  since {entry['baseline']['source']}: overall {overall['before']} -> {overall['score']}"
            f" ({_signed(overall['delta'])})"
        )
        for field in entry["fields"]:
            then_now = f"{field['before']!s:>6} -> {field['score']!s:>6}"
            click.echo(f"    {field['id']:<20} {then_now}  {_signed(field['delta'])}")
        kinds = Counter(m["kind"] for m in entry["baseline"]["moved"])
        click.echo(
            "  questions moved: " + (", ".join(f"{n} {k}" for k, n in sorted(kinds.items())) or "none")
        )
        linked = entry["baseline"]["linked"]
        if linked is False:
            click.echo(f"  {entry['baseline']['source']} is not the earlier round this file names")
        elif linked:
            click.echo(f"  follow-up of {entry['baseline']['source']} (the content hash matches)")
        else:
            click.echo("  this file names no earlier round")
        for status in ("done", "started"):
            measures = entry["baseline"]["measures"][status]
            click.echo(f"  measures {status} by the earlier round: {', '.join(measures) or 'none'}")
        projection = entry["baseline"]["projection"]
        if projection is not None:
            when = "due" if projection["due"] else "not due yet"
            click.echo(
                f"  projection of phase {projection['phase']} (to month {projection['phase_end']}, {when}; "
                f"{projection['months']} months since the earlier round):"
            )
            for row in projection["fields"]:
                verdict = {True: "met", False: "not met", None: "-"}[row["met"]]
                click.echo(
                    f"    {row['id']:<20} planned {row['planned']!s:>6}  from done {row['from_done']!s:>6}  "
                    f"now {row['now']!s:>6}  {verdict}"
                )
    advisor = entry.get("advisor_measures")
    if advisor:
        for phase in advisor["phases"]:
            for own in phase["own"]:
                click.echo(f"  advisor: phase {phase['phase']} + {own['title']}")
            for changed in phase["adjusted"]:
                click.echo(f"  advisor: {changed['measure']} adjusted ({', '.join(changed['changed'])})")
        for removed in advisor["removed"]:
            click.echo(f"  advisor: {removed['measure']} removed ({removed['reason']})")


def _signed(value: float | None) -> str:
    return "n/a" if value is None else f"{value:+.1f}"


def register(app: Flask) -> None:
    """Attach the command groups to ``app``."""
    for group in (catalogue_cli, assessments_cli, users_cli, demo_cli, stats_cli):
        app.cli.add_command(group)
    app.cli.add_command(assess)
    app.cli.add_command(report)
    app.cli.add_command(worker)
