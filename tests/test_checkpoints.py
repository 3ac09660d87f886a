"""The promise ledger (pure): kept, broken, pending, overdue, and the figures."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from statuspage import checkpoints as cp

T0 = datetime(2026, 11, 26, 16, 0, tzinfo=UTC)


@dataclass(frozen=True)
class U:
    id: int
    status: str
    published_at: datetime
    next_update_at: datetime | None


def at(minute: float) -> datetime:
    return T0 + timedelta(minutes=minute)


def seq(*items: tuple[str, float, float | None]) -> list[U]:
    """(status, published minute, promised minute or None) -> updates."""
    return [
        U(i, s, at(p), None if n is None else at(n))
        for i, (s, p, n) in enumerate(items)
    ]


def states(updates: list[U], now: float, grace: float = 0) -> list[str]:
    return [p.state for p in cp.promises(updates, at(now), timedelta(minutes=grace))]


def test_update_published_exactly_at_the_promised_time_keeps_it() -> None:
    updates = seq(("investigating", 0, 30), ("identified", 30, 60))
    assert states(updates, now=31) == ["kept", "pending"]


def test_one_second_late_breaks_it_and_records_lateness() -> None:
    updates = [
        U(1, "investigating", at(0), at(30)),
        U(2, "identified", at(30) + timedelta(seconds=60), at(90)),
    ]
    first = cp.promises(updates, at(40))[0]
    assert first.state == "broken"
    assert first.lateness == 1.0
    assert first.fulfilled_by == 2
    assert not first.overdue


def test_grace_moves_the_deadline_but_lateness_counts_from_the_promise() -> None:
    updates = seq(("investigating", 0, 30), ("identified", 34, None))
    assert states(updates, now=40, grace=5) == ["kept"]
    assert states(updates, now=40, grace=3) == ["broken"]
    assert cp.promises(updates, at(40), timedelta(minutes=3))[0].lateness == 4.0


def test_several_updates_before_the_promised_time_each_keep_the_previous() -> None:
    updates = seq(
        ("investigating", 0, 30),
        ("investigating", 5, 30),
        ("identified", 10, 40),
        ("monitoring", 12, 60),
    )
    assert states(updates, now=20) == ["kept", "kept", "kept", "pending"]


def test_resolved_before_the_promised_time_keeps_it_and_makes_no_promise() -> None:
    updates = seq(("investigating", 0, 30), ("resolved", 10, None))
    assert states(updates, now=500) == ["kept"]
    assert cp.overdue(updates, at(500)) is None


def test_a_resolved_update_with_a_time_still_makes_no_promise() -> None:
    updates = seq(("investigating", 0, 30), ("resolved", 10, 40))
    assert len(cp.promises(updates, at(500))) == 1


def test_pending_until_the_deadline_then_overdue_until_an_update() -> None:
    updates = seq(("investigating", 0, 30))
    assert states(updates, now=30) == ["pending"]
    assert cp.overdue(updates, at(30)) is None
    late = cp.overdue(updates, at(47))
    assert late is not None and late.lateness == 17.0
    updates.append(U(9, "identified", at(50), at(80)))
    assert cp.overdue(updates, at(51)) is None
    assert states(updates, now=51) == ["broken", "pending"]


def test_reopened_incident_makes_new_promises_after_resolution() -> None:
    updates = seq(
        ("investigating", 0, 30),
        ("resolved", 20, None),
        ("investigating", 300, 330),
    )
    assert states(updates, now=340) == ["kept", "broken"]
    assert cp.overdue(updates, at(340)) is not None
    # Between the resolution and the reopening nothing was owed.
    assert cp.overdue(updates[:2], at(200)) is None


def test_updates_after_now_are_not_seen() -> None:
    updates = seq(("investigating", 0, 30), ("identified", 45, None))
    assert states(updates, now=40) == ["broken"]
    assert cp.overdue(updates, at(40)) is not None


def test_promises_across_a_daylight_saving_change_are_compared_in_utc() -> None:
    # New York falls back on 2026-11-01 at 02:00 EDT -> 01:00 EST. An update at
    # 01:50 EDT promises "by 01:20" -- which is 01:20 EST, 30 minutes later.
    ny = ZoneInfo("America/New_York")
    published = datetime(2026, 11, 1, 1, 50, tzinfo=ny, fold=0)
    promised = datetime(2026, 11, 1, 1, 20, tzinfo=ny, fold=1)
    assert promised.astimezone(UTC) - published.astimezone(UTC) == timedelta(minutes=30)
    # The next update at 01:15 EST: on the wall clock "before 01:50", in UTC later.
    following = datetime(2026, 11, 1, 1, 15, tzinfo=ny, fold=1)
    updates = [
        U(1, "investigating", published.astimezone(UTC), promised.astimezone(UTC)),
        U(2, "identified", following.astimezone(UTC), None),
    ]
    made = cp.promises(updates, following.astimezone(UTC) + timedelta(hours=1))
    assert [p.state for p in made] == ["kept"]
    # Spring forward (2026-03-08 02:00 EST -> 03:00 EDT): 01:50 EST promising
    # 03:10 EDT is 20 minutes; an update at 03:15 EDT is 5 minutes late.
    published = datetime(2026, 3, 8, 1, 50, tzinfo=ny)
    promised = datetime(2026, 3, 8, 3, 10, tzinfo=ny)
    following = datetime(2026, 3, 8, 3, 15, tzinfo=ny)
    updates = [
        U(1, "investigating", published.astimezone(UTC), promised.astimezone(UTC)),
        U(2, "identified", following.astimezone(UTC), None),
    ]
    late = cp.promises(updates, following.astimezone(UTC))[0]
    assert (late.state, late.lateness) == ("broken", 5.0)


def test_summary_figures() -> None:
    updates = seq(
        ("investigating", 2, 30),  # kept by 25
        ("identified", 25, 55),  # broken by 65: 10 late
        ("monitoring", 65, 95),  # broken by 125: 30 late
        ("monitoring", 125, None),  # no promise
        ("resolved", 130, None),
    )
    s = cp.summarize(updates, at(200), declared_at=at(0))
    assert (s.updates, s.promises, s.kept, s.broken, s.pending) == (5, 3, 1, 2, 0)
    assert s.without_promise == 1
    assert s.on_time_rate == 1 / 3
    assert (s.median_lateness, s.worst_lateness) == (20.0, 30.0)
    assert s.first_update_after == 2.0
    assert s.median_interval == 31.5  # intervals 23, 40, 60, 5
    assert cp.on_time_summary(updates, at(200)) == "1 of 3 updates on time"
    total = cp.summarize_many([(updates, at(0)), (updates[:1], at(1))], at(200))
    assert (total.promises, total.kept, total.broken) == (4, 1, 3)
    assert total.first_update_after == 1.5


def test_no_judged_promise_gives_no_on_time_line() -> None:
    assert cp.on_time_summary(seq(("investigating", 0, 30)), at(10)) is None
    assert cp.summarize([], at(0)).to_dict()["on_time_rate"] is None


# --- properties over random update sequences -----------------------------------

STATUSES = ("investigating", "identified", "monitoring", "resolved", "postmortem")

step = st.tuples(
    st.integers(min_value=0, max_value=90),  # minutes after the previous update
    st.sampled_from(STATUSES),
    st.one_of(st.none(), st.integers(min_value=-5, max_value=120)),  # promise offset
)


def build(steps: list[tuple[int, str, int | None]]) -> list[U]:
    out: list[U] = []
    t = 0
    for i, (gap, status, offset) in enumerate(steps):
        t += gap
        promise = None if offset is None else at(t + offset)
        out.append(U(i, status, at(t), promise))
    return out


@settings(max_examples=300, deadline=None)
@given(
    st.lists(step, max_size=12),
    st.integers(min_value=0, max_value=1500),
    st.integers(min_value=0, max_value=20),
)
def test_every_promise_is_exactly_one_state_and_counts_add_up(
    steps: list[tuple[int, str, int | None]], now_minute: int, grace_minutes: int
) -> None:
    updates = build(steps)
    now, grace = at(now_minute), timedelta(minutes=grace_minutes)
    made = cp.promises(updates, now, grace)
    seen = [u for u in updates if u.published_at <= now]
    makers = [u for u in seen if u.next_update_at and u.status not in cp.FINAL_STATUSES]
    assert [p.update_id for p in made] == [u.id for u in makers]
    for p in made:
        assert p.state in ("kept", "broken", "pending")
        # The oracle: the definition from the issue, restated independently.
        index = next(i for i, u in enumerate(seen) if u.id == p.update_id)
        nxt = seen[index + 1] if index + 1 < len(seen) else None
        if nxt is not None:
            expected = "kept" if nxt.published_at <= p.due + grace else "broken"
        else:
            expected = "broken" if now > p.due + grace else "pending"
        assert p.state == expected
        assert (p.lateness is not None) == (p.state == "broken")
        if p.lateness is not None:
            assert p.lateness > grace_minutes
    s = cp.summarize(updates, now, grace)
    assert s.kept + s.broken + s.pending == s.promises == len(made)
    assert s.updates == len(seen)
    assert sum(p.state == "pending" for p in made) <= 1
    late = cp.overdue(updates, now, grace)
    if late is not None:
        assert late.update_id == seen[-1].id
        assert seen[-1].status not in cp.FINAL_STATUSES
        assert made[-1].state == "broken" and made[-1].fulfilled_at is None
    else:
        assert not made or made[-1].state != "broken" or made[-1].fulfilled_at
    if s.on_time_rate is not None:
        assert 0 <= s.on_time_rate <= 1
        assert s.on_time_rate == s.kept / (s.kept + s.broken)
