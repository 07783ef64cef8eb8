"""Users and the roles they hold in their unit."""
from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from flask_login import UserMixin
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from danvan.core.audit import Audited
from danvan.core.models import NameSorted, Timestamped, UTCDateTime, Versioned
from danvan.core.units import Unit, scope_root
from danvan.core.vntext import fold, now_utc
from danvan.extensions import db


class User(UserMixin, NameSorted, Audited, Versioned, Timestamped, db.Model):
    __sort_source__ = "full_name"
    __tablename__ = "user_account"
    __audit_masked__ = frozenset({"password_hash"})
    __audit_ignored__ = frozenset({"failed_logins", "last_login_at", "session_epoch",
                                   "updated_at", "version"})

    username: Mapped[str] = mapped_column(sa.String(60), unique=True)
    full_name: Mapped[str] = mapped_column(sa.String(120))
    title: Mapped[str] = mapped_column(sa.String(120), default="")
    search_key: Mapped[str] = mapped_column(sa.String(200), default="", index=True)
    unit_id: Mapped[int] = mapped_column(sa.ForeignKey("unit.id"), index=True)
    password_hash: Mapped[str] = mapped_column(sa.String(255))
    active: Mapped[bool] = mapped_column(sa.Boolean(name="active"), default=True)
    failed_logins: Mapped[int] = mapped_column(sa.Integer, default=0)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Bumped on password change, reset or disable: every existing session of the user dies.
    session_epoch: Mapped[int] = mapped_column(sa.Integer, default=0)
    # Created by `flask seed-demo` (with the published demo password): check-deploy and the
    # administrators' banner look for these.
    is_demo: Mapped[bool] = mapped_column(sa.Boolean(name="is_demo"), default=False, server_default=sa.false())

    unit: Mapped[Unit] = relationship(lazy="joined")
    role_rows: Mapped[list[UserRole]] = relationship(
        back_populates="user", cascade="all, delete-orphan", lazy="selectin"
    )

    __repr_attrs__ = ("username",)

    # Flask-Login
    @property
    def is_active(self) -> bool:
        return bool(self.active)

    def get_id(self) -> str:
        return f"{self.id}.{self.session_epoch}"

    # roles
    @property
    def assigned_roles(self) -> frozenset[str]:
        return frozenset(row.role for row in self.role_rows)

    @property
    def roles(self) -> frozenset[str]:
        """The roles in force: an account left on a closed (merged, dissolved) unit only reads its records."""
        roles = self.assigned_roles
        if roles and self.unit is not None and not self.unit.is_open:
            return frozenset({"viewer"})
        return roles

    def set_roles(self, roles: set[str] | list[str]) -> None:
        wanted = set(roles)
        self.role_rows = [row for row in self.role_rows if row.role in wanted] + [
            UserRole(role=role) for role in sorted(wanted - self.assigned_roles)
        ]

    def has_role(self, *roles: str) -> bool:
        return bool(self.roles & set(roles))

    @property
    def scope(self) -> Unit:
        return scope_root(self.unit)

    def is_locked(self, now: datetime | None = None) -> bool:
        """Temporarily locked after too many failed logins (the lock ends by itself)."""
        return self.locked_until is not None and self.locked_until > (now or now_utc())

    # passwords
    def set_password(self, password: str) -> None:
        self.password_hash = generate_password_hash(password)
        self.session_epoch = (self.session_epoch or 0) + 1  # every other session ends

    def check_password(self, password: str) -> bool:
        return check_password_hash(self.password_hash, password)

    def refresh_search_key(self) -> None:
        self.search_key = fold(f"{self.full_name} {self.username}")


class UserRole(db.Model):
    __tablename__ = "user_role"
    __table_args__ = (
        sa.CheckConstraint("role IN ('admin','leader','officer','inspector','viewer')", name="role"),
    )

    id = None  # keyed by (user, role)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id", ondelete="CASCADE"),
                                         primary_key=True)
    role: Mapped[str] = mapped_column(sa.String(20), primary_key=True)
    user: Mapped[User] = relationship(back_populates="role_rows")

    __repr_attrs__ = ("user_id", "role")
