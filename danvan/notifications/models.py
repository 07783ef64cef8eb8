"""A notification addressed to one user."""
from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from danvan.core.models import UTCDateTime
from danvan.core.vntext import now_utc
from danvan.extensions import db

KINDS = {
    "call_new": "Yêu cầu nộp mới",
    "submitted": "Văn bản chờ duyệt",
    "returned": "Văn bản bị trả lại",
    "approved": "Văn bản đã duyệt",
    "deadline_soon": "Sắp đến hạn nộp",
    "overdue": "Quá hạn nộp",
    "reminder": "Nhắc nộp",
    "info": "Thông báo",
    "conference_invited": "Giấy mời hội nghị",
    "contribution_asked": "Đề nghị gửi tham luận",
    "contribution_submitted": "Tham luận đã gửi",
    "contribution_accepted": "Tham luận được nhận",
    "contribution_returned": "Tham luận bị trả lại",
    "contribution_withdrawn": "Rút đề nghị tham luận",
}


class Notification(db.Model):
    __tablename__ = "notification"
    __table_args__ = (sa.Index("ix_notification_user_unread", "user_id", "read_at"),)

    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id", ondelete="CASCADE"))
    unit_id: Mapped[int | None] = mapped_column(sa.ForeignKey("unit.id"))
    kind: Mapped[str] = mapped_column(sa.String(30), default="info")
    title: Mapped[str] = mapped_column(sa.String(300))
    body: Mapped[str] = mapped_column(sa.Text, default="")
    link: Mapped[str] = mapped_column(sa.String(500), default="")
    object_type: Mapped[str] = mapped_column(sa.String(60), default="")
    object_id: Mapped[int | None] = mapped_column(sa.Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=now_utc, index=True)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    __repr_attrs__ = ("id", "user_id", "kind")

    @property
    def kind_label(self) -> str:
        return KINDS.get(self.kind, self.kind)
