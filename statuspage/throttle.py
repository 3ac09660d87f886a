"""Fixed-window rate limits shared by every app instance: Redis, or a table.

One atomic statement per hit (an upsert returning the new count, or Redis INCR), so
two instances counting at once never both slip under the limit.
"""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta
from typing import Any, Protocol

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from .db import get_engine
from .models import Throttle, UTCDateTime


class Limiter(Protocol):
    def hit(self, key: str, window: timedelta, now: datetime) -> int: ...


def _window_start(now: datetime, window: timedelta) -> datetime:
    seconds = int(window.total_seconds())
    epoch = int(now.timestamp())
    return datetime.fromtimestamp(epoch - epoch % seconds, now.tzinfo)


class DatabaseLimiter:
    """Counts in the `throttle` table."""

    def __init__(self, url: str) -> None:
        self.engine = get_engine(url)

    def hit(self, key: str, window: timedelta, now: datetime) -> int:
        """Count one hit in the current window; return the window's count."""
        start = _window_start(now, window)
        table = Throttle.__table__  # type: ignore[attr-defined]
        dialect = postgresql if self.engine.dialect.name == "postgresql" else sqlite
        stmt = dialect.insert(table).values(key=key, window_start=start, count=1)
        fresh = table.c.window_start < sa.literal(start, UTCDateTime)
        stmt = stmt.on_conflict_do_update(
            index_elements=["key"],
            set_={
                "count": sa.case((fresh, 1), else_=table.c.count + 1),
                "window_start": sa.case(
                    (fresh, sa.literal(start, UTCDateTime)),
                    else_=table.c.window_start,
                ),
            },
        ).returning(table.c.count)
        with self.engine.begin() as conn:
            return int(conn.execute(stmt).scalar_one())


class RedisLimiter:
    """Counts in Redis (INCR on a key per window, expiring with it)."""

    def __init__(self, url: str) -> None:
        import redis

        self.client: Any = redis.Redis.from_url(url)

    def hit(self, key: str, window: timedelta, now: datetime) -> int:
        """Count one hit in the current window; return the window's count."""
        start = _window_start(now, window)
        name = f"statuspage:throttle:{key}:{int(start.timestamp())}"
        pipe = self.client.pipeline()
        pipe.incr(name)
        pipe.expire(name, int(window.total_seconds()) + 60)
        count, _ = pipe.execute()
        return int(count)


_limiters: dict[tuple[str, str], Limiter] = {}


def limiter_for(settings: Any) -> Limiter:
    """The limiter the settings choose: Redis when REDIS_URL is set."""
    redis_url = settings.get("REDIS_URL") or ""
    key = ("redis", redis_url) if redis_url else ("db", settings["DATABASE_URL"])
    if key not in _limiters:
        _limiters[key] = (
            RedisLimiter(redis_url) if redis_url else DatabaseLimiter(key[1])
        )
    return _limiters[key]


def hashed(value: str) -> str:
    """A key part that does not store the address or IP itself."""
    return hashlib.sha256(value.encode()).hexdigest()[:32]


def allowed(
    limiter: Limiter,
    checks: list[tuple[str, int]],
    now: datetime,
    window: timedelta = timedelta(hours=1),
) -> bool:
    """Count a hit on every key; False if any is over its limit."""
    ok = True
    for key, limit in checks:
        if limiter.hit(key, window, now) > limit:
            ok = False
    return ok


def prune(url: str, before: datetime) -> int:
    """Delete database windows that ended before `before`; returns how many."""
    table = Throttle.__table__  # type: ignore[attr-defined]
    with get_engine(url).begin() as conn:
        result = conn.execute(
            table.delete().where(table.c.window_start < sa.literal(before, UTCDateTime))
        )
    return int(result.rowcount or 0)
