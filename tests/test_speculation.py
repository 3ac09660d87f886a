"""The speculation guard: guesses about a cause never reach customers.

Three layers of evidence:

* the shared development set (every line must come out right);
* our own labelled set of realistic status-page texts, written to probe the
  grammar rather than the dev phrases (hedges about impact, self-referential
  causes, negation, questions, quotes, instructions, suppliers...);
* semantics (statuses, `cause_confirmed`, spans) and property tests.
"""

from __future__ import annotations

import ast
import json
import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from statuspage.rules.findings import Finding
from statuspage.rules.speculation import _GATES, STATUSES, check_speculation

# The shared development set lives beside the repository (../shared); a copy
# in tests/fixtures keeps a lone clone testable. The shared one wins when present.
_SHARED_DEV_SET = Path(__file__).resolve().parents[2] / "shared/speculation/dev.jsonl"
_COPY_DEV_SET = Path(__file__).resolve().parent / "fixtures/speculation_dev.jsonl"
DEV_SET = _SHARED_DEV_SET if _SHARED_DEV_SET.is_file() else _COPY_DEV_SET

INV, IDE, MON, RES, PM = STATUSES
EARLY = (INV, IDE, MON)
FINAL = (RES, PM)
SPEC, CLEAN, CONF = "speculative", "clean", "confirmed_cause"
# Words of every gated pattern, to build texts that exercise the gates.
_GATE_WORDS = {
    w
    for pattern in _GATES
    for w in re.findall(r"[a-zäöüéèêàçûß'&]{2,}", pattern.pattern)
} | {"the", "a", "our", "we", "is", "to", "be", "not", "s", "ing", "ed", "es"}
RULES = {
    "hedged-cause",
    "unconfirmed-cause",
    "third-party-blame",
    "implied-cause",
}


def blocked(findings: list[Finding]) -> bool:
    """True when any finding would stop publication."""
    return any(f.severity == "block" for f in findings)


def judge(text: str, phase: str, label: str) -> list[Finding]:
    """Evaluate one labelled text the way the data sets are scored."""
    return check_speculation(text, status=phase, cause_confirmed=label == CONF)


# --- the development set ----------------------------------------------------------


def _dev_rows() -> list[object]:
    if not DEV_SET.is_file():
        # Collected as a failing test, never silently skipped.
        return [pytest.param(None, id="dev-set-missing")]
    rows = [
        json.loads(line) for line in DEV_SET.read_text("utf-8").splitlines() if line
    ]
    return [pytest.param(row, id=row["id"]) for row in rows]


@pytest.mark.parametrize("row", _dev_rows())
def test_dev_set(row: dict[str, str] | None) -> None:
    if row is None:
        pytest.fail(
            f"The speculation development set is missing: expected {DEV_SET} "
            "(the shared folder next to the repository)."
        )
    findings = judge(row["text"], row["phase"], row["label"])
    assert blocked(findings) == (row["label"] == SPEC), [
        (f.rule, f.text) for f in findings
    ]


# --- our own labelled set ------------------------------------------------------------

