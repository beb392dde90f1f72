"""Security headers on every answer of a Flask service (the gateway's pages and APIs, the back end).

The pages load scripts, styles and images from their own origin only: no inline script (data the
scripts need sits in `<script type="application/json">` blocks, which a browser never runs), no
eval, no framing by other sites (clickjacking on the console and admin pages), no MIME sniffing, and
no page address in the Referer sent to other sites (a chat's links lead out)."""
from __future__ import annotations

from flask import Flask, Response

CONTENT_SECURITY_POLICY = "; ".join([
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "connect-src 'self'",
    "font-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
])
HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Frame-Options": "DENY",  # frame-ancestors for browsers that predate it
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "strict-origin-when-cross-origin",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
}


def init_app(app: Flask, hsts: bool = False) -> None:
    """`hsts`: also Strict-Transport-Security (served over HTTPS only, i.e. with Secure cookies)."""
    headers = dict(HEADERS)
    if hsts:
        headers["Strict-Transport-Security"] = "max-age=31536000"

    @app.after_request
    def _security_headers(response: Response) -> Response:
        for name, value in headers.items():
            response.headers.setdefault(name, value)
        return response
