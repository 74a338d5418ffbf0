"""``flask --app wsgi ...`` commands for operators, advisors and batch work."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import AppGroup
from sqlalchemy import select

from .catalogue import CatalogueError, load_catalogue
from .catalogue.loader import catalogue_dirs_for
from .catalogue.stats import catalogue_stats

catalogue_cli = AppGroup("catalogue", help="Validate and describe questionnaire catalogues.")
assessments_cli = AppGroup("assessments", help="Export and import assessments as exchange files.")
users_cli = AppGroup("users", help="Manage staff accounts.")


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


@assessments_cli.command("schema")
def assessments_schema() -> None:
    """Print the JSON Schema of the exchange file (kept in docs/exchange-format.schema.json)."""
    from .assessments import exchange

    click.echo(json.dumps(exchange.json_schema(), indent=2, ensure_ascii=False))


@users_cli.command("create")
@click.argument("email")
@click.option("--role", type=click.Choice(["admin", "advisor", "analyst"]), required=True)
@click.option("--name", default="", help="Display name.")
def users_create(email: str, role: str, name: str) -> None:
    """Create a staff account (sign-in arrives with the advisor features)."""
    from .accounts.models import Role, User
    from .db import db

    email = email.strip().lower()
    if "@" not in email or len(email) > 254:
        raise click.ClickException(f"not an e-mail address: {email}")
    if db.session.scalar(select(User).where(User.email == email)) is not None:
        raise click.ClickException(f"a user {email} exists already")
    db.session.add(User(email=email, role=Role(role), name=name))
    db.session.commit()
    click.echo(f"created {role} {email}")


def register(app: Flask) -> None:
    """Attach the command groups to ``app``."""
    for group in (catalogue_cli, assessments_cli, users_cli):
        app.cli.add_command(group)