# Realistic update texts. Labels follow the issue: hedged causes block always,
# unconfirmed supplier blame blocks unless confirmed, a plain stated cause blocks
# before resolution unless confirmed; impact hedges, self-referential causes,
# denials, questions, quotes and instructions pass.
OWN_CASES = [
    (INV, SPEC, "We believe the issue is related to a recent configuration change."),
    (IDE, SPEC, "This appears to be caused by a problem with our upstream provider."),
    (IDE, SPEC, "We have identified a potential cause and are working on a fix."),
    (INV, SPEC, "We think we've found the problem and are testing a fix."),
    (
        IDE,
        SPEC,
        "We have identified what we believe to be the cause of the elevated "
        "error rates.",
    ),
    (
        IDE,
        SPEC,
        "A possible cause has been identified and our engineers are validating it.",
    ),
    (INV, SPEC, "We are looking into a potential issue with our payment provider."),
    (
        INV,
        SPEC,
        "The elevated latency seems to be coming from one of our database clusters.",
    ),
    (
        INV,
        SPEC,
        "It looks like a DNS problem is preventing some customers from reaching"
        " the dashboard.",
    ),
    (MON, SPEC, "We suspect the slowdown was due to a misbehaving cache node."),
    (
        INV,
        SPEC,
        "Our initial investigation indicates a misconfiguration in our load balancer.",
    ),
    (
        RES,
        SPEC,
        "This incident has been resolved. We believe it was caused by a faulty "
        "network switch.",
    ),
    (
        PM,
        SPEC,
        "The outage was most likely triggered by a race condition in the scheduler.",
    ),
    (INV, SPEC, "Errors may be related to an ongoing incident at Cloudflare."),
    (INV, SPEC, "This may be the result of a malicious traffic spike."),
    (INV, SPEC, "The problem might be with our DNS provider."),
    (INV, SPEC, "We have reason to suspect a bad deployment."),
    (
        IDE,
        SPEC,
        "The root cause appears to be a memory leak introduced in yesterday's release.",
    ),
    (
        INV,
        SPEC,
        "We're fairly sure this is connected to the certificate rotation "
        "earlier today.",
    ),
    (
        INV,
        SPEC,
        "It's possible that the database failover caused some writes to be lost.",
    ),
    (INV, SPEC, "Early indications are that a third-party dependency is failing."),
    (
        INV,
        SPEC,
        "We are checking whether the new release is responsible for the login errors.",
    ),
    (
        MON,
        SPEC,
        "The fix is in place. We still think the root cause was an overloaded "
        "queue worker.",
    ),
    (INV, SPEC, "Presumably the scheduled job overloaded the primary database."),
    (
        INV,
        SPEC,
        "Our hypothesis is that a cache stampede is overwhelming the API servers.",
    ),
    (INV, SPEC, "The symptoms point to a failing disk on one of our storage nodes."),
    (
        INV,
        SPEC,
        "Logs suggest that a recent deploy introduced a regression in the "
        "billing service.",
    ),
    (INV, SPEC, "We don't know for sure yet, but this might be a networking issue."),
    (
        INV,
        SPEC,
        "Could be related to the maintenance our provider performed last night;"
        " we are checking.",
    ),
    (
        INV,
        SPEC,
        "We are investigating what appears to be a network issue between our "
        "data centers.",
    ),
    (
        RES,
        SPEC,
        "Service has recovered. We suspect a transient network fault, but we "
        "are still reviewing.",
    ),
    (IDE, SPEC, "We believe we have identified the issue and are working on a fix."),
    (
        INV,
        SPEC,
        "This could potentially be caused by the recent infrastructure upgrade.",
    ),
    (INV, SPEC, "We are investigating a suspected outage at our SMS carrier."),
    (
        MON,
        SPEC,
        "Things are stable now; the earlier errors were probably caused by a "
        "brief network blip.",
    ),
    (
        INV,
        SPEC,
        "We're investigating an issue that appears to be related to one of our "
        "third-party vendors.",
    ),
    (INV, SPEC, "The problem seems to be on our payment processor's side."),
    (INV, SPEC, "We're leaning toward a storage issue as the source of the slowdown."),
    (
        IDE,
        SPEC,
        "We've tracked the issue down to what looks like a bug in our rate limiter.",
    ),
    (INV, SPEC, "Perhaps the spike in signups is overwhelming our email workers."),
    (
        MON,
        SPEC,
        "We believe an upstream ISP was dropping traffic, and we have rerouted "
        "around it.",
    ),
    (
        INV,
        SPEC,
        "The slowdown is potentially linked to high CPU usage on our search cluster.",
    ),
    (
        INV,
        SPEC,
        "It seems our cloud provider is having network problems in the eu-"
        "west-1 region.",
    ),
    (INV, SPEC, "We believe this is caused by an issue at our upstream provider."),
    (
        INV,
        SPEC,
        "We are seeing increased error rates, possibly caused by a spike in traffic.",
    ),
    (INV, SPEC, "This may be due to a network issue in one of our regions."),
    (INV, SPEC, "Early investigation points to a failed deployment."),
    (
        IDE,
        SPEC,
        "Our team has identified the probable root cause and is preparing a fix.",
    ),
    (INV, SPEC, "The issue seems to be caused by a bug in our latest release."),
    (INV, SPEC, "It looks like there is a problem with our upstream provider."),
    (
        INV,
        SPEC,
        "We suspect this is due to a large number of requests from a single customer.",
    ),
    (
        IDE,
        SPEC,
        "The most likely explanation is a corrupted index on the search cluster.",
    ),
    (INV, SPEC, "We have not ruled out a hardware failure."),
    (INV, SPEC, "We cannot rule out an attack at this stage."),
    (INV, SPEC, "Our current theory is that the certificate renewal failed silently."),
    (INV, SPEC, "This looks to be a capacity problem on the reporting database."),
    (
        INV,
        SPEC,
        "The outage could have been triggered by the network change at 14:00 UTC.",
    ),
    (
        INV,
        SPEC,
        "Users in Asia may be affected, likely because of a routing issue at our CDN.",
    ),
    (
        INV,
        SPEC,
        "We are exploring whether the outage is tied to last night's schema migration.",
    ),
    (
        INV,
        SPEC,
        "Apparently a misconfigured firewall rule is blocking webhook deliveries.",
    ),
    (
        INV,
        SPEC,
        "**Update:** we believe a bad cache entry is behind the stale dashboards.",
    ),
    (
        INV,
        SPEC,
        "Wir gehen davon aus, dass die Störung auf einen Fehler bei unserem "
        "Anbieter zurückzuführen ist.",
    ),
    (INV, SPEC, "Le problème semble lié à une mise à jour de notre fournisseur."),
    (INV, SPEC, "Les erreurs sont probablement dues à une surcharge de nos serveurs."),
    (INV, SPEC, "Die Ursache liegt wahrscheinlich an einem fehlerhaften Update."),
    (INV, SPEC, "Il se peut que la panne soit causée par une erreur de configuration."),
    (
        INV,
        SPEC,
        "We are seeing degraded performance due to an issue with our hosting provider.",
    ),
    (
        INV,
        SPEC,
        "AWS is currently experiencing an outage in us-east-1, which is "
        "affecting our API.",
    ),
    (
        IDE,
        SPEC,
        "Our email delivery vendor is having issues, so notifications are delayed.",
    ),
    (INV, SPEC, "We are mitigating a DDoS attack against our login service."),
    (IDE, SPEC, "The outage was caused by a fiber cut at our ISP."),
    (
        INV,
        SPEC,
        "Latency is elevated because our CDN is dropping connections in Europe.",
    ),
    (INV, SPEC, "The issue was caused by an expired certificate."),
    (MON, SPEC, "Root cause: a bad feature flag rollout. We are monitoring."),
    (
        IDE,
        SPEC,
        "We have identified the cause as a misconfigured firewall rule and are "
        "reverting it.",
    ),
    (INV, SPEC, "Our data center provider is reporting a power outage."),
    (RES, SPEC, "This incident was caused by an outage at our payment processor."),
    (IDE, SPEC, "The slowdown is due to a runaway query on the primary database."),
    (MON, SPEC, "Errors were caused by a bad deploy, which has been rolled back."),
    (INV, SPEC, "Stripe is experiencing an outage, so card payments are failing."),
    (IDE, SPEC, "The issue has been traced to a faulty configuration change."),
    (
        RES,
        SPEC,
        "Resolved. The outage was the result of a DDoS attack on our edge network.",
    ),
    (INV, CLEAN, "We are currently investigating this issue."),
    (MON, CLEAN, "A fix has been implemented and we are monitoring the results."),
    (RES, CLEAN, "This incident has been resolved."),
    (IDE, CLEAN, "The issue has been identified and a fix is being implemented."),
    (
        INV,
        CLEAN,
        "We're experiencing an elevated level of API errors and are currently "
        "looking into the issue.",
    ),
    (
        INV,
        CLEAN,
        "We are investigating reports of degraded performance for some customers.",
    ),
    (
        INV,
        CLEAN,
        "We may need to restart the service, which will cause a brief interruption.",
    ),
    (INV, CLEAN, "Some requests may fail due to this outage."),
    (INV, CLEAN, "We are still investigating the root cause."),
    (INV, CLEAN, "The cause is not yet known. We will share more as soon as possible."),
    (IDE, CLEAN, "We have identified the root cause and are deploying a fix."),
    (
        INV,
        CLEAN,
        "This is not related to a security issue, and no customer data is at risk.",
    ),
    (INV, CLEAN, "There is no evidence that customer data was affected."),
    (INV, CLEAN, "Is this related to yesterday's release? We don't know yet."),
    (
        INV,
        CLEAN,
        'Customers told us "the app seems broken because of the update" and we '
        "are looking into it.",
    ),
    (INV, CLEAN, "Please don't retry because duplicates may be created."),
    (MON, CLEAN, "Performance has improved since we added capacity."),
    (INV, CLEAN, "The issue appears to be limited to EU customers."),
    (INV, CLEAN, "We are working with our provider to restore service."),
    (
        INV,
        CLEAN,
        "Due to scheduled maintenance, the reporting API will be unavailable "
        "from 02:00 to 03:00 UTC.",
    ),
    (INV, CLEAN, "Because of the ongoing incident, please avoid running bulk imports."),
    (
        IDE,
        CLEAN,
        "We have identified the issue affecting logins and are working on a fix.",
    ),
    (MON, CLEAN, "We believe the issue is now resolved and are monitoring closely."),
    (MON, CLEAN, "It appears the fix has worked; error rates are back to normal."),
    (
        INV,
        CLEAN,
        "Users may see intermittent errors while we work to resolve the issue.",
    ),
    (
        INV,
        CLEAN,
        "We are investigating a potential issue with the dashboard not loading "
        "for some users.",
    ),
    (
        INV,
        CLEAN,
        "We are continuing to investigate this issue and will provide an update"
        " within 30 minutes.",
    ),
    (IDE, CLEAN, "A fix is being rolled out and should be live within the hour."),
    (INV, CLEAN, "Some customers might experience delays when exporting reports."),
    (
        MON,
        CLEAN,
        "We have deployed what we believe to be a fix and are watching error rates.",
    ),
    (
        INV,
        CLEAN,
        "We're aware of reports that checkout is slow and are looking into it "
        "as a priority.",
    ),
    (INV, CLEAN, "You might need to sign in again once the service recovers."),
    (INV, CLEAN, "We do not believe this is related to the earlier maintenance."),
    (INV, CLEAN, "We have ruled out a security incident and continue to investigate."),
    (
        RES,
        CLEAN,
        "The issue has been resolved. We will publish a root cause analysis "
        "within five business days.",
    ),
    (INV, CLEAN, "Emails are queued and may arrive late due to the backlog."),
    (INV, CLEAN, "Recovery will likely take another 20 minutes."),
    (IDE, CLEAN, "We have identified the problem and expect a fix within the hour."),
    (INV, CLEAN, "We are working to identify the source of the errors."),
    (INV, CLEAN, "Our engineers are looking into what caused the disruption."),
    (
        MON,
        CLEAN,
        "Our provider has confirmed that their systems are fully operational again.",
    ),
    (
        INV,
        CLEAN,
        "We are in contact with our cloud provider and will share updates as we"
        " learn more.",
    ),
    (INV, CLEAN, "Wir untersuchen derzeit Fehler beim Login."),
    (INV, CLEAN, "Certains utilisateurs pourraient rencontrer des lenteurs."),
    (
        INV,
        CLEAN,
        "Einige Zahlungen könnten fehlschlagen. Wir arbeiten an einer Lösung.",
    ),
    (INV, CLEAN, "We suggest retrying failed uploads in a few minutes."),
    (INV, CLEAN, "Existing sessions are not affected; new logins may fail."),
    (
        MON,
        CLEAN,
        "As a result of the rollback, settings changed in the last hour may "
        "need to be reapplied.",
    ),
    (INV, CLEAN, "We expect a delay of up to one hour in processing payouts."),
    (
        INV,
        CLEAN,
        "We're seeing what appears to be a spike in error rates for mobile users.",
    ),
    (RES, CLEAN, "All systems are operating normally. Thank you for your patience."),
    (
        INV,
        CLEAN,
        "The issue has been escalated to our database team, who are investigating.",
    ),
    (INV, CLEAN, "We are investigating whether any customer data was affected."),
    (
        INV,
        CLEAN,
        "It is unclear how long recovery will take, but we will update you "
        "every 30 minutes.",
    ),
    (INV, CLEAN, "The outage is causing delays for card payments in the UK."),
    (IDE, CLEAN, "This issue is related to login only; other features work normally."),
    (
        MON,
        CLEAN,
        "Traffic is flowing normally again after failover to our secondary region.",
    ),
    (INV, CLEAN, "Payment confirmations may take longer than usual to arrive."),
    (IDE, CLEAN, "We know what is causing the errors and are rolling out a fix now."),
    (
        INV,
        CLEAN,
        "If your payment fails, please wait a few minutes before trying again.",
    ),
    (
        INV,
        CLEAN,
        "We are seeing elevated error rates and are investigating possible causes.",
    ),
    (IDE, CLEAN, "The cause has been identified and a fix is being deployed."),
    (
        INV,
        CLEAN,
        "Due to the high volume of support requests, response times may be "
        "longer than usual.",
    ),
    (
        INV,
        CLEAN,
        "We are aware of an issue impacting a subset of customers and are "
        "actively investigating.",
    ),
    (
        IDE,
        CLEAN,
        "The issue has been isolated to a single region and we are failing over"
        " traffic.",
    ),
    (INV, CLEAN, "Initial reports indicate that only the mobile app is affected."),
    (
        MON,
        CLEAN,
        "The backlog should be fully processed within two hours; you do not "
        "need to take any action.",
    ),
    (INV, CLEAN, "We are investigating issues related to email delivery."),
    (INV, CLEAN, "Some users may be unable to access the database console."),
    (MON, CLEAN, "We believe all affected customers have now been notified."),
    (
        INV,
        CLEAN,
        "Our next update will be at 15:30 UTC, or sooner if the situation changes.",
    ),
    (
        INV,
        CLEAN,
        "We've escalated this to our hosting provider and are working with them"
        " on a resolution.",
    ),
    (INV, CLEAN, "Sign in with Google is currently unavailable for some users."),
    (INV, CLEAN, "Exports may be delayed due to this incident; no data has been lost."),
    (
        MON,
        CLEAN,
        "It looks like error rates have returned to normal, but we will keep "
        "monitoring.",
    ),
    (
        IDE,
        CLEAN,
        "We have identified the issue and believe the fix will be ready within "
        "an hour.",
    ),
    (
        INV,
        CLEAN,
        "Nous enquêtons sur des lenteurs et publierons une mise à jour sous 30 "
        "minutes.",
    ),
    (INV, CLEAN, "Card payments may be declined for a small number of customers."),
    (INV, CLEAN, "Please retry later, as the service is currently under heavy load."),
    (
        RES,
        CLEAN,
        "This incident is resolved. We apologise for the disruption and will "
        "share a full write-up.",
    ),
    (
        INV,
        CLEAN,
        "We are investigating and will update when we know more about the cause.",
    ),
    (
        RES,
        CONF,
        "The root cause was a misconfigured DNS record, which has been corrected.",
    ),
    (
        IDE,
        CONF,
        "The outage was caused by an expired certificate on our API gateway. We"
        " are renewing it now.",
    ),
    (
        PM,
        CONF,
        "A database migration locked the orders table, causing checkout "
        "requests to time out.",
    ),
    (MON, CONF, "The errors were caused by a bad deploy, which we have rolled back."),
    (
        IDE,
        CONF,
        "Our cloud provider has confirmed a hardware failure in one of their "
        "data centers.",
    ),
    (
        RES,
        CONF,
        "This incident was caused by a DDoS attack against our edge network, "
        "which has been mitigated.",
    ),
    (
        INV,
        CONF,
        "We have confirmed that a failed network switch is causing packet loss.",
    ),
    (
        IDE,
        CONF,
        "We have traced the issue to a faulty configuration change and are "
        "reverting it.",
    ),
    (
        PM,
        CONF,
        "Root cause: connection pool exhaustion on the primary database after a"
        " traffic spike.",
    ),
    (
        RES,
        CONF,
        "Resolved. The slowdown was due to a runaway query, which we have terminated.",
    ),
    (
        MON,
        CONF,
        "An upstream ISP outage caused the connectivity problems; traffic has "
        "been rerouted.",
    ),
    (
        IDE,
        CONF,
        "The issue is due to a bug in the latest iOS release. A fix has been "
        "submitted to the App Store.",
    ),
    (
        PM,
        CONF,
        "The trigger was an automated cleanup job that deleted active sessions.",
    ),
    (
        RES,
        CONF,
        "The cause of the outage was a power failure at our colocation facility.",
    ),
    (
        MON,
        CONF,
        "The disruption was caused by a faulty router at our data center "
        "provider, which has replaced it.",
    ),
]

