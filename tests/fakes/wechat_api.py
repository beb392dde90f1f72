"""WeChat's side of the Official Account protocol, for tests and the benchmark, on loopback only.

- `FakeWeChatApi`: the parts of api.weixin.qq.com the gateway calls (/cgi-bin/token,
  /cgi-bin/message/custom/send, /cgi-bin/message/template/send, /cgi-bin/menu/create), with
  counters and switches for expired tokens (errcode 40001), an exhausted push allowance (errcode
  45047) and WeChat being busy for the next few sends (errcode -1). Point WECHAT_API_BASE at
  `.base_url`. WeChat's own API servers are the only thing the tests fake.
- `WeChatUser`: WeChat's servers posting one user's messages and events to /wechat, signed with
  wechatpy's WeChatSigner and, in safe mode, encrypted with wechatpy's WeChatCrypto, the way WeChat
  sends them; replies are decrypted and parsed with wechatpy.
"""
from __future__ import annotations

import itertools
import json
import secrets
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

import requests
import xmltodict
from wechatpy.crypto import WeChatCrypto
from wechatpy.replies import deserialize_reply
from wechatpy.utils import WeChatSigner

_msg_ids = itertools.count(int(time.time() * 1000) * 1000 + secrets.randbelow(1000))


@dataclass
class FakeWeChatApi:
    app_id: str = "wx-test-app"
    secret: str = "test-app-secret"
    token_delay: float = 0.2  # a real token request takes a while: wide enough for workers to collide
    token_requests: int = 0
    send_attempts: int = 0
    expired_token_errors: int = 0
    messages: list = field(default_factory=list)  # (openid, text) WeChat accepted
    menus: list = field(default_factory=list)
    templates: list = field(default_factory=list)  # (openid, template_id, data, msgid) WeChat accepted
    template_attempts: int = 0
    # switches
    reject_all_tokens: bool = False  # every call says 40001, even with a fresh token
    allowance_spent: bool = False  # every push says 45047
    busy_sends: int = 0  # the next this many sends (either kind) say -1 "system busy"

    def __post_init__(self):
        self._lock = threading.Lock()
        self._valid_tokens: set[str] = set()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self))
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def start(self) -> "FakeWeChatApi":
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def expire_tokens(self) -> None:
        """WeChat forgets every token issued so far (as when it expires, or another client refreshed)."""
        with self._lock:
            self._valid_tokens.clear()

    def templates_to(self, openid: str) -> list[dict]:
        with self._lock:
            return [{"template_id": t, "data": d, "msgid": m} for to, t, d, m in self.templates if to == openid]

    def wait_for_templates(self, openid: str, count: int, timeout: float = 15) -> list[dict]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and len(self.templates_to(openid)) < count:
            time.sleep(0.05)
        return self.templates_to(openid)

    def _busy(self) -> bool:
        with self._lock:
            if self.busy_sends > 0:
                self.busy_sends -= 1
                return True
            return False

    def messages_to(self, openid: str) -> list[str]:
        with self._lock:
            return [text for to, text in self.messages if to == openid]

    def wait_for_messages(self, openid: str, count: int, timeout: float = 15) -> list[str]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            got = self.messages_to(openid)
            if len(got) >= count:
                return got
            time.sleep(0.05)
        return self.messages_to(openid)

    # --- the endpoints ---------------------------------------------------------------------
    def token(self, query: dict) -> dict:
        with self._lock:
            self.token_requests += 1
        time.sleep(self.token_delay)
        if query.get("appid") != self.app_id or query.get("secret") != self.secret:
            return {"errcode": 40013, "errmsg": "invalid appid"}
        token = f"TOKEN-{secrets.token_hex(8)}"
        with self._lock:
            self._valid_tokens.add(token)
        return {"access_token": token, "expires_in": 7200}

    def _token_ok(self, query: dict) -> bool:
        with self._lock:
            ok = not self.reject_all_tokens and query.get("access_token") in self._valid_tokens
            if not ok:
                self.expired_token_errors += 1
            return ok

    def custom_send(self, query: dict, body: dict) -> dict:
        with self._lock:
            self.send_attempts += 1
        if not self._token_ok(query):
            return {"errcode": 40001, "errmsg": "invalid credential, access_token is invalid or not latest"}
        if self.allowance_spent:
            return {"errcode": 45047, "errmsg": "out of response count limit"}
        if self._busy():
            return {"errcode": -1, "errmsg": "system error"}
        if body.get("msgtype") != "text" or not body.get("touser"):
            return {"errcode": 44002, "errmsg": "empty post data"}
        content = body["text"]["content"]
        if len(content.encode("utf-8")) > 2048:
            return {"errcode": 45002, "errmsg": "content size out of limit"}
        with self._lock:
            self.messages.append((body["touser"], content))
        return {"errcode": 0, "errmsg": "ok"}

    def template_send(self, query: dict, body: dict) -> dict:
        with self._lock:
            self.template_attempts += 1
        if not self._token_ok(query):
            return {"errcode": 40001, "errmsg": "invalid credential, access_token is invalid or not latest"}
        if self._busy():
            return {"errcode": -1, "errmsg": "system error"}
        if not body.get("touser") or not body.get("template_id"):
            return {"errcode": 40037, "errmsg": "invalid template_id"}
        data = body.get("data")
        if not isinstance(data, dict) or not all(isinstance(v, dict) and "value" in v for v in data.values()):
            return {"errcode": 47001, "errmsg": "data format error"}
        msgid = next(_msg_ids)
        with self._lock:
            self.templates.append((body["touser"], body["template_id"], data, msgid))
        return {"errcode": 0, "errmsg": "ok", "msgid": msgid}

    def menu_create(self, query: dict, body: dict) -> dict:
        if not self._token_ok(query):
            return {"errcode": 40001, "errmsg": "invalid credential"}
        if not body.get("button"):
            return {"errcode": 40016, "errmsg": "invalid button size"}
        with self._lock:
            self.menus.append(body)
        return {"errcode": 0, "errmsg": "ok"}


