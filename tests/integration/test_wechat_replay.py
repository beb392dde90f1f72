"""Plain mode: WeChat's signature covers timestamp and nonce, not the body. A signed request sent again
with another body within the 5-minute window is refused; WeChat resending the same message with the
same signature is its retry and gets the first answer (no second turn)."""
from __future__ import annotations

import re

import redis

from tests.fakes.wechat_api import WeChatUser

TOKEN = "wechat-test-token"


def test_a_signature_is_good_for_one_body(make_app, redis_url):
    app = make_app(wechat_token=TOKEN, wechat_app_id="wx-test-app")
    client = app.test_client()
    user, intruder = WeChatUser("http://unused", TOKEN), WeChatUser("http://unused", TOKEN)
    signed = user.query()
    picture = user.message_xml("image", {"PicUrl": "http://mmbiz.qpic.cn/x.jpg", "MediaId": "m1"})

    def post(xml: str, query: dict):
        return client.post("/wechat", query_string=query, data=xml.encode(), content_type="text/xml")

    first = post(picture, signed)
    assert first.status_code == 200 and first.get_data(as_text=True).startswith("<xml>")
    forged = intruder.message_xml("image", {"PicUrl": "http://mmbiz.qpic.cn/y.jpg", "MediaId": "m2"})
    replayed = post(forged, signed)
    assert replayed.status_code == 403
    # WeChat's own resend: the same answer (its CreateTime is the second it is sent, so not compared)
    undated = lambda resp: re.sub(r"<CreateTime>\d+</CreateTime>", "", resp.get_data(as_text=True))  # noqa: E731
    assert undated(post(picture, signed)) == undated(first)
    # A fresh signature for the other message is fine, and the pair is kept in Redis for 10 minutes.
    assert post(forged, intruder.query()).status_code == 200
    keys = redis.Redis.from_url(redis_url).keys("wechat:nonce:*")
    assert len(keys) == 2 and 590 <= redis.Redis.from_url(redis_url).ttl(keys[0]) <= 600