# Harder negatives and paraphrases found while probing the grammar.
OWN_CASES += [
    (
        INV,
        CLEAN,
        "We are investigating reports of degraded performance for Git Operations.",
    ),
    (
        INV,
        CLEAN,
        "We are currently experiencing issues with Slack notifications. Our "
        "team is looking into it.",
    ),
    (
        INV,
        CLEAN,
        "Customers may experience delays in receiving SMS messages to certain "
        "carriers in India.",
    ),
    (
        MON,
        CLEAN,
        "Our upstream provider has informed us that the issue has been resolved.",
    ),
    (
        INV,
        CLEAN,
        "Some customers may be experiencing issues logging in. We are investigating.",
    ),
    (INV, CLEAN, "We're investigating reports of intermittent 502 errors on the API."),
    (
        IDE,
        CLEAN,
        "The issue has been identified and we are working on a fix. Some users "
        "may experience slow loading times.",
    ),
    (IDE, CLEAN, "We are rolling back a recent deployment."),
    (
        INV,
        CLEAN,
        "We are investigating an issue with our API that is causing requests to fail.",
    ),
    (
        INV,
        CLEAN,
        "We are aware of an issue causing some customers to be unable to log in.",
    ),
    (INV, CLEAN, "We are investigating increased latency in the us-east-1 region."),
    (
        INV,
        CLEAN,
        "We are investigating connectivity issues affecting customers on Azure.",
    ),
    (
        INV,
        CLEAN,
        "We're investigating an issue with GitHub Actions integrations not triggering.",
    ),
    (
        INV,
        CLEAN,
        "A small percentage of requests to the API may be returning 500 errors.",
    ),
    (INV, CLEAN, "We believe this has impacted a small number of customers."),
    (INV, CLEAN, "We believe the impact was limited to customers in the EU."),
    (MON, CLEAN, "We think most customers should now see normal performance."),
    (IDE, CLEAN, "Our engineers think a fix will be ready within the hour."),
    (INV, CLEAN, "We are currently looking into the cause of the outage."),
    (
        IDE,
        CLEAN,
        "We have identified the cause of the delays and are implementing a fix.",
    ),
    (
        IDE,
        CLEAN,
        "The team has identified the underlying cause and is working on a "
        "permanent fix.",
    ),
    (
        MON,
        CLEAN,
        "We have implemented a mitigation and are continuing to investigate the"
        " underlying cause.",
    ),
    (MON, CLEAN, "We believe we have mitigated the impact and are monitoring."),
    (IDE, CLEAN, "We've identified a likely fix and are testing it now."),
    (MON, CLEAN, "It looks like the fix is working."),
    (MON, CLEAN, "Things look to be back to normal."),
    (INV, CLEAN, "The issue seems to be intermittent."),
    (INV, CLEAN, "This issue appears to only affect customers using Safari."),
    (INV, CLEAN, "We suspect only a small number of customers are affected."),
    (
        INV,
        CLEAN,
        "We're aware of an issue preventing some users from logging in and are "
        "investigating.",
    ),
    (
        INV,
        CLEAN,
        "Due to the nature of this incident, we are unable to provide an ETA.",
    ),
    (
        INV,
        CLEAN,
        "Because this is a security-related issue, we will share details once "
        "it is resolved.",
    ),
    (INV, CLEAN, "We are performing emergency maintenance to address the issue."),
    (INV, CLEAN, "We can't rule out further disruption over the next hour."),
    (IDE, CLEAN, "A fix for the DNS issue will likely be deployed within the hour."),
    (
        INV,
        CLEAN,
        "It is possible that some changes made during the outage were not saved.",
    ),
    (INV, CLEAN, "Behaviour is consistent with what customers reported earlier."),
    (INV, CLEAN, "Customers using Sign in with Apple may be unable to log in."),
    (
        INV,
        CLEAN,
        "We're seeing elevated error rates for checkout and are investigating.",
    ),
    (MON, CLEAN, "Error rates have returned to normal levels after the rollback."),
    (
        INV,
        CLEAN,
        "Our support team may take longer than usual to respond because of the "
        "high volume of requests.",
    ),
    (
        INV,
        CLEAN,
        "Webhooks may be delayed. They will be delivered once the queue drains.",
    ),
    (
        INV,
        CLEAN,
        "We are seeing recovery but are continuing to monitor. Updates to follow.",
    ),
    (INV, CLEAN, "The mobile app may show an error that appears when you try to pay."),
    (INV, CLEAN, "Possibly affected services: Checkout, Dashboard."),
    (
        IDE,
        CLEAN,
        "We have isolated the problem to a subset of accounts and are applying a fix.",
    ),
    (INV, CLEAN, "We may have more information in the next update."),
    (INV, CLEAN, "We are continuing to work with our payment provider on this issue."),
    (
        MON,
        CLEAN,
        "Our cloud provider has resolved the underlying issue and services are "
        "recovering.",
    ),
    (
        INV,
        CLEAN,
        "Users may notice that dashboards load slowly because reports are being"
        " regenerated.",
    ),
    (
        INV,
        SPEC,
        "Our engineers are investigating a possible connection to an earlier "
        "maintenance.",
    ),
    (
        IDE,
        SPEC,
        "We have identified a possible issue with one of our database servers.",
    ),
    (INV, SPEC, "The issue is likely on our end and we are working on it."),
    (
        INV,
        SPEC,
        "The issue is believed to be caused by a recent infrastructure change.",
    ),
    (INV, SPEC, "This is thought to be related to a DNS change we made earlier today."),
    (IDE, SPEC, "We're working on a fix for what appears to be a database issue."),
    (
        INV,
        SPEC,
        "Preliminary findings indicate that a certificate expired on one of our"
        " load balancers.",
    ),
    (
        INV,
        SPEC,
        "Some customers may be unable to log in because of an issue with our "
        "SSO provider.",
    ),
    (
        INV,
        SPEC,
        "We are currently experiencing an outage due to issues with our "
        "upstream internet provider.",
    ),
    (INV, SPEC, "Our SMS provider is currently experiencing delays."),
    (INV, SPEC, "We are seeing delays in SMS delivery caused by a carrier issue."),
    (
        INV,
        SPEC,
        "The errors are consistent with a network partition between our regions.",
    ),
    (INV, SPEC, "We suspect a bug is preventing customers from logging in."),
    (INV, SPEC, "We have a promising lead on the cause and will update shortly."),
    (INV, SPEC, "We are likely dealing with a DNS issue."),
    (INV, SPEC, "It's probably a problem with the new load balancer configuration."),
    (
        INV,
        SPEC,
        "At this point, the most likely culprit is last night's database upgrade.",
    ),
    (IDE, SPEC, "This seems to stem from an issue in our authentication service."),
    (INV, SPEC, "We think the recent release broke image uploads."),
    (INV, SPEC, "An upstream provider outage may be causing these failures."),
]

