"""No start with a known secret (config/secret_check.py): outside `make run` a missing or public
default secret stops the start with one line naming the variable; ALLOW_DEV_SECRETS=1 allows the
defaults explicitly; generated tokens cannot be taken for command-line options."""
from __future__ import annotations

import os
import subprocess
import sys

import pytest

from config import secret_check
from config.settings import PROJECT_ROOT, Settings

SECRETS = {"SECRET_KEY": "s3", "RASA_TOKEN": "r4", "RASA_CHANNEL_SECRET": "c6", "BACKEND_API_KEY": "b5"}


@pytest.mark.parametrize("variable", sorted(SECRETS))
@pytest.mark.parametrize("value", [None, "", "dev-secret-change-me", "dev-rasa-token", "dev-rasa-channel-secret",
                                   "dev-backend-key"])
def test_a_missing_or_public_secret_is_named(variable, value):
    env = dict(SECRETS)
    if value is None:
        del env[variable]
    else:
        env[variable] = value
    line = secret_check.problem(Settings.from_env(env), tuple(secret_check.ENV_NAMES))
    assert line is not None and line.startswith(variable + " ")


def test_real_secrets_pass_and_the_development_flag_fills_in_defaults():
    assert secret_check.problem(Settings.from_env(SECRETS), tuple(secret_check.ENV_NAMES)) is None
    dev = Settings.from_env({"ALLOW_DEV_SECRETS": "1"})
    assert dev.secret_key == "dev-secret-change-me" and dev.backend_api_key == "dev-backend-key"
    assert secret_check.problem(dev, tuple(secret_check.ENV_NAMES)) is None


def _start(code: str, env: dict) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if k not in SECRETS and k != "ALLOW_DEV_SECRETS"}
    return subprocess.run([sys.executable, "-c", code], cwd=PROJECT_ROOT, env={**clean, **env},
                          capture_output=True, text=True, timeout=120)


def test_the_gateway_refuses_to_start_with_a_default_secret(tmp_path):
    env = dict(SECRETS, BACKEND_API_KEY="dev-backend-key", DATABASE_URL=f"sqlite:///{tmp_path / 'x.db'}")
    proc = _start("from server import create_app; create_app()", env)
    assert proc.returncode == 3
    assert proc.stderr.strip().splitlines() == [
        "refusing to start: BACKEND_API_KEY is a public default: set a secret of your own, "
        "or ALLOW_DEV_SECRETS=1 for development"]


def test_generated_tokens_never_look_like_options():
    tokens = [secret_check.new_token() for _ in range(3000)]
    assert not any(t.startswith("-") for t in tokens)
    assert len(set(tokens)) == len(tokens)


def test_the_action_server_refuses_to_start_without_the_back_end_key():
    """rasa_sdk imports actions/startup.py when it starts: the connectors are built there."""
    proc = _start("import actions.startup", {"BACKEND_API_KEY": ""})
    assert proc.returncode == 3
    assert proc.stderr.strip().splitlines() == [
        "refusing to start: BACKEND_API_KEY is not set: set it (make run generates one), "
        "or ALLOW_DEV_SECRETS=1 for development"]