def _handler(api: FakeWeChatApi):
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args):  # quiet
            pass

        def _query(self) -> dict:
            return {k: v[0] for k, v in parse_qs(urlparse(self.path).query).items()}

        def _answer(self, body: dict, status: int = 200) -> None:
            data = json.dumps(body, ensure_ascii=False).encode("utf-8")
            self.send_response(status)
            self.send_header("Content-Type", "application/json; charset=utf-8")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self):
            path = urlparse(self.path).path
            if path == "/cgi-bin/token":
                return self._answer(api.token(self._query()))
            self._answer({"errcode": 404, "errmsg": "not found"}, 404)

        def do_POST(self):
            path = urlparse(self.path).path
            raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            try:
                body = json.loads(raw.decode("utf-8"))
            except ValueError:
                return self._answer({"errcode": 47001, "errmsg": "data format error"})
            if path == "/cgi-bin/message/custom/send":
                return self._answer(api.custom_send(self._query(), body))
            if path == "/cgi-bin/message/template/send":
                return self._answer(api.template_send(self._query(), body))
            if path == "/cgi-bin/menu/create":
                return self._answer(api.menu_create(self._query(), body))
            self._answer({"errcode": 404, "errmsg": "not found"}, 404)

    return Handler


# --- WeChat's servers posting to the gateway ----------------------------------------------------
ACCOUNT = "gh_union_test"


@dataclass
class Answer:
    status: int
    body: str
    text: str | None = None  # the passive text reply, None for "success" / empty / an error

    @property
    def is_success(self) -> bool:
        return self.status == 200 and self.text is None and self.body.strip() in ("success", "")