# Later batches, including real published updates (GitHub, Quay.io) relabelled
# by hand, written before the rules they exercised were tuned.
OWN_CASES += [
    (
        INV,
        CLEAN,
        "Actions is experiencing degraded performance. We are continuing to "
        "investigate.",
    ),
    (IDE, CLEAN, "We have identified the root cause and have deployed a fix."),
    (
        INV,
        CLEAN,
        "Some users may be having trouble loading messages. We're looking into it.",
    ),
    (
        MON,
        CLEAN,
        "We've rolled out a fix and users should no longer have trouble loading"
        " messages.",
    ),
    (
        INV,
        CLEAN,
        "We're still investigating the cause of the connection issues, and will"
        " update within the hour.",
    ),
    (
        IDE,
        SPEC,
        "We believe we've identified the source of the problem, and are working"
        " on a fix.",
    ),
    (
        INV,
        SPEC,
        "Our infrastructure provider is experiencing network connectivity "
        "issues in the US region, which may impact apps.",
    ),
    (
        INV,
        SPEC,
        "We are seeing increased error rates on git pushes due to an upstream "
        "issue with GitHub.",
    ),
    (INV, SPEC, "Delivery delays are caused by a carrier issue."),
    (
        INV,
        SPEC,
        "We are experiencing an issue with our cloud provider, Amazon Web Services.",
    ),
    (INV, SPEC, "Due to an ongoing AWS outage, some services may be unavailable."),
    (INV, SPEC, "We believe the issue lies with a third-party service."),
    (INV, SPEC, "We suspect the root of the problem is a faulty network card."),
    (INV, SPEC, "We are investigating a possible DNS issue."),
    (INV, SPEC, "It appears that one of our servers went down."),
    (INV, SPEC, "We think one of our database nodes ran out of disk space."),
    (INV, SPEC, "The issue could be network-related."),
    (INV, SPEC, "This may have something to do with our recent deploy."),
    (INV, SPEC, "We're fairly certain the problem is in our caching layer."),
    (INV, SPEC, "We are seeing what we believe is a DDoS attack."),
    (INV, SPEC, "The issue is probably on the provider's end."),
    (INV, SPEC, "Evidence points to an expired SSL certificate."),
    (INV, SPEC, "We're not yet sure, but it looks like a bad config push."),
    (
        INV,
        SPEC,
        "We are still investigating, but we have a suspicion that a caching "
        "change is involved.",
    ),
    (INV, SPEC, "Our best guess is a network problem."),
    (INV, SPEC, "The cause is unclear but may involve our CDN."),
    (INV, SPEC, "There are indications that the database is overloaded."),
    (INV, SPEC, "The symptoms match a known bug in our load balancer software."),
    (
        INV,
        SPEC,
        "Aufgrund einer Störung bei unserem Zahlungsanbieter schlagen Zahlungen fehl.",
    ),
    (INV, CLEAN, "We're working with our third-party vendor to restore full service."),
    (MON, CLEAN, "Our third-party email vendor has confirmed delivery has resumed."),
    (INV, CLEAN, "Some users on older versions of the app may experience crashes."),
    (INV, CLEAN, "Due to a backlog, emails may be delayed."),
    (
        IDE,
        CLEAN,
        "We've identified an issue with a recent deploy and are rolling it back.",
    ),
    (
        IDE,
        CLEAN,
        "The fix is taking longer than expected due to the size of the database.",
    ),
    (INV, CLEAN, "We are investigating an issue involving payment processing."),
    (INV, CLEAN, "This has nothing to do with the maintenance announced last week."),
    (
        INV,
        CLEAN,
        "Your password must match the one on file; this is unrelated to the incident.",
    ),
    (
        MON,
        CLEAN,
        "Recovery is slower than expected because of the volume of queued jobs.",
    ),
    (
        INV,
        CLEAN,
        "We are investigating reports that some customers cannot reach the API "
        "from Azure-hosted apps.",
    ),
    (
        INV,
        CLEAN,
        "Customers may notice missing data in reports until the backfill completes.",
    ),
    (
        RES,
        CONF,
        "The outage was caused by an expired TLS certificate on our load balancer.",
    ),
    (
        RES,
        CONF,
        "Between 09:10 and 09:55 UTC an upstream provider outage prevented SMS "
        "delivery. It has been resolved.",
    ),
    (
        MON,
        CONF,
        "Our hosting provider has confirmed a power failure in one data center;"
        " traffic has been moved.",
    ),
    (
        INV,
        CLEAN,
        "We have taken suspected hosts out of rotation and have not seen any "
        "impact in the last 20 minutes.  We are continuing to monitor to ensure"
        " the problem is resolved and are investigating the cause.",
    ),
    (
        INV,
        CLEAN,
        "We are no longer seeing dropped Git SSH connections and believe we "
        "have mitigated the incident.  We are continuing to monitor and "
        "investigate to prevent reoccurrence.",
    ),
    (
        INV,
        CLEAN,
        "We are investigating failed connections for Git SSH.  Customers may be"
        " experiencing failed SSH connections both in CI and interactively.  "
        "Retrying the connection may be successful.  Git HTTP connections "
        "appear to be unaffected.",
    ),
    (
        INV,
        CLEAN,
        "The team is investigating issues with some Actions jobs being queued "
        "for a long time and a percentage of jobs failing. A mitigation has "
        "been applied and jobs are starting to recover.",
    ),
    (
        IDE,
        CLEAN,
        "We are continuing to receive reports of builds which are stuck due to "
        "an earlier outage. We will update this status when the problem has "
        "been resolved.",
    ),
    (
        INV,
        SPEC,
        "We are currently unable to schedule new builds due to the EC2 outage. "
        "For more information please refer to the AWS status page: "
        "http://status.aws.amazon.com/",
    ),
    (
        MON,
        CLEAN,
        "We've pushed a fix that appears to have solved the problem. We'll "
        "continue monitoring for the next few hours. Please report any further "
        "issues and we apologize for the inconvenience.",
    ),
    (
        INV,
        CLEAN,
        "We are investigating reports that pulls through our v2 registry "
        "gateway are returning stale images. We do not believe that any data "
        "loss has occurred, and will update this incident with more information"
        " shortly.",
    ),
    (
        INV,
        CLEAN,
        "We're currently investigating an issue when trying to send email. All "
        "signup, recovery and notification emails will be suspended.",
    ),
    (
        INV,
        CLEAN,
        "On Saturday, April 23rd from 3-5 PM Eastern we will be performing "
        "database maintenance. We do not expect there to be any downtime during"
        " this time. However, operations may appear slower than usual.",
    ),
    (
        MON,
        CLEAN,
        "Builds appear to be flowing again. We will continue to monitor the "
        "situation for regressions.",
    ),
    (
        INV,
        SPEC,
        "We're investigating a possible link between the errors and a recent "
        "deployment.",
    ),
    (
        INV,
        SPEC,
        "We believe a small number of customers were affected by a bug in our "
        "billing system.",
    ),
    (INV, SPEC, "The errors coincide with a deploy that went out at 10:00 UTC."),
    (INV, SPEC, "This is most likely a side effect of this morning's maintenance."),
    (INV, CLEAN, "We suspect that some emails were not delivered during this window."),
    (
        INV,
        CLEAN,
        "It seems some customers may have been charged twice. We will refund "
        "any duplicate charges.",
    ),
    (INV, CLEAN, "We believe no data was lost."),
    (INV, CLEAN, "Customers affected by this outage do not need to take any action."),
    (
        INV,
        SPEC,
        "We suspect some webhooks failed because of a bug in our queue workers.",
    ),
    (
        INV,
        CLEAN,
        "We are investigating elevated latency for API requests in the EU "
        "region. Some requests may time out. We will provide another update in "
        "30 minutes.",
    ),
    (
        INV,
        CLEAN,
        "Our team is aware of login failures affecting a subset of users and is"
        " actively working on a resolution.",
    ),
    (
        IDE,
        CLEAN,
        "The issue has been identified and our engineers are working on a fix. "
        "We expect to have an update within the hour.",
    ),
    (
        MON,
        CLEAN,
        "We have applied a mitigation and error rates have returned to normal. "
        "We are monitoring to confirm the issue is fully resolved.",
    ),
    (
        RES,
        CLEAN,
        "Between 14:02 and 14:47 UTC, some customers experienced failed "
        "payments. The issue is resolved and all payments are processing "
        "normally.",
    ),
    (
        INV,
        CLEAN,
        "Some customers are reporting that invoices are not being generated. "
        "We're looking into this now.",
    ),
    (
        INV,
        CLEAN,
        "We're seeing reports of intermittent 503 errors on the dashboard. Our "
        "engineers are investigating.",
    ),
    (
        IDE,
        CLEAN,
        "We've found the issue and are rolling out a fix. Affected customers "
        "may need to log out and back in.",
    ),
    (
        MON,
        CLEAN,
        "The fix has been deployed. Delayed notifications are being sent now "
        "and should all be delivered within 20 minutes.",
    ),
    (
        INV,
        CLEAN,
        "We are experiencing a partial outage of our mobile app. Web access is "
        "unaffected.",
    ),
    (
        INV,
        CLEAN,
        "Users might be logged out unexpectedly. Please sign in again if this happens.",
    ),
    (
        INV,
        CLEAN,
        "We apologize for the inconvenience and appreciate your patience while "
        "we work on this.",
    ),
    (
        IDE,
        CLEAN,
        "We have identified the cause of the elevated error rates and are "
        "deploying a fix now.",
    ),
    (
        MON,
        CLEAN,
        "Service has been restored for all customers. We'll keep monitoring and"
        " share a summary once our review is complete.",
    ),
    (
        INV,
        CLEAN,
        "We are still working to determine what caused the outage and will "
        "update you as soon as we know more.",
    ),
    (
        INV,
        CLEAN,
        "At this time we have no indication that any customer data has been affected.",
    ),
    (
        INV,
        CLEAN,
        "The issue does not appear to affect existing orders; only new orders "
        "are impacted.",
    ),
    (
        INV,
        CLEAN,
        "Affected customers may experience slow page loads and occasional timeouts.",
    ),
    (
        INV,
        CLEAN,
        "We don't yet know the root cause, and we will not speculate until we do.",
    ),
    (
        IDE,
        CLEAN,
        "A fix for the login issue is being tested and should be released shortly.",
    ),
    (
        INV,
        SPEC,
        "The degraded performance appears to stem from a problem with one of "
        "our database replicas.",
    ),
    (
        INV,
        SPEC,
        "Our engineers believe a recent change to our caching layer is responsible.",
    ),
    (
        IDE,
        SPEC,
        "We have identified a likely cause: a configuration change rolled out "
        "earlier today.",
    ),
    (INV, SPEC, "We think this might be linked to a problem at our DNS provider."),
    (INV, SPEC, "Initial findings suggest that a storage node ran out of disk space."),
    (
        INV,
        SPEC,
        "This looks like it is related to the certificate we rotated this morning.",
    ),
    (
        INV,
        SPEC,
        "We suspect the problem is due to a spike in traffic from a single customer.",
    ),
    (
        MON,
        SPEC,
        "We've rolled back a deploy that we think caused the errors and are "
        "monitoring.",
    ),
    (
        INV,
        SPEC,
        "The outage is possibly the result of a power issue at our data center "
        "provider.",
    ),
    (
        INV,
        SPEC,
        "It appears our payment processor is declining a large number of transactions.",
    ),
    (
        INV,
        SPEC,
        "We are seeing signs of a DDoS attack and are taking steps to mitigate it.",
    ),
    (
        IDE,
        SPEC,
        "The cause appears to be an expired certificate on one of our internal "
        "services.",
    ),
    (
        INV,
        SPEC,
        "Our monitoring points to a network issue between our US and EU regions.",
    ),
    (
        INV,
        SPEC,
        "Preliminary investigation indicates a bug in the latest mobile release.",
    ),
    (
        INV,
        SPEC,
        "We're fairly confident the slowdown is caused by a runaway database query.",
    ),
    (
        INV,
        SPEC,
        "Could this be the cause? We think a bad migration may have locked the "
        "users table.",
    ),
    (
        INV,
        SPEC,
        "We are investigating whether a third-party service is responsible for "
        "the delays.",
    ),
    (INV, SPEC, "We believe our SMS provider is experiencing an outage."),
    (IDE, SPEC, "The errors are probably caused by a misconfigured load balancer."),
    (INV, SPEC, "This seems to be a recurrence of last week's database issue."),
    (INV, SPEC, "The issue is due to an outage at our cloud provider."),
    (
        IDE,
        SPEC,
        "Our hosting provider is having network problems, which is causing the "
        "slowdown.",
    ),
    (
        MON,
        SPEC,
        "The root cause was a faulty deploy. We have reverted it and are monitoring.",
    ),
    (
        INV,
        SPEC,
        "We're seeing failures caused by a certificate that expired overnight.",
    ),
    (
        RES,
        CONF,
        "This was caused by a faulty configuration change, which we have "
        "reverted. We apologise for the disruption.",
    ),
    (
        RES,
        CONF,
        "The incident was caused by a database failover that took longer than "
        "expected. All services are now operating normally.",
    ),
    (
        MON,
        CONF,
        "We have confirmed the cause was an expired certificate and have "
        "renewed it. Monitoring.",
    ),
    (
        PM,
        CONF,
        "A bug introduced in release 2024.3 caused sessions to expire early. We"
        " have added tests to prevent a recurrence.",
    ),
    (
        IDE,
        CONF,
        "Our DNS provider has confirmed an outage on their side. We are moving "
        "traffic to our secondary provider.",
    ),
    (RES, CONF, "Root cause: disk exhaustion on the primary database host."),
]


