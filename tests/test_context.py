"""The customer-context warning on current-impact texts."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from statuspage.rules.context import check_customer_context

ENGINEERING_ONLY = [
    ("Elevated 5xx on api-gw, p99 > 4s", "5xx"),
    ("Replica lag on primary DB, OOM kills on 3 nodes", "Replica lag"),
    ("p95 latency 2.3s on search; CPU 95% on indexer pods", "p95"),
    ("HTTP 502/503 from ingress", "HTTP 502"),
    ("Kafka consumer lag > 10 min on orders topic", "Kafka"),
    ("TLS handshake failures at the edge", "TLS handshake"),
    ("Increased latency on api-gw", "latency"),
    ("Nodes failing health checks, failover in progress", "Nodes"),
    ("Elevated error rates on the Search API", "error rates"),
    ("Heap exhaustion and long GC pauses on k8s workers", "Heap"),
    ("Queue depth above 40k; shard 7 unassigned", "Queue depth"),
    ("DNS resolution timeouts from RDS clients", "DNS resolution"),
    ("500s from checkout-svc", "500s"),
]

PLAIN_OR_MIXED = [
    "Customers cannot check out; API returns 503 errors",
    "Checkout is slow for some customers.",
    "Some users are unable to sign in. p99 latency is above 4s.",
    "Card payments may fail intermittently (5xx from the payment gateway).",
    "Emails are delayed by up to 30 minutes.",
    "The dashboard is not loading for customers in Europe.",
    "Uploads over 10 MB time out; replica lag on the files DB.",
    "You may see errors when saving invoices.",
    "Degraded performance",
    "500 users affected",
    "",
    "   ",
]


@pytest.mark.parametrize(("text", "term"), ENGINEERING_ONLY)
def test_engineering_only_impact_warns(text: str, term: str) -> None:
    findings = check_customer_context(text)
    assert len(findings) == 1
    f = findings[0]
    assert f.rule == "customer-context"
    assert f.severity == "warn"
    assert text[f.start : f.end] == f.text == term
    assert f.message and f.suggestion


@pytest.mark.parametrize("text", PLAIN_OR_MIXED)
def test_plain_impact_passes(text: str) -> None:
    assert check_customer_context(text) == []


def test_finding_serialises() -> None:
    (f,) = check_customer_context("Elevated 5xx on api-gw, p99 > 4s")
    assert f.to_dict() == {
        "rule": "customer-context",
        "severity": "warn",
        "start": 9,
        "end": 12,
        "text": "5xx",
        "message": f.message,
        "suggestion": f.suggestion,
    }


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_only_warns_and_spans_in_range(text: str) -> None:
    for f in check_customer_context(text):
        assert f.severity == "warn"
        assert 0 <= f.start < f.end <= len(text)
        assert text[f.start : f.end] == f.text
