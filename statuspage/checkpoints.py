"""The promise ledger: which "next update by T" promises were kept, broken or pending.

Pure: no Flask, no database. Callers pass the incident's updates (anything with
`id`, `status`, `published_at` and `next_update_at`, times aware UTC), the clock's
`now` and the grace period. Storage and comparison are in UTC, so a daylight-saving
change in the author's zone cannot move a promise.
"""

from __future__ import annotations

import statistics
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from typing import Any, Protocol

FINAL_STATUSES = ("resolved", "postmortem")
KEPT, BROKEN, PENDING = "kept", "broken", "pending"


class UpdateLike(Protocol):
    """What the ledger reads from an update."""

    @property
    def id(self) -> Any: ...
    @property
    def status(self) -> str: ...
    @property
    def published_at(self) -> datetime: ...
    @property
    def next_update_at(self) -> datetime | None: ...


@dataclass(frozen=True)
class Promise:
    """One update's promise of a next update by `due` and how it went."""

    update_id: Any
    made_at: datetime
    due: datetime
    deadline: datetime  # due + grace
    state: str  # kept, broken or pending
    fulfilled_by: Any  # the id of the next update, if any
    fulfilled_at: datetime | None
    # Minutes past the promised time (not past the grace): for broken promises only;
    # while no update has come, counted up to `now`.
    lateness: float | None

    @property
    def overdue(self) -> bool:
        """Broken with no later update yet: customers are still waiting."""
        return self.state == BROKEN and self.fulfilled_at is None


def minutes(delta: timedelta) -> float:
    """A duration in minutes."""
    return delta.total_seconds() / 60


def ordered(updates: Iterable[UpdateLike], now: datetime) -> list[UpdateLike]:
    """Updates published at or before `now`, oldest first (ties keep their order)."""
    return sorted(
        (u for u in updates if u.published_at <= now), key=lambda u: u.published_at
    )


def makes_promise(update: UpdateLike) -> bool:
    """Whether an update promises a next one (a resolved update never does)."""
    return update.next_update_at is not None and update.status not in FINAL_STATUSES


def promises(
    updates: Iterable[UpdateLike], now: datetime, grace: timedelta = timedelta(0)
) -> list[Promise]:
    """Every promise the updates made, each judged kept, broken or pending at `now`."""
    seq = ordered(updates, now)
    out: list[Promise] = []
    for index, update in enumerate(seq):
        if not makes_promise(update):
            continue
        due = update.next_update_at
        assert due is not None
        deadline = due + grace
        following = seq[index + 1] if index + 1 < len(seq) else None
        if following is not None:
            at = following.published_at
            state = KEPT if at <= deadline else BROKEN
            lateness = minutes(at - due) if state == BROKEN else None
            out.append(
                Promise(
                    update.id,
                    update.published_at,
                    due,
                    deadline,
                    state,
                    following.id,
                    at,
                    lateness,
                )
            )
        elif now > deadline:
            out.append(
                Promise(
                    update.id,
                    update.published_at,
                    due,
                    deadline,
                    BROKEN,
                    None,
                    None,
                    minutes(now - due),
                )
            )
        else:
            out.append(
                Promise(
                    update.id,
                    update.published_at,
                    due,
                    deadline,
                    PENDING,
                    None,
                    None,
                    None,
                )
            )
    return out


def open_promise(
    updates: Iterable[UpdateLike], now: datetime, grace: timedelta = timedelta(0)
) -> Promise | None:
    """The latest update's promise if no update has followed it yet (else None)."""
    seq = ordered(updates, now)
    if not seq or not makes_promise(seq[-1]):
        return None
    return promises(seq[-1:], now, grace)[0]


def overdue(
    updates: Iterable[UpdateLike], now: datetime, grace: timedelta = timedelta(0)
) -> Promise | None:
    """The broken promise customers are still waiting on, if any."""
    promise = open_promise(updates, now, grace)
    return promise if promise is not None and promise.overdue else None


def due_soon(
    updates: Iterable[UpdateLike],
    now: datetime,
    lead: timedelta,
    grace: timedelta = timedelta(0),
) -> Promise | None:
    """The pending promise whose time is within `lead` of `now` (or in its grace)."""
    promise = open_promise(updates, now, grace)
    if promise is None or promise.state != PENDING:
        return None
    return promise if now >= promise.due - lead else None


