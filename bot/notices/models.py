"""What the gateway keeps of each notice it delivered (one row per notice id, unique): the guard
against sending a notice twice, and where WeChat's delivery report (TEMPLATESENDJOBFINISH) lands."""
from __future__ import annotations

from sqlalchemy import Column, DateTime, Index, Integer, String

from bot.models import Base, utcnow

# How a notice reached the worker: the web transcript, a WeChat template message, a WeChat
# customer-service message, or the WeChat queue that waits for the worker's next message.
VIA = ("transcript", "template", "custom", "queued", "refused")


class NoticeDelivery(Base):
    __tablename__ = "notice_deliveries"
    id = Column(Integer, primary_key=True, autoincrement=True)
    notice_id = Column(String(80), nullable=False, unique=True)
    conversation_id = Column(String(160), nullable=False)
    number = Column(String(40), nullable=True)
    via = Column(String(16), nullable=False)
    wechat_msgid = Column(String(40), nullable=True)
    # TEMPLATESENDJOBFINISH's Status: success, failed:user block, failed: system failed
    report = Column(String(60), nullable=True)
    reported_at = Column(DateTime, nullable=True)
    created_at = Column(DateTime, nullable=False, default=utcnow)

    __table_args__ = (Index("ix_notice_deliveries_wechat_msgid", "wechat_msgid"),)
