"""The uptime days: the past days kept between builds equal a fresh computation."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from statuspage.render import uptime
from statuspage.render.snapshot import ComponentSnap, StatusChange

NOW = datetime(2026, 11, 26, 15, 30, tzinfo=UTC)
STATUSES = list(uptime.RANK)


def component(created: datetime | None, status: str) -> ComponentSnap:
    return ComponentSnap(
        id=1,
        name="API",
        description="",
        group_id=None,
        position=0,
        status=status,
        showcase=True,
        only_show_if_degraded=False,
        updated_at=NOW,
        created_at=created,
    )


def history(draw_minutes: list[int], statuses: list[str]) -> list[StatusChange]:
    out, old = [], "operational"
    for minutes, new in zip(sorted(draw_minutes), statuses, strict=False):
        at = NOW - timedelta(minutes=minutes)
        out.append(StatusChange(1, at, old, new))
        old = new
    return sorted(out, key=lambda c: c.at)


@settings(max_examples=150, deadline=None)
@given(
    minutes=st.lists(st.integers(0, 95 * 1440), max_size=12),
    statuses=st.lists(st.sampled_from(STATUSES), min_size=12, max_size=12),
    created_days=st.one_of(st.none(), st.integers(0, 120)),
    window=st.one_of(st.none(), st.tuples(st.integers(0, 3000), st.integers(1, 600))),
    later=st.integers(0, 600),
)
def test_cached_past_days_equal_a_fresh_computation(
    minutes, statuses, created_days, window, later
):  # type: ignore[no-untyped-def]
    changes = history(minutes, statuses)
    created = None if created_days is None else NOW - timedelta(days=created_days)
    snap = component(created, changes[-1].new_status if changes else "operational")
    windows = []
    if window is not None:
        start = NOW - timedelta(minutes=window[0])
        windows = [(start, start + timedelta(minutes=window[1]))]
    for now in (NOW, NOW + timedelta(minutes=later)):  # the second hits the cache
        got = uptime.day_statuses(snap, changes, windows, now)
        assert got == uptime._days(snap, changes, windows, now, 90)
        assert len(got) == 90
        assert got[-1][0] == now.date()


def test_a_status_change_today_leaves_yesterday_as_it_was() -> None:
    snap = component(NOW - timedelta(days=200), "major_outage")
    today = StatusChange(1, NOW - timedelta(hours=1), "operational", "major_outage")
    days = uptime.day_statuses(snap, [today], [], NOW)
    assert days[-2][1:] == ("operational", 0)
    assert days[-1][1:] == ("major_outage", 60)