@dataclass
class Summary:
    """The communication figures of one incident, or of several together."""

    updates: int = 0
    promises: int = 0
    kept: int = 0
    broken: int = 0
    pending: int = 0
    # Open-status updates that gave no next update time.
    without_promise: int = 0
    on_time_rate: float | None = None  # kept / (kept + broken)
    median_lateness: float | None = None  # minutes, over broken promises
    worst_lateness: float | None = None
    first_update_after: float | None = None  # minutes from declaration
    median_interval: float | None = None  # minutes between consecutive updates

    def to_dict(self) -> dict[str, Any]:
        """The figures as plain JSON-ready values (minutes rounded to 0.1)."""
        out = asdict(self)
        for key, value in out.items():
            if isinstance(value, float):
                out[key] = round(value, 3 if key == "on_time_rate" else 1)
        return out


@dataclass
class _Parts:
    summary: Summary
    lateness: list[float]
    intervals: list[float]
    first: float | None


def _parts(
    updates: Sequence[UpdateLike],
    now: datetime,
    grace: timedelta,
    declared_at: datetime | None,
) -> _Parts:
    seq = ordered(updates, now)
    made = promises(seq, now, grace)
    s = Summary(updates=len(seq), promises=len(made))
    s.kept = sum(p.state == KEPT for p in made)
    s.broken = sum(p.state == BROKEN for p in made)
    s.pending = sum(p.state == PENDING for p in made)
    s.without_promise = sum(
        u.status not in FINAL_STATUSES and u.next_update_at is None for u in seq
    )
    lateness = [p.lateness for p in made if p.lateness is not None]
    intervals = [
        minutes(b.published_at - a.published_at)
        for a, b in zip(seq, seq[1:], strict=False)
    ]
    first = None
    if seq and declared_at is not None:
        first = max(0.0, minutes(seq[0].published_at - declared_at))
    return _Parts(s, lateness, intervals, first)


def _finish(s: Summary, lateness: list[float], intervals: list[float]) -> Summary:
    judged = s.kept + s.broken
    s.on_time_rate = s.kept / judged if judged else None
    s.median_lateness = statistics.median(lateness) if lateness else None
    s.worst_lateness = max(lateness) if lateness else None
    s.median_interval = statistics.median(intervals) if intervals else None
    return s


def summarize(
    updates: Sequence[UpdateLike],
    now: datetime,
    grace: timedelta = timedelta(0),
    declared_at: datetime | None = None,
) -> Summary:
    """The ledger's figures for one incident's updates at `now`."""
    parts = _parts(updates, now, grace, declared_at)
    parts.summary.first_update_after = parts.first
    return _finish(parts.summary, parts.lateness, parts.intervals)


def summarize_many(
    incidents: Iterable[tuple[Sequence[UpdateLike], datetime | None]],
    now: datetime,
    grace: timedelta = timedelta(0),
) -> Summary:
    """The figures over several incidents: counts add, medians over all of them.

    `first_update_after` is the median over incidents.
    """
    total = Summary()
    lateness: list[float] = []
    intervals: list[float] = []
    firsts: list[float] = []
    for updates, declared_at in incidents:
        parts = _parts(updates, now, grace, declared_at)
        for name in (
            "updates",
            "promises",
            "kept",
            "broken",
            "pending",
            "without_promise",
        ):
            setattr(total, name, getattr(total, name) + getattr(parts.summary, name))
        lateness += parts.lateness
        intervals += parts.intervals
        if parts.first is not None:
            firsts.append(parts.first)
    total.first_update_after = statistics.median(firsts) if firsts else None
    return _finish(total, lateness, intervals)


def on_time_summary(
    updates: Sequence[UpdateLike], now: datetime, grace: timedelta = timedelta(0)
) -> str | None:
    """The public line "7 of 7 updates on time", or None before any promise is due."""
    s = summarize(updates, now, grace)
    judged = s.kept + s.broken
    if not judged:
        return None
    noun = "update" if judged == 1 else "updates"
    return f"{s.kept} of {judged} {noun} on time"
