"""advisor: digital self-assessment and roadmap for German municipalities."""

from __future__ import annotations

import os
import sys
from typing import Any

from flask import Flask

from . import config as config_module


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    """Build the application: settings, extensions, catalogue, blueprints, CLI.

    Settings come from ``config.DEFAULTS``, then ``ADVISOR_*`` environment
    variables, then ``test_config``. A broken catalogue stops the start with
    every problem listed (file, line, path), except for ``flask catalogue ...``
    commands, which exist to report exactly those problems.
    """
    app = Flask(
        __name__,
        instance_path=os.environ.get("ADVISOR_INSTANCE_PATH") or None,
        instance_relative_config=True,
        template_folder=str(config_module.PROJECT_ROOT / "templates"),
        static_folder="static",
    )
    app.config.update(config_module.DEFAULTS)
    app.config.from_prefixed_env("ADVISOR")
    if test_config:
        app.config.update(test_config)
    config_module.finalise(app.config, app.instance_path)

    from . import db, jobs, web
    from .catalogue import CatalogueError, load_all

    db.init_app(app)
    web.init_app(app)
    jobs.init_app(app)

    try:
        app.extensions["advisor.catalogues"] = load_all(app.config["CATALOGUE_DIR"])
    except CatalogueError as exc:
        if not _catalogue_command():
            raise
        app.extensions["advisor.catalogues"] = {}
        app.extensions["advisor.catalogue_error"] = exc
    else:
        if app.config["ACTIVE_CATALOGUE"] not in app.extensions["advisor.catalogues"]:
            raise config_module.ConfigurationError(
                f"ACTIVE_CATALOGUE {app.config['ACTIVE_CATALOGUE']!r} not found in "
                f"{app.config['CATALOGUE_DIR']}"
            )

    from flask_migrate import Migrate

    from . import legal, logredact, ratelimit
    from .accounts import views as accounts_views
    from .advising import models as _advising_models  # noqa: F401
    from .advising import views as advising_views
    from .assessments import access
    from .assessments import models as _assessment_models  # noqa: F401
    from .assessments import round_views as _round_views  # noqa: F401  (routes on the same blueprint)
    from .assessments.views import bp as assessments_bp
    from .cli import register as register_cli
    from .health import bp as health_bp
    from .reports import models as _report_models  # noqa: F401
    from .reports.views import bp as reports_bp
    from .stats import models as _stats_models  # noqa: F401
    from .stats import views as stats_views

    Migrate(app, db.db, directory=str(config_module.PROJECT_ROOT / "migrations"))
    app.register_blueprint(assessments_bp)
    access.init_app(app)
    accounts_views.init_app(app)
    advising_views.init_app(app)
    stats_views.init_app(app)
    app.register_blueprint(reports_bp)
    app.register_blueprint(health_bp)
    legal.init_app(app)
    ratelimit.init_app(app)
    logredact.install()
    register_cli(app)
    return app


def _catalogue_command() -> bool:
    """True when the Flask CLI runs a ``catalogue`` command (which reports catalogue errors)."""
    return os.environ.get("FLASK_RUN_FROM_CLI") == "true" and "catalogue" in sys.argv[1:]
