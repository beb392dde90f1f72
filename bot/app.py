"""The application factory (flaskr style): configuration from the environment, one blueprint per area."""
from __future__ import annotations

import logging

from flask import Flask, jsonify
from flask_wtf.csrf import CSRFProtect

from config import log_masking, secret_check
from config import database
from config.redis_client import redis_for
from config.settings import PROJECT_ROOT, Settings
from unionkit import web_headers, web_input
from unionkit.validation import Invalid

csrf = CSRFProtect()
# What the gateway signs or authenticates with; a start without any of them is refused.
GATEWAY_SECRETS = ("secret_key", "rasa_token", "rasa_channel_secret", "backend_api_key")


def create_app(settings: Settings | None = None) -> Flask:
    settings = settings or Settings.from_env()
    secret_check.require(settings, GATEWAY_SECRETS)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    log_masking.install()

    app = Flask(
        __name__,
        template_folder=str(PROJECT_ROOT / "web" / "templates"),
        static_folder=str(PROJECT_ROOT / "web" / "static"),
    )
    app.config.update(
        SETTINGS=settings,
        SECRET_KEY=settings.secret_key,
        MAX_CONTENT_LENGTH=settings.max_content_length,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=settings.session_cookie_secure,
        JSON_AS_ASCII=False,
    )
    web_input.init_app(app)  # strict JSON, 64-bit <int:> ids, no NUL in paths, queries, forms
    web_headers.init_app(app, hsts=settings.session_cookie_secure)  # CSP, no framing, nosniff, referrer
    app.json.ensure_ascii = False
    if settings.trusted_proxies:
        from werkzeug.middleware.proxy_fix import ProxyFix

        # The client's address (rate limits, login backoff) from that many proxies' X-Forwarded-For.
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=settings.trusted_proxies, x_proto=settings.trusted_proxies)

    database.init_app(app, settings.database_url)  # app.extensions["db"], this app's sessions
    app.extensions["redis"] = redis_for(settings)
    from bot import floods

    floods.init_app(app)  # rate limits and turn locks (config/floods.yml)
    _register_services(app, settings)

    # CSRF is checked centrally (see _csrf_for_cookie_sessions), not per blueprint.
    app.config["WTF_CSRF_CHECK_DEFAULT"] = False
    csrf.init_app(app)
    from bot.accounts import views as account_views

    account_views.init_app(app)
    _register_blueprints(app)
    floods.limit_routes(app)
    _csrf_for_cookie_sessions(app)
    _register_error_handlers(app)
    _register_cli(app)
    return app


def _register_services(app: Flask, settings: Settings) -> None:
    """Long-lived clients shared by the requests of this process."""
    from bot.conversation import ConversationService
    from bot.faq import unanswered
    from bot.rasa_client import BotReply, RasaClient
    from unionkit import payloads, texts
    from unionkit.backend_client import UnionBackend
    from unionkit.outbox import Outbox

    rasa = RasaClient(settings.rasa_url, settings.rasa_token, settings.rasa_channel_secret, settings.rasa_timeout)
    app.extensions["rasa"] = rasa
    conversations = ConversationService(
        rasa, unavailable_reply=lambda: BotReply(**texts.response("utter_service_unavailable")))
    conversations.payload_handlers[payloads.FAQ_LOOKUP] = unanswered.record_from_payload
    conversations.turn_locks = app.extensions["turn_locks"]
    policy = app.extensions["floods"]
    conversations.in_progress_reply = lambda: BotReply(text=policy.text("turn_in_progress"))
    app.extensions["conversations"] = conversations
    # The worker's outbox retries and /healthz use these; the actions have their own (actions/connectors.py).
    app.extensions["union_backend"] = UnionBackend(settings.backend_url, settings.backend_api_key,
                                                   settings.backend_timeout)
    app.extensions["outbox"] = Outbox(app.extensions["redis"])
    from bot import handoff

    handoff.init_app(app)  # app.extensions["handoff"], and the router in front of Rasa
    from bot import privacy

    privacy.init_app(app)  # 删除我的记录 (after the handoff router), `flask --app server purge`
    from bot import notices

    notices.init_app(app)  # app.extensions["ratings"] (before Rasa, after a close) and ["notices"] (worker)
    from bot.orgs.district import DistrictQuestion

    # After a filing that needs the district: the question, and the answer taken before Rasa.
    district_question = DistrictQuestion(app.extensions["redis"], app.extensions["union_backend"])
    conversations.payload_handlers[payloads.ASK_DISTRICT] = district_question
    conversations.interceptors.append(district_question.intercept)
    from bot.channels.web_turns import WebTurns

    app.extensions["web_turns"] = WebTurns(app, settings.web_reply_budget, BotReply(text=policy.text("web_busy")),
                                         app.extensions["redis"])
    from bot import safety

    safety.init_app(app)  # the safety screen in front of everything, app.extensions["safety"]


def _register_blueprints(app: Flask) -> None:
    from bot.accounts.views import bp as accounts_bp
    from bot.channels.web import bp as web_bp
    from bot.ops import bp as ops_bp

    app.register_blueprint(web_bp)
    app.register_blueprint(ops_bp)
    app.register_blueprint(accounts_bp)
    from bot.console.views import bp as console_bp

    app.register_blueprint(console_bp)
    from bot.console.desk import bp as desk_bp

    app.register_blueprint(desk_bp)
    from bot.admin import bp as admin_bp
    from bot.faq.feedback import bp as feedback_bp

    app.register_blueprint(admin_bp)
    from bot.orgs.views import bp as orgs_bp

    app.register_blueprint(orgs_bp)
    app.register_blueprint(feedback_bp)  # bearer-token callers only (the web chat)
    from bot.channels import wechat

    wechat.init_app(app)  # the "wechat" blueprint at /wechat, app.extensions["wechat"], its outbound sender


# Blueprints whose callers never hold a login cookie (web chat tokens, WeChat signatures): a forged cross-site request has nothing to ride on.
CSRF_FREE_BLUEPRINTS = {"web_chat", "chat_feedback", "wechat", "ops"}


def _csrf_for_cookie_sessions(app: Flask) -> None:
    from flask import request

    from bot.accounts.tokens import bearer_token

    @app.before_request
    def _check_csrf():
        if request.method in ("GET", "HEAD", "OPTIONS", "TRACE") or request.blueprint in CSRF_FREE_BLUEPRINTS:
            return
        if bearer_token(request.headers.get("Authorization")):
            return  # API call authenticated by its token alone (api_auth never falls back to the cookie)
        csrf.protect()


def _register_error_handlers(app: Flask) -> None:
    from werkzeug.exceptions import HTTPException

    @app.errorhandler(HTTPException)
    def _http_error(exc: HTTPException):
        # JSON for API paths; pages keep Flask's HTML error pages.
        from flask import request

        if request.path.startswith("/api/"):
            return jsonify({"error": exc.name, "message": exc.description}), exc.code
        return exc

    @app.errorhandler(Invalid)
    def _invalid(exc: Invalid):
        return jsonify({"error": "invalid", "message": str(exc), "fields": exc.problems}), 400


def _register_cli(app: Flask) -> None:
    from bot.accounts.cli import users_cli
    from bot.channels.wechat.cli import wechat_cli
    from bot.worker import worker_cli

    app.cli.add_command(users_cli)
    app.cli.add_command(wechat_cli)
    app.cli.add_command(worker_cli)
    from bot.orgs.cli import orgs_cli

    app.cli.add_command(orgs_cli)
