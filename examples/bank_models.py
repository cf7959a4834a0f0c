"""SQLAlchemy models of a small bank, for `testdata dataset` from the command line (docs/datasets.md, "From the
command line"): accounts and transfers between two of them. Needs the `db` extra (SQLAlchemy)."""

import datetime as dt
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


class Account(Base):
    __tablename__ = "accounts"
    id: Mapped[int] = mapped_column(primary_key=True)
    holder: Mapped[str] = mapped_column(sa.String(80))
    opened_at: Mapped[dt.datetime]


class Transfer(Base):
    __tablename__ = "transfers"
    id: Mapped[int] = mapped_column(primary_key=True)
    from_account_id: Mapped[int] = mapped_column(sa.ForeignKey("accounts.id"))
    to_account_id: Mapped[int] = mapped_column(sa.ForeignKey("accounts.id"))
    amount: Mapped[Decimal] = mapped_column(sa.Numeric(12, 2), sa.CheckConstraint("amount > 0"))
    booked_at: Mapped[dt.datetime]
    __table_args__ = (sa.CheckConstraint("from_account_id <> to_account_id"),)