@pytest.mark.parametrize(
    ("phase", "label", "text"),
    OWN_CASES,
    ids=[f"own{i:03d}-{label[:4]}" for i, (_, label, _) in enumerate(OWN_CASES)],
)
def test_own_set(phase: str, label: str, text: str) -> None:
    findings = judge(text, phase, label)
    assert blocked(findings) == (label == SPEC), [(f.rule, f.text) for f in findings]


def test_own_set_is_big_and_balanced() -> None:
    labels = [label for _, label, _ in OWN_CASES]
    assert len(OWN_CASES) >= 60
    assert labels.count(SPEC) >= 30 and labels.count(CLEAN) >= 30
    assert labels.count(CONF) >= 10


# --- spans --------------------------------------------------------------------------

ALL_TEXTS = [text for _, _, text in OWN_CASES]


@pytest.mark.parametrize("status", STATUSES)
@pytest.mark.parametrize("confirmed", [False, True])
def test_spans_are_exact_and_rules_known(status: str, confirmed: bool) -> None:
    for text in ALL_TEXTS:
        for f in check_speculation(text, status=status, cause_confirmed=confirmed):
            assert 0 <= f.start < f.end <= len(text)
            assert text[f.start : f.end] == f.text
            assert f.text == f.text.strip()
            assert f.rule in RULES
            assert f.severity in ("block", "warn")
            assert f.message and f.suggestion


