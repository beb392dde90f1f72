"""WeChat's callback protocol, every step done by wechatpy: the URL check, signatures, safe-mode AES,
message parsing and passive replies. This module only decides which HTTP status a bad request gets."""
from __future__ import annotations

import time

from wechatpy import parse_message
from wechatpy.crypto import WeChatCrypto
from wechatpy.exceptions import InvalidAppIdException, InvalidSignatureException
from wechatpy.messages import BaseMessage
from wechatpy.replies import create_reply
from wechatpy.utils import check_signature

# WeChat signs the current time; an older (or future) timestamp is a replay.
MAX_CLOCK_SKEW = 300
# Passive answer that tells WeChat "received, nothing to say now" (and stops its retries).
SUCCESS = "success"
# Never handed to an XML parser: entity expansion and external DTDs are the classic XML attacks.
FORBIDDEN_MARKUP = (b"<!doctype", b"<!entity")


class Rejected(Exception):
    """The request is refused with `status` (400 malformed, 403 not from WeChat)."""

    def __init__(self, status: int, reason: str):
        super().__init__(reason)
        self.status = status
        self.reason = reason


class Protocol:
    def __init__(self, token: str, app_id: str, aes_key: str = ""):
        self.token = token
        if aes_key and len(aes_key) != 43:
            raise ValueError("WECHAT_AES_KEY must be the 43-character EncodingAESKey from the WeChat console")
        self.crypto = WeChatCrypto(token, aes_key, app_id) if aes_key else None

    @property
    def safe_mode(self) -> bool:
        return self.crypto is not None

    def check_url(self, args) -> str:
        """GET /wechat: the echostr to answer when the signature is WeChat's."""
        self._check_signature(args)
        return args.get("echostr", "")

    def read_message(self, args, body: bytes) -> BaseMessage:
        """A verified, parsed message from POST /wechat; raises Rejected otherwise."""
        self._check_signature(args)
        xml = _checked_xml(body)
        if self.safe_mode:
            if args.get("encrypt_type") != "aes" or not args.get("msg_signature"):
                raise Rejected(403, "safe mode: the message must be encrypted")
            try:
                xml = _checked_xml(self.crypto.decrypt_message(
                    xml, args["msg_signature"], args.get("timestamp", ""), args.get("nonce", "")))
            except (InvalidSignatureException, InvalidAppIdException) as exc:
                raise Rejected(403, type(exc).__name__) from exc
            except Rejected:
                raise
            except Exception as exc:  # noqa: BLE001 - no <Encrypt>, bad base64, bad padding: not WeChat's
                raise Rejected(400, f"cannot decrypt: {type(exc).__name__}") from exc
        try:
            message = parse_message(xml)
        except Exception as exc:  # noqa: BLE001 - malformed XML, no <xml> root, no MsgType
            raise Rejected(400, f"not a WeChat message: {type(exc).__name__}") from exc
        _check_fields(message)
        return message

    def render(self, message: BaseMessage, text: str, args) -> str:
        """The HTTP body answering `message`: a text reply (encrypted in safe mode) or "success"."""
        if not text:
            return SUCCESS
        # wechatpy puts the text in CDATA as is; a "]]>" in it (the bot repeats what workers typed)
        # would end the CDATA early, so it is split across two CDATA sections.
        xml = create_reply(text.replace("]]>", "]]]]><![CDATA[>"), message, render=True)
        if self.safe_mode:
            return self.crypto.encrypt_message(xml, args.get("nonce", ""), args.get("timestamp"))
        return xml

    def _check_signature(self, args) -> None:
        timestamp = args.get("timestamp", "")
        try:
            check_signature(self.token, args.get("signature", ""), timestamp, args.get("nonce", ""))
        except InvalidSignatureException as exc:
            raise Rejected(403, "wrong signature") from exc
        try:
            skew = abs(time.time() - int(timestamp))
        except ValueError as exc:
            raise Rejected(403, "timestamp is not a number") from exc
        if skew > MAX_CLOCK_SKEW:
            raise Rejected(403, f"timestamp is {int(skew)} s off")


# Fields the channel reads: plain text in every WeChat message that has them.
TEXT_FIELDS = ("ToUserName", "FromUserName", "MsgType", "Content", "Recognition", "Event", "EventKey",
               "Label", "Title", "Url")


def _check_fields(message: BaseMessage | None) -> None:
    """WeChat's messages are flat and always name sender, receiver and time; anything else is not one."""
    data = getattr(message, "_data", None)
    if not isinstance(data, dict):
        raise Rejected(400, "not a WeChat message")
    if any(data.get(name) is not None and not isinstance(data[name], str) for name in TEXT_FIELDS):
        raise Rejected(400, "not a WeChat message: nested elements where text belongs")
    if not data.get("FromUserName") or not data.get("ToUserName") or not data.get("CreateTime"):
        raise Rejected(400, "not a WeChat message: FromUserName, ToUserName and CreateTime are required")
    try:
        int(data["CreateTime"]), int(data.get("MsgId") or 0)
    except (TypeError, ValueError) as exc:
        raise Rejected(400, "not a WeChat message: CreateTime and MsgId are numbers") from exc


def _checked_xml(body: bytes | str) -> str:
    """The body as text, refused before any parser sees it when it declares a DTD or entities."""
    raw = body.encode("utf-8") if isinstance(body, str) else body
    lowered = raw.lower()
    if any(marker in lowered for marker in FORBIDDEN_MARKUP):
        raise Rejected(400, "XML with a DOCTYPE or ENTITY declaration")
    try:
        # Only UTF-8 is accepted, so another encoding cannot hide a declaration from the check above.
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise Rejected(400, "body is not UTF-8") from exc
