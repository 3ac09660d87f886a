"""The four elements and the cadence rules, tested directly (no Flask)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from statuspage.config import DEFAULT_MAX_INTERVALS
from statuspage.rules.elements import (
    Draft,
    check_cadence,
    check_elements,
    check_incident_fields,
)

NOW = datetime(2026, 11, 26, 16, 30, tzinfo=UTC)


def full(**overrides) -> Draft:
    values = dict(
        status="investigating",
        current_impact="Some users cannot complete checkout.",
        current_action="We are failing over payment traffic to a backup path.",
        user_action="Retry in 2-3 minutes.",
        next_update_at=NOW + timedelta(minutes=30),
    )
    values.update(overrides)
    return Draft(**values)


def test_a_complete_update_has_no_errors():
    assert check_elements(full()) == {}


@pytest.mark.parametrize("field", ["current_impact", "current_action", "user_action"])
@pytest.mark.parametrize("blank", ["", "   ", "\n\t"])
def test_each_missing_element_is_named_in_plain_words(field, blank):
    errors = check_elements(full(**{field: blank}))
    assert list(errors) == [field]
    assert "e.g." in errors[field]


def test_missing_next_update_time_is_an_error():
    errors = check_elements(full(next_update_at=None))
    assert "next update" in errors["next_update_at"].lower()


def test_resolved_needs_impact_and_user_action_but_no_next_time():
    draft = full(status="resolved", current_action="", next_update_at=None)
    assert check_elements(draft) == {}
    errors = check_elements(
        full(status="resolved", current_impact="", user_action="", next_update_at=None)
    )
    assert set(errors) == {"current_impact", "user_action"}
    assert "ended" in errors["current_impact"]


def test_resolved_update_refuses_a_next_update_time():
    errors = check_elements(full(status="resolved"))
    assert "leave the next update time empty" in errors["next_update_at"]


def test_unknown_status_is_refused():
    assert "status" in check_elements(full(status="fixed"))


def test_next_update_in_the_past_is_refused():
    errors = check_cadence(
        NOW - timedelta(minutes=1), "SEV-2", NOW, DEFAULT_MAX_INTERVALS
    )
    assert "in the future" in errors["next_update_at"]
    assert "16:30 UTC" in errors["next_update_at"]


def test_next_update_exactly_now_is_refused():
    assert check_cadence(NOW, "SEV-2", NOW, DEFAULT_MAX_INTERVALS)


@pytest.mark.parametrize(
    ("severity", "limit"),
    [("SEV-1", 30), ("SEV-2", 60), ("SEV-3", 120), ("SEV-4", 240)],
)
def test_cadence_limit_per_severity(severity, limit):
    at_limit = NOW + timedelta(minutes=limit)
    assert check_cadence(at_limit, severity, NOW, DEFAULT_MAX_INTERVALS) == {}
    errors = check_cadence(
        at_limit + timedelta(minutes=1), severity, NOW, DEFAULT_MAX_INTERVALS
    )
    assert f"every {limit} minutes" in errors["next_update_at"]
    assert at_limit.strftime("%H:%M UTC") in errors["next_update_at"]


def test_cadence_policy_is_configurable():
    policy = {**DEFAULT_MAX_INTERVALS, "SEV-1": 15}
    assert check_cadence(NOW + timedelta(minutes=20), "SEV-1", NOW, policy)
    assert not check_cadence(NOW + timedelta(minutes=15), "SEV-1", NOW, policy)


def test_cadence_compares_instants_not_wall_clocks():
    from zoneinfo import ZoneInfo

    berlin = (NOW + timedelta(minutes=20)).astimezone(ZoneInfo("Europe/Berlin"))
    assert check_cadence(berlin, "SEV-1", NOW, DEFAULT_MAX_INTERVALS) == {}


def test_incident_needs_title_and_known_severity():
    assert set(check_incident_fields("", "SEV-9")) == {"title", "severity"}
    assert "one line" in check_incident_fields("a\nb", "SEV-1")["title"]
    assert check_incident_fields("Checkout down", "SEV-1") == {}