SPAN_CASES = [
    (
        INV,
        "We believe this is caused by a faulty deploy earlier this morning.",
        ["believe", "caused by", "faulty deploy"],
    ),
    (
        IDE,
        "The issue may have been caused by a certificate rotation.",
        ["may", "caused"],
    ),
    (
        INV,
        "Initial indications point to a problem with our database cluster.",
        ["Initial indications", "problem with our database"],
    ),
    (INV, "We suspect a networking issue between our data centers.", ["suspect"]),
    (
        IDE,
        "Our upstream payment processor is probably at fault here.",
        ["processor", "probably", "at fault"],
    ),
    (
        INV,
        "The outage was caused by a failed disk on the primary database server.",
        ["caused by", "failed disk"],
    ),
    (
        MON,
        "Root cause: an index was dropped during a schema migration.",
        ["Root cause", "an index was dropped"],
    ),
    (
        INV,
        "Checkout is slow. AWS is experiencing an outage in one region.",
        ["AWS", "experiencing"],
    ),
    (
        INV,
        "We can't rule out that a security issue is behind this outage.",
        ["can't rule out", "security issue"],
    ),
    (
        RES,
        "Wir vermuten, dass ein fehlerhaftes Deployment die Ursache ist.",
        ["vermuten"],
    ),
]


