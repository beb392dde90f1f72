"""Fixtures of the fault tests (one stack for the whole run): the stack as `make run` starts it (supervisord), on a Redis with an
append-only file that the tests kill and start again, and a PostgreSQL schema of its own."""
from __future__ import annotations

import uuid

import pytest

from tests.fakes.wechat_api import FakeWeChatApi
from tests.fakes.wechat_gateway import WECHAT_TOKEN
from tests.reliability.supervised import AofRedis, SupervisedStack


@pytest.fixture(scope="session")
def wechat_api():
    fake = FakeWeChatApi().start()
    yield fake
    fake.stop()


@pytest.fixture(scope="session")
def aof_redis(tmp_path_factory):
    server = AofRedis(tmp_path_factory.mktemp("aof-redis")).start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def pg_schema_url(postgres_base_url):
    from sqlalchemy import create_engine, text

    schema = f"t_{uuid.uuid4().hex[:12]}"
    engine = create_engine(postgres_base_url)
    with engine.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    sep = "&" if "?" in postgres_base_url else "?"
    yield f"{postgres_base_url}{sep}options=-csearch_path%3D{schema}"
    with engine.begin() as conn:
        conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    engine.dispose()


@pytest.fixture(scope="session")
def supervised(tmp_path_factory, aof_redis, pg_schema_url, wechat_api):
    stack = SupervisedStack(tmp_path_factory.mktemp("supervised"), aof_redis.url, pg_schema_url, extra_env={
        "WECHAT_TOKEN": WECHAT_TOKEN, "WECHAT_APP_ID": wechat_api.app_id, "WECHAT_APP_SECRET": wechat_api.secret,
        "WECHAT_API_BASE": wechat_api.base_url, "WECHAT_AES_KEY": "",
    })
    try:
        stack.start()
    except Exception:
        print(stack.logs())
        stack.stop()
        raise
    yield stack
    stack.stop()
