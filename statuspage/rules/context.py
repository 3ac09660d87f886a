"""The customer-context check: an impact statement must say what customers see.

"Elevated 5xx on api-gw, p99 > 4s" is true and useless to a customer deciding
whether to retry a payment. When the current-impact text uses engineering terms
and never says, in plain words, what people cannot do or what is slow, we warn.
It is only ever a warning: engineers' details are welcome next to the plain
statement, just not instead of it.
"""

from __future__ import annotations

import re

from .findings import Finding

RULE = "customer-context"

# Both patterns are lower case and run over a lower-cased copy (same length, so
# offsets hold): IGNORECASE is several times slower on long alternations.

# Terms a customer would not use to describe what they see.
_ENGINEERING = re.compile(
    r"\b(?:[45]xxs?|[45]\d\ds|"
    r"(?:http\s+)?[45]\d\d"
    r"(?=\s*(?:/\s*[45]\d\d\s*)*(?:errors?|responses?|status|codes?|"
    r"rates?|spikes?|on\b|from\b|s\b|,|$))|"
    r"p\d{2,3}(?:\.\d+)?|latenc(?:y|ies)|pods?|nodes?|"
    r"(?:replica|replication|consumer|queue)\s+lag|replicas?|replication|lag|"
    r"oom(?:[\s-]?kill(?:ed|s)?)?|"
    r"out\s+of\s+memory|k8s|kubernetes|cpu|heap|gc|garbage\s+collection|shards?|"
    r"partitions?|queue\s+depth|backlog\s+depth|tls(?:\s+handshakes?)?|handshakes?|"
    r"dns(?:\s+resolution)?|rds|ec2|s3|redis|postgres(?:ql)?|mysql|kafka|"
    r"elasticsearch|rabbitmq|api[\s-]?gw|gateway|ingress|egress|load\s+balancers?|"
    r"lbs?|upstream|rps|qps|iops|throughput|error\s+rates?|slos?|apdex|"
    r"connection\s+pools?|thread\s+pools?|db|clusters?|containers?|"
    r"crashloop\w*|segfaults?|deadlocks?|memory\s+leaks?|saturation|"
    r"cache\s+(?:hit|miss)\w*|health\s+checks?|failover|"
    r"[a-z][a-z0-9]*(?:-[a-z0-9]+)*-(?:gw|svc|api|db|prod|worker|node|lb)\d*)\b"
    r"|[<>]=?\s*\d+(?:\.\d+)?\s*(?:ms|s)\b|\b\d+(?:\.\d+)?\s*ms\b"
)

# Plain statements of what people experience.
_PLAIN = re.compile(
    # "checkout-svc" is a service name, not the checkout customers use.
    r"(?<![\w-])(?:cannot|can't|can’t|can\s+not|unable|not\s+able|"
    r"slow(?:er|ly|ness|s)?|"
    r"fail(?:s|ed|ing)?\b(?!\s+(?:over|health|probes?|liveness|readiness))|"
    r"errors?\s+(?:when|while|on\s+(?:sign|log|check|pay|load|upload|open|sav)|"
    r"trying|during|for\s+(?:some|all|many)\s+(?:users|customers))|"
    r"delay(?:s|ed)?|unavailable|not\s+(?:available|loading|working|responding|"
    r"load|work|open)|sign(?:ing)?[\s-]?(?:in|up)|log(?:ging)?[\s-]?in|logins?|"
    r"check(?:ing)?[\s-]?out|checkouts?|pay(?:s|ing|ments?)?|purchases?|"
    r"(?<!high\s)(?<!heavy\s)(?<!cpu\s)(?<!system\s)(?<!under\s)"
    r"load(?:s|ing)?\b(?!\s+(?:balanc\w*|average|shedding))|"
    r"uploads?|uploading|downloads?|downloading|users?|customers?|you|your|people|"
    r"visitors?|members?|merchants?|accounts?|emails?|notifications?|messages?|"
    r"dashboards?|pages?|site|website|app|mobile|access|see|seeing|"
    r"experienc\w+|affected|impact\w*|intermittent\w*|time\s+out|timing\s+out|"
    r"missing|duplicate\w*|lost|search\s+results|reports?|exports?|invoices?|"
    r"receiv\w+|deliver\w*)(?![\w-])"
)

_MESSAGE = (
    "This impact is written only in engineering terms. Say in plain words what "
    "customers see or cannot do; keep the technical detail after it if it helps."
)
_SUGGESTION = (
    "Some customers cannot load the dashboard and API requests may fail or be slow."
)


def check_customer_context(text: str) -> list[Finding]:
    """Warn when a current-impact text names no customer-visible effect."""
    if not text or not text.strip():
        return []
    low = text.lower()
    if len(low) != len(text):
        low = "".join(ch if len(ch.lower()) != 1 else ch.lower() for ch in text)
    first = _ENGINEERING.search(low)
    if first is None or _PLAIN.search(low):
        return []
    start, end = first.span()
    return [
        Finding(
            rule=RULE,
            severity="warn",
            start=start,
            end=end,
            text=text[start:end],
            message=_MESSAGE,
            suggestion=_SUGGESTION,
        )
    ]
