"""A worker's own data in the gateway: what is kept, for how long, and deleting it on request.

- `forget.py`: 删除我的记录 on either channel, after a confirmation: the chat's transcript, its Rasa
  tracker and what the gateway kept about it are deleted; records filed with the union stay (the
  worker is told so). A gateway command in front of Rasa, registered after the handoff router (while
  an officer holds or is about to take the chat, what the worker writes goes to them).
- `retention.py`: `flask --app server purge` deletes transcripts, trackers and unanswered questions
  older than RETENTION_DAYS (default 180).
"""
from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from bot.privacy.forget import ForgetCommand
    from bot.privacy.retention import purge_cli

    app.extensions["conversations"].interceptors.append(ForgetCommand(app.extensions["redis"]))
    app.cli.add_command(purge_cli)
