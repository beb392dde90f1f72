"""The reference union back end as its own service (flaskr style): `gunicorn 'backend.app:create_app()'`
on BACKEND_PORT (scripts/stack.py starts it), paths under /union-api/v1/..., its own database
(BACKEND_DATABASE_URL) and migrations (backend/migrate.py)."""
from __future__ import annotations

import logging

from flask import Flask, jsonify
from werkzeug.exceptions import HTTPException

from backend import db
from config import log_masking, secret_check
from config.settings import Settings
from unionkit import web_headers, web_input

BACKEND_SECRETS = ("backend_api_key",)


def create_app(settings: Settings | None = None) -> Flask:
    settings = settings or Settings.from_env()
    secret_check.require(settings, BACKEND_SECRETS)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    log_masking.install()

    app = Flask("backend")
    app.config.update(SETTINGS=settings, MAX_CONTENT_LENGTH=settings.max_content_length, JSON_AS_ASCII=False)
    web_input.init_app(app)  # strict JSON, 64-bit <int:> ids, no NUL in paths, queries, forms
    web_headers.init_app(app)  # nosniff and the rest, on JSON too
    app.json.ensure_ascii = False
    db.init_app(app, settings.backend_database_url)

    from backend.api import bp
    from backend.desk_api import bp as desk_bp
    from backend.orgs_api import bp as orgs_bp
    from backend.ratings import bp as ratings_bp

    app.register_blueprint(bp, url_prefix="/union-api")
    app.register_blueprint(desk_bp, url_prefix="/union-api")
    app.register_blueprint(ratings_bp, url_prefix="/union-api")
    app.register_blueprint(orgs_bp, url_prefix="/union-api")

    @app.errorhandler(HTTPException)
    def _http_error(exc: HTTPException):
        return jsonify({"error": exc.name, "message": exc.description}), exc.code

    return app


if __name__ == "__main__":
    application = create_app()
    application.run(host="127.0.0.1", port=application.config["SETTINGS"].backend_port, threaded=True)
