"""No start with a known secret: every service names the secrets it needs and refuses to start
when one is missing or is a public development default.

`make run` (scripts/stack.py) generates real ones under var/; `ALLOW_DEV_SECRETS=1` lets a
developer start a single service with the public defaults, explicitly.
"""
from __future__ import annotations

import secrets
import sys

# Setting name -> environment variable, and the public defaults ALLOW_DEV_SECRETS=1 fills in.
ENV_NAMES = {
    "secret_key": "SECRET_KEY",
    "rasa_token": "RASA_TOKEN",
    "rasa_channel_secret": "RASA_CHANNEL_SECRET",
    "backend_api_key": "BACKEND_API_KEY",
}
DEV_DEFAULTS = {
    "secret_key": "dev-secret-change-me",
    "rasa_token": "dev-rasa-token",
    "rasa_channel_secret": "dev-rasa-channel-secret",
    "backend_api_key": "dev-backend-key",
}
# Kept refused even when set explicitly (they are in the repository, so everyone knows them).
KNOWN_PUBLIC = set(DEV_DEFAULTS.values()) | {"change-me", "secret", "changeme"}


class InsecureSettings(SystemExit):
    """Stops the start. Exit status 3 is gunicorn's "worker failed to boot": the arbiter stops
    instead of restarting the worker in a loop."""

    def __init__(self, line: str):
        super().__init__(3)
        self.line = line

    def __str__(self) -> str:
        return self.line


def problem(settings, names: tuple[str, ...]) -> str | None:
    """The one line that explains the first unusable secret among `names`, or None."""
    if settings.allow_dev_secrets:
        return None
    for name in names:
        value = getattr(settings, name)
        env = ENV_NAMES[name]
        if not value:
            return f"{env} is not set: set it (make run generates one), or ALLOW_DEV_SECRETS=1 for development"
        if value in KNOWN_PUBLIC:
            return f"{env} is a public default: set a secret of your own, or ALLOW_DEV_SECRETS=1 for development"
    return None


def require(settings, names: tuple[str, ...]) -> None:
    line = problem(settings, names)
    if line:
        print(f"refusing to start: {line}", file=sys.stderr, flush=True)
        raise InsecureSettings(line)


def new_token(nbytes: int = 24) -> str:
    """A random token that is safe on a command line: hex never starts with '-', so argparse
    cannot take it for an option (token_urlsafe does about one time in 64)."""
    return secrets.token_hex(nbytes)