class WeChatUser:
    """One WeChat user; each method posts what WeChat's servers post when the user does that."""

    def __init__(self, gateway_url: str, token: str, openid: str | None = None, aes_key: str = "",
                 app_id: str = "", timeout: float = 30):
        self.url = f"{gateway_url.rstrip('/')}/wechat"
        self.token = token
        self.openid = openid or "o" + secrets.token_urlsafe(21)[:27]
        self.crypto = WeChatCrypto(token, aes_key, app_id) if aes_key else None
        self.timeout = timeout
        self.http = requests.Session()

    # messages
    def text(self, content: str, **kw) -> Answer:
        return self.send("text", {"Content": content}, **kw)

    def voice(self, recognition: str | None = None, **kw) -> Answer:
        fields = {"MediaId": "media-voice", "Format": "amr"}
        if recognition is not None:
            fields["Recognition"] = recognition
        return self.send("voice", fields, **kw)

    def image(self, **kw) -> Answer:
        return self.send("image", {"PicUrl": "http://mmbiz.qpic.cn/x.jpg", "MediaId": "media-image"}, **kw)

    def location(self, **kw) -> Answer:
        return self.send("location", {"Location_X": "22.54", "Location_Y": "114.05", "Scale": "15",
                                      "Label": "深圳市福田区"}, **kw)

    def link(self, **kw) -> Answer:
        return self.send("link", {"Title": "劳动合同范本", "Description": "范本", "Url": "https://example.com/a"}, **kw)

    def file(self, **kw) -> Answer:
        return self.send("file", {"Title": "工资条.pdf", "Description": "", "FileKey": "k", "FileMd5": "0" * 32,
                                  "FileTotalLen": "1024"}, **kw)

    def event(self, event: str, key: str | None = None, **kw) -> Answer:
        fields = {"Event": event}
        if key is not None:
            fields["EventKey"] = key
        return self.send("event", fields, msg_id=None, **kw)

    # the protocol
    def message_xml(self, msg_type: str, fields: dict, msg_id: int | None = 0, create_time: int | None = None) -> str:
        doc = {"ToUserName": ACCOUNT, "FromUserName": self.openid,
               "CreateTime": str(create_time or int(time.time())), "MsgType": msg_type, **fields}
        if msg_id is not None:
            doc["MsgId"] = str(msg_id or next(_msg_ids))
        return xmltodict.unparse({"xml": doc}, full_document=False)

    def send(self, msg_type: str, fields: dict, msg_id: int | None = 0, create_time: int | None = None) -> Answer:
        return self.post_xml(self.message_xml(msg_type, fields, msg_id, create_time))

    def query(self, timestamp: int | None = None, nonce: str | None = None, token: str | None = None) -> dict:
        timestamp = str(timestamp or int(time.time()))
        nonce = nonce or secrets.token_hex(5)
        signer = WeChatSigner()
        signer.add_data(token or self.token, timestamp, nonce)
        return {"signature": signer.signature, "timestamp": timestamp, "nonce": nonce, "openid": self.openid}

    def post_xml(self, xml: str, query: dict | None = None, encrypt: bool | None = None) -> Answer:
        query = dict(query or self.query())
        body = xml.encode("utf-8")
        if self.crypto is not None and encrypt is not False:
            wrapped = xmltodict.parse(self.crypto.encrypt_message(xml, query["nonce"], query["timestamp"]))["xml"]
            query.update(encrypt_type="aes", msg_signature=wrapped["MsgSignature"])
            body = xmltodict.unparse({"xml": {"ToUserName": ACCOUNT, "Encrypt": wrapped["Encrypt"]}},
                                     full_document=False).encode("utf-8")
        return self.post_raw(body, query)

    def post_raw(self, body: bytes, query: dict | None = None) -> Answer:
        query = query or self.query()
        resp = self.http.post(self.url, params=query, data=body, timeout=self.timeout,
                              headers={"Content-Type": "text/xml"})
        return Answer(resp.status_code, resp.text, self._reply_text(resp, query))

    def _reply_text(self, resp: requests.Response, query: dict) -> str | None:
        body = resp.text.strip()
        if resp.status_code != 200 or body in ("", "success"):
            return None
        if self.crypto is not None:
            outer = xmltodict.parse(body)["xml"]
            # The gateway signs and encrypts its reply; decrypt_message checks both.
            body = self.crypto.decrypt_message(body, outer["MsgSignature"], outer["TimeStamp"], outer["Nonce"])
        reply = deserialize_reply(body)
        assert reply.target == self.openid and reply.source == ACCOUNT, body
        return reply.content