@pytest.mark.parametrize(("status", "text", "words"), SPAN_CASES)
def test_span_marks_the_offending_words(
    status: str, text: str, words: list[str]
) -> None:
    findings = [
        f for f in check_speculation(text, status=status) if f.severity == "block"
    ]
    assert findings
    marked = " ".join(f.text for f in findings)
    for word in words:
        assert word in marked, (word, marked)


def test_span_offsets_point_into_the_right_sentence() -> None:
    text = (
        "We are investigating errors in checkout.\n\n"
        "- Payments may fail intermittently.\n"
        "- We believe the errors are related to a recent deploy.\n"
    )
    (f,) = check_speculation(text)
    assert text[f.start : f.end] == f.text
    assert f.text.startswith("believe") and f.text.endswith("recent deploy")


def test_one_finding_per_offending_clause() -> None:
    text = (
        "We believe the outage is caused by a bad deploy. "
        "Some users may be unable to sign in. "
        "It might also be related to our CDN provider."
    )
    findings = check_speculation(text)
    assert [f.rule for f in findings] == ["hedged-cause", "hedged-cause"]
    assert findings[0].start < findings[1].start


# --- statuses and cause_confirmed ---------------------------------------------------

HEDGED = [
    "We believe this is caused by a faulty deploy.",
    "The outage appears to be related to an issue at our cloud provider.",
    "A possible cause has been identified.",
    "We think we've found the problem.",
]
UNHEDGED = [
    "The outage was caused by a failed disk on the primary database server.",
    "Root cause: an index was dropped during a schema migration.",
    "We have identified the cause as a misconfigured load balancer rule.",
    "A bad deploy caused login requests to time out.",
]
BLAME = [
    "Cloudflare is experiencing an outage, so some pages fail to load.",
    "We are seeing errors due to an issue with our upstream provider.",
    "We are mitigating a DDoS attack.",
]
CLEAN_TEXTS = [
    "We are currently investigating this issue.",
    "Some users may be unable to sign in.",
    "Due to this incident, exports may run late.",
    "We are working with our provider to restore service.",
    "We are still investigating the root cause.",
    "This is not related to a security issue.",
]


@pytest.mark.parametrize("status", STATUSES)
@pytest.mark.parametrize("confirmed", [False, True])
@pytest.mark.parametrize("text", HEDGED)
def test_hedged_cause_blocks_in_every_status(
    text: str, status: str, confirmed: bool
) -> None:
    findings = check_speculation(text, status=status, cause_confirmed=confirmed)
    assert blocked(findings)
    assert {f.rule for f in findings if f.severity == "block"} == {"hedged-cause"}


