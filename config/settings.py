"""All runtime settings, read from the environment once.

Every process (gateway workers, the run supervisor, tests) builds its Settings with
`Settings.from_env()`; nothing else in the code reads os.environ.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from config.secret_check import DEV_DEFAULTS

PROJECT_ROOT = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("VAR_DIR", PROJECT_ROOT / "var"))


def _bool(value: str | None, default: bool = False) -> bool:
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


@dataclass(frozen=True)
class Settings:
    port: int = 8000
    # Secrets have no defaults: a service refuses to start without them (config/secret_check.py),
    # unless allow_dev_secrets (ALLOW_DEV_SECRETS=1) fills in the public development ones.
    secret_key: str = ""
    redis_url: str = "redis://127.0.0.1:6379/0"
    # Redis behind Sentinel ("host:port,host:port"): the master of redis_sentinel_master is used,
    # redis_url giving only the database and password (unionkit/redis_sentinel.py).
    redis_sentinels: str = ""
    redis_sentinel_master: str = "union"
    database_url: str = f"sqlite:///{VAR_DIR / 'union.db'}"
    # Rasa server: loopback only, HTTP API protected by a token.
    rasa_url: str = "http://127.0.0.1:5005"
    rasa_token: str = ""
    # The secret header of Rasa's gateway channel (rasa_components/gateway_channel.py): only the
    # gateway starts turns.
    rasa_channel_secret: str = ""
    rasa_timeout: float = 10.0
    # rasa_sdk's action server (loopback only), which Rasa calls for custom actions.
    action_port: int = 5055
    # The union back end the actions write to: the reference one (backend/) is its own service on
    # backend_port (default port + 1) with its own database.
    backend_url: str = "http://127.0.0.1:8001/union-api"
    backend_port: int = 8001
    backend_database_url: str = f"sqlite:///{VAR_DIR / 'backend.db'}"
    backend_api_key: str = ""
    backend_timeout: float = 3.0
    # WeChat Official Account
    wechat_token: str = ""
    wechat_app_id: str = ""
    wechat_app_secret: str = ""
    wechat_aes_key: str = ""
    wechat_api_base: str = "https://api.weixin.qq.com"
    wechat_reply_budget: float = 4.0
    # Largest request body any endpoint accepts.
    max_content_length: int = 64 * 1024
    # Login cookies only over HTTPS. from_env makes it the default (unset SESSION_COOKIE_SECURE);
    # `make run`, on plain http://127.0.0.1, sets SESSION_COOKIE_SECURE=0.
    session_cookie_secure: bool = False
    # Floods (config/floods.yml): RATE_LIMIT_<NAME> replaces a limit there; FLOODS_CONTAINED=0 turns
    # rate limits and the one-turn-per-conversation lock off (benchmarks of the difference only).
    rate_limits: dict = field(default_factory=dict)
    floods_contained: bool = True
    # An officer's login ends after this long without a request; the CSRF token of a page lives this long.
    session_idle_minutes: int = 30
    csrf_time_limit: int = 3600
    # A web chat turn not answered in this time gets a "busy" reply; its answer follows in the transcript.
    web_reply_budget: float = 8.0
    # Reverse proxies in front of the gateway whose X-Forwarded-For is trusted (rate limits by address).
    trusted_proxies: int = 0
    # Transcripts, trackers and unanswered questions older than this are deleted by `flask --app server purge`.
    retention_days: int = 180
    # Request threads per gunicorn worker of the gateway (GATEWAY_THREADS): most of a request's time is
    # spent waiting (for Rasa, or for the reply budget), so there must be one for every chat in flight.
    gateway_threads: int = 64
    extra: dict = field(default_factory=dict)
    allow_dev_secrets: bool = False

    def __post_init__(self):
        if self.allow_dev_secrets:
            for name, value in DEV_DEFAULTS.items():
                if not getattr(self, name):
                    object.__setattr__(self, name, value)

    @classmethod
    def from_env(cls, env: dict | None = None) -> "Settings":
        env = os.environ if env is None else env
        port = int(env.get("PORT", "8000"))
        backend_port = int(env.get("BACKEND_PORT") or port + 1)
        return cls(
            port=port,
            secret_key=env.get("SECRET_KEY", ""),
            redis_url=env.get("REDIS_URL") or cls.redis_url,
            redis_sentinels=env.get("REDIS_SENTINELS", ""),
            redis_sentinel_master=env.get("REDIS_SENTINEL_MASTER") or cls.redis_sentinel_master,
            database_url=env.get("DATABASE_URL") or cls.database_url,
            rasa_url=env.get("RASA_URL", cls.rasa_url).rstrip("/"),
            rasa_token=env.get("RASA_TOKEN", ""),
            rasa_channel_secret=env.get("RASA_CHANNEL_SECRET", ""),
            rasa_timeout=float(env.get("RASA_TIMEOUT", cls.rasa_timeout)),
            action_port=int(env.get("ACTION_PORT", cls.action_port)),
            backend_url=(env.get("BACKEND_URL") or f"http://127.0.0.1:{backend_port}/union-api").rstrip("/"),
            backend_port=backend_port,
            backend_database_url=env.get("BACKEND_DATABASE_URL") or cls.backend_database_url,
            backend_api_key=env.get("BACKEND_API_KEY", ""),
            backend_timeout=float(env.get("BACKEND_TIMEOUT", cls.backend_timeout)),
            wechat_token=env.get("WECHAT_TOKEN", ""),
            wechat_app_id=env.get("WECHAT_APP_ID", ""),
            wechat_app_secret=env.get("WECHAT_APP_SECRET", ""),
            wechat_aes_key=env.get("WECHAT_AES_KEY", ""),
            wechat_api_base=env.get("WECHAT_API_BASE", cls.wechat_api_base).rstrip("/"),
            wechat_reply_budget=float(env.get("WECHAT_REPLY_BUDGET", cls.wechat_reply_budget)),
            session_cookie_secure=_bool(env.get("SESSION_COOKIE_SECURE"), default=True),
            rate_limits={k[len("RATE_LIMIT_"):].lower(): v for k, v in env.items()
                         if k.startswith("RATE_LIMIT_") and v},
            floods_contained=_bool(env.get("FLOODS_CONTAINED"), True),
            session_idle_minutes=int(env.get("SESSION_IDLE_MINUTES") or cls.session_idle_minutes),
            csrf_time_limit=int(env.get("CSRF_TIME_LIMIT") or cls.csrf_time_limit),
            web_reply_budget=float(env.get("WEB_REPLY_BUDGET") or cls.web_reply_budget),
            trusted_proxies=int(env.get("TRUSTED_PROXIES") or 0),
            retention_days=int(env.get("RETENTION_DAYS") or cls.retention_days),
            gateway_threads=int(env.get("GATEWAY_THREADS") or cls.gateway_threads),
            allow_dev_secrets=_bool(env.get("ALLOW_DEV_SECRETS")),
        )
