"""Entry point: `python server.py` for development, `gunicorn 'server:create_app()'` in production,
`flask --app server ...` for the command-line tools (users, wechat menu, ...)."""
from bot.app import create_app

__all__ = ["create_app"]

if __name__ == "__main__":
    app = create_app()
    app.run(host="0.0.0.0", port=app.config["SETTINGS"].port, threaded=True)