@pytest.mark.parametrize("text", UNHEDGED)
def test_unhedged_cause_waits_for_confirmation_or_resolution(text: str) -> None:
    for status in EARLY:
        findings = check_speculation(text, status=status)
        assert [f.rule for f in findings] == ["unconfirmed-cause"]
        assert f"'{status}'" in findings[0].message
        assert not check_speculation(text, status=status, cause_confirmed=True)
    for status in FINAL:
        assert not blocked(check_speculation(text, status=status))


@pytest.mark.parametrize("status", STATUSES)
@pytest.mark.parametrize("text", BLAME)
def test_third_party_blame_blocks_until_confirmed(text: str, status: str) -> None:
    findings = check_speculation(text, status=status)
    assert [f.rule for f in findings] == ["third-party-blame"]
    assert not blocked(check_speculation(text, status=status, cause_confirmed=True))


@pytest.mark.parametrize("status", STATUSES)
@pytest.mark.parametrize("confirmed", [False, True])
@pytest.mark.parametrize("text", CLEAN_TEXTS)
def test_clean_text_passes_everywhere(text: str, status: str, confirmed: bool) -> None:
    assert check_speculation(text, status=status, cause_confirmed=confirmed) == []


def test_unknown_status_gets_the_strictest_treatment() -> None:
    text = "The outage was caused by a failed disk."
    assert blocked(check_speculation(text, status="bogus"))
    assert not blocked(check_speculation(text, status=" Resolved "))


def test_implied_cause_only_warns() -> None:
    text = "Errors began shortly after the latest release."
    (f,) = check_speculation(text)
    assert (f.rule, f.severity, f.text) == (
        "implied-cause",
        "warn",
        "after the latest release",
    )
    assert check_speculation(text, status=RES) == []
    assert check_speculation(text, cause_confirmed=True) == []


def test_contract() -> None:
    assert STATUSES == (
        "investigating",
        "identified",
        "monitoring",
        "resolved",
        "postmortem",
    )
    (f,) = check_speculation("We believe a bad deploy caused this.")
    assert set(f.to_dict()) == {
        "rule",
        "severity",
        "start",
        "end",
        "text",
        "message",
        "suggestion",
    }
    assert f.to_dict()["severity"] == "block"
    assert check_speculation("") == []
    assert check_speculation("   \n ") == []


def test_rules_use_the_standard_library_only() -> None:
    allowed = {"__future__", "re", "dataclasses", "typing", "bisect"}
    rules = Path(__file__).resolve().parents[1] / "statuspage" / "rules"
    for name in ("speculation.py", "context.py", "findings.py"):
        tree = ast.parse((rules / name).read_text("utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                assert {a.name.split(".")[0] for a in node.names} <= allowed, name
            elif isinstance(node, ast.ImportFrom) and node.level == 0:
                assert (node.module or "").split(".")[0] in allowed, name


# --- grammar details ----------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        'A customer wrote: "we think your CDN provider is down because of an attack".',
        "Customers report “the app seems broken because of the update”.",
        "One user said 'this is probably caused by the new release' on social media.",
        "> We believe this is caused by a bad deploy\n\nWe are looking into it.",
        "See `caused_by_dns` in https://example.com/likely-caused-by-aws for details.",
    ],
)
def test_quotes_code_and_links_are_not_our_claims(text: str) -> None:
    assert check_speculation(text) == []


@pytest.mark.parametrize(
    "text",
    [
        "Is this related to yesterday's release? We don't know yet.",
        "Could this be caused by the DNS change? We are checking.",
    ],
)
def test_questions_are_not_claims(text: str) -> None:
    assert not blocked(check_speculation(text))


@pytest.mark.parametrize(
    "text",
    [
        "This is not related to a security issue.",
        "There is no evidence that customer data was affected.",
        "We do not believe this is caused by an attack.",
        "We have no reason to think our provider is at fault.",
        "The outage was not caused by the deploy.",
    ],
)
def test_denials_pass(text: str) -> None:
    assert check_speculation(text) == []


@pytest.mark.parametrize(
    "text",
    [
        "We can't rule out that a security issue is behind this outage.",
        "We have not ruled out a hardware failure.",
        "We cannot rule out an attack.",
    ],
)
def test_not_ruling_out_is_a_hedge(text: str) -> None:
    assert blocked(check_speculation(text, status=RES, cause_confirmed=True))


def test_markdown_body_is_split_into_sentences() -> None:
    text = (
        "## What happened\n"
        "Some customers could not pay between 14:05 and 14:40 UTC.\n\n"
        "## What we are doing\n"
        "* Failed over to the backup payment path\n"
        "* Investigating the cause with our provider\n"
    )
    assert check_speculation(text) == []
    worse = text + "* It seems our provider had a network problem\n"
    (f,) = check_speculation(worse)
    assert f.rule == "hedged-cause"
    assert worse[f.start : f.end].startswith("seems")


# --- properties ---------------------------------------------------------------------


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(sorted(_GATE_WORDS)), min_size=1, max_size=12))
def test_pattern_gates_never_hide_a_match(words: list[str]) -> None:
    # Each gate lists substrings a pattern cannot match without; the guard skips
    # the pattern when none is present, so every match must contain one.
    text = " ".join(words)
    for pattern, gate in _GATES.items():
        for m in pattern.finditer(text):
            assert any(g in m.group(0) for g in gate), (m.group(0), gate)


VOCABULARY = sorted(
    {w for text in ALL_TEXTS for w in text.split()}
    | {'"', "'", "’", "“", "”", "?", ";", "\n", "- ", "> ", "`", "—", "İ", "ß"}
)


def _check_invariants(text: str, status: str, confirmed: bool) -> None:
    findings = check_speculation(text, status=status, cause_confirmed=confirmed)
    for f in findings:
        assert 0 <= f.start < f.end <= len(text)
        assert text[f.start : f.end] == f.text
        assert f.rule in RULES
        assert (f.severity == "warn") == (f.rule == "implied-cause")
    # Confirming the cause, or resolving, can only remove findings.
    if not confirmed:
        once_confirmed = check_speculation(text, status=status, cause_confirmed=True)
        assert set(once_confirmed) <= set(findings)
        if status == INV:
            assert set(check_speculation(text, status=RES)) <= set(findings)


@settings(max_examples=300, deadline=None)
@given(st.text(), st.sampled_from(STATUSES), st.booleans())
def test_arbitrary_text_never_raises(text: str, status: str, confirmed: bool) -> None:
    _check_invariants(text, status, confirmed)


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.sampled_from(VOCABULARY), max_size=80),
    st.sampled_from(STATUSES),
    st.booleans(),
)
def test_update_like_text_keeps_invariants(
    words: list[str], status: str, confirmed: bool
) -> None:
    _check_invariants(" ".join(words), status, confirmed)
