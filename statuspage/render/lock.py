"""A build lock in the database, so two app processes never interleave a build.

A lease on the `site_lock` row "site-build": taken with one conditional UPDATE
(free, or its lease expired) committed on a connection of its own, so every process
sharing the database sees it at once; a crashed holder frees it when the lease ends.
"""

from __future__ import annotations

import os
import socket
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from sqlmodel import Session

from ..models import SiteLock

LOCK_NAME = "site-build"


class LockTimeout(Exception):
    """Another process held the build lock for longer than we were willing to wait."""


def _table() -> sa.Table:
    return SiteLock.__table__  # type: ignore[attr-defined,no-any-return]


def holder_name() -> str:
    """Who we are, for people reading the lock row: host, pid and a random tag."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"[:200]


def try_acquire(engine: sa.Engine, holder: str, lease: float) -> bool:
    """Take the lock if it is free or its lease ran out; True when we hold it."""
    t = _table()
    now = datetime.now(UTC)
    with engine.begin() as conn:
        exists = conn.execute(sa.select(t.c.name).where(t.c.name == LOCK_NAME)).first()
        if exists is None:
            try:
                with conn.begin_nested():
                    conn.execute(
                        t.insert().values(name=LOCK_NAME, holder="", expires_at=None)
                    )
            except sa.exc.IntegrityError:
                pass  # another process created it first
        result = conn.execute(
            t.update()
            .where(t.c.name == LOCK_NAME)
            .where(sa.or_(t.c.expires_at.is_(None), t.c.expires_at < now))
            .values(holder=holder, expires_at=now + timedelta(seconds=lease))
        )
        return result.rowcount == 1


def release(engine: sa.Engine, holder: str) -> None:
    """Free the lock if we still hold it."""
    t = _table()
    with engine.begin() as conn:
        conn.execute(
            t.update()
            .where(t.c.name == LOCK_NAME)
            .where(t.c.holder == holder)
            .values(holder="", expires_at=None)
        )


@contextmanager
def build_lock(
    session: Session, wait: float = 120.0, lease: float = 600.0, poll: float = 0.05
) -> Iterator[str]:
    """Hold the database build lock for the block; wait up to `wait` seconds for it.

    Call it with no write transaction open on `session` (commit first): on SQLite
    the lock's own write would wait for that transaction.
    """
    engine = session.get_bind()
    assert isinstance(engine, sa.Engine)
    holder = holder_name()
    deadline = time.monotonic() + wait
    while True:
        try:
            if try_acquire(engine, holder, lease):
                break
        except sa.exc.OperationalError:  # SQLite "database is locked": retry
            pass
        if time.monotonic() >= deadline:
            raise LockTimeout(
                f"another build held the site lock for more than {wait:.0f}s"
            )
        # Polling, not sleeping to let time pass: the other build is doing work.
        time.sleep(poll)
    try:
        yield holder
    finally:
        release(engine, holder)
