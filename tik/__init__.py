"""TIK: early, interdisciplinary intervention for children and young people."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # the guide engine imports this package and must not pull Flask in
    from flask import Flask


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    """The app factory: settings from the environment, then `config` on top (tests)."""
    from flask import Flask

    from tik.config import ROOT, engine_options, instance_path, private_sqlite_file, settings_from_env

    app = Flask(__name__, instance_path=instance_path(), template_folder=str(ROOT / "templates"),
                static_folder="static")
    from tik.web import BoundedInt, PlainText

    app.url_map.converters["int"] = BoundedInt  # before any route: an id past the database's range is a 404
    app.url_map.converters["default"] = app.url_map.converters["string"] = PlainText  # no NUL, ≤ 200 characters
    app.config.from_mapping(settings_from_env())
    app.config.update(config or {})
    app.config.setdefault("SQLALCHEMY_ENGINE_OPTIONS", engine_options(app.config["SQLALCHEMY_DATABASE_URI"]))
    private_sqlite_file(app.config["SQLALCHEMY_DATABASE_URI"])

    from tik.extensions import babel, csrf, db, limiter, login_manager, migrate
    from tik.web import locale_for_request, timezone_for_request

    db.init_app(app)
    migrate.init_app(app, db, directory=str(ROOT / "migrations"))
    login_manager.init_app(app)
    csrf.init_app(app)
    babel.init_app(app, locale_selector=locale_for_request, timezone_selector=timezone_for_request)
    limiter.init_app(app)
    from tik.auth.oidc import init_oidc

    init_oidc(app)

    import tik.models  # noqa: F401 - every table registers with the metadata
    from tik.municipalities.web import register_municipalities

    register_municipalities(app)  # first: every later hook reads the database for the request's municipality
    from tik.auth import views as auth
    from tik.cases import details_views, maturity_views, report_views  # noqa: F401 (routes on cases.bp)
    from tik.cases import views as cases
    from tik.concerns import views as concerns
    from tik.errors import register_errors
    from tik.family import views as family
    from tik.handbook import views as handbook
    from tik.lifecycle import views as lifecycle
    from tik.meetings import views as meetings
    from tik.mywork import views as mywork
    from tik.org import views as org
    from tik.plans import views as plans
    from tik.stats.views import bp as stats_bp
    from tik.web import register_web
    from tik.youth import views as youth

    for module in (auth, handbook, mywork, concerns, cases, plans, meetings, org, lifecycle, family, youth):
        app.register_blueprint(module.bp)
    app.register_blueprint(stats_bp)
    register_web(app)
    register_errors(app)

    from tik.auth.policy import settle_on_read
    from tik.cases.consent import settle_expired

    settle_on_read(settle_expired)  # every page that opens a case settles a consent that ran out

    from tik.audit.chain import seal_after_requests
    from tik.audit.service import commit_reads_after_request

    commit_reads_after_request(app)
    seal_after_requests(app)

    if app.config["TIK_PROXY_COUNT"]:
        from werkzeug.middleware.proxy_fix import ProxyFix

        hops = app.config["TIK_PROXY_COUNT"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops)

    from tik.org.service import check_municipalities

    check_municipalities(app)  # each municipality's guidebook and organisation file; a broken one stops alone

    from tik.cli import register_cli

    register_cli(app)
    return app
