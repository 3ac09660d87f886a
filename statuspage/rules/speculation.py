"""The speculation guard: stop guesses about an incident's cause reaching customers.

A status update may say what customers see and what we are doing. It may name a
cause only once that cause is confirmed, and never with a hedge ("we believe",
"likely", "may be related to"): customers read a guess as a fact, and a wrong
public cause (worse, a wrongly blamed supplier) is hard to take back.

The checker is a small, hand-written grammar rather than a phrase list:

* the text is masked (quotes, code, links, block quotes are not our claims) with
  offsets kept, split into sentences once, and sentences into clauses;
* every pattern runs once over the whole text and its matches are bucketed into
  clauses (patterns that only matter under a hedge or next to a supplier's name
  run only on those clauses), so a 2,000-character update takes a few ms;
* per clause we find *hedges* (epistemic verbs, adverbs, modals), *causal links*
  ("caused by", "due to", "X caused Y"), *cause nouns* ("the root cause was"),
  *diagnoses* ("a networking issue", "the database is overloaded"),
  *third-party failures* ("an outage at our cloud provider", "a DDoS attack")
  and *negations*, then decide.

Rules reported: "hedged-cause" (block, every status), "third-party-blame" (block
unless the cause is confirmed), "unconfirmed-cause" (block before resolution
unless confirmed) and "implied-cause" (warn only).
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass, field

from .findings import Finding

STATUSES = ("investigating", "identified", "monitoring", "resolved", "postmortem")

# Before resolution a stated cause is usually still a hypothesis.
_EARLY_STATUSES = frozenset({"investigating", "identified", "monitoring"})

# Patterns are written in lower case and run over a lower-cased copy of the text:
# IGNORECASE makes Python's matcher several times slower on long alternations.


def _rx(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern)


def _structure(pattern: str) -> list[tuple[int, str, int]]:
    """(index, char, depth) for each '(', ')' and '|' outside classes and escapes."""
    out: list[tuple[int, str, int]] = []
    depth = 0
    in_class = escaped = False
    for i, ch in enumerate(pattern):
        if escaped:
            escaped = False
        elif ch == "\\":
            escaped = True
        elif in_class:
            in_class = ch != "]"
        elif ch == "[":
            in_class = True
        elif ch == "(":
            depth += 1
            out.append((i, ch, depth))
        elif ch == ")":
            out.append((i, ch, depth))
            depth -= 1
        elif ch == "|":
            out.append((i, ch, depth))
    return out


def _alternatives(pattern: str) -> list[str]:
    """Split a regex on its top-level '|'."""
    cuts = [i for i, ch, depth in _structure(pattern) if ch == "|" and depth == 0]
    bounds = [-1, *cuts, len(pattern)]
    return [pattern[a + 1 : b] for a, b in zip(bounds, bounds[1:], strict=False)]


def _is_group(pattern: str) -> bool:
    """True for '(?:...)' whose first parenthesis closes at the very end."""
    if not (pattern.startswith("(?:") and pattern.endswith(")")):
        return False
    closes = [i for i, ch, depth in _structure(pattern) if ch == ")" and depth == 1]
    return closes[:1] == [len(pattern) - 1]


def _each(words: str, tail: str) -> str:
    r"""'a|b', r'\s+x' -> r'a\s+x|b\s+x': alternatives that start with a letter."""
    # Python's matcher skips an alternative cheaply only when it starts with a
    # literal, so a shared tail is repeated instead of factored out.
    return "|".join(w + tail for w in _alternatives(words))


def _trie(pattern: str) -> str:
    """Group a long alternation by first letter: 'ab|ac|d' -> 'a(?:b|c)|d'."""
    # Python tries alternatives one by one; grouping by first letter lets it
    # reject most of them with a single comparison. Alternatives starting with
    # different letters never match at the same place, so meaning is unchanged.
    wrapped = _is_group(pattern)
    parts = _alternatives(pattern[3:-1] if wrapped else pattern)
    groups: dict[str, list[str]] = {}
    rest: list[str] = []
    for part in parts:
        if part[:1].isalnum() and part[1:2] not in ("?", "*", "+", "{"):
            groups.setdefault(part[0], []).append(part[1:])
        else:
            rest.append(part)
    out = [
        head + (tails[0] if len(tails) == 1 else "(?:" + "|".join(tails) + ")")
        for head, tails in groups.items()
    ]
    body = "|".join(out + rest)
    return f"(?:{body})" if wrapped else body


def _union(*groups: str) -> str:
    """Merge several '(?:a|b)' groups into one first-letter-grouped alternation."""
    inner = [g[3:-1] if _is_group(g) else g for g in groups]
    return _trie("(?:" + "|".join(inner) + ")")


def _rxw(pattern: str) -> re.Pattern[str]:
    """Compile a pattern that only ever starts at a word boundary."""
    # Testing the boundary once, before the alternation, skips most positions.
    return re.compile(rf"\b(?:{_trie(pattern)})")


# --------------------------------------------------------------------------
# Vocabulary. Kept as regex fragments so the grammar below reads as grammar.
# --------------------------------------------------------------------------

# Components and changes of our own systems: a hedge about one of these failing
# is a diagnosis, not a description of impact.
_INFRA = _trie(
    r"(?:data[\s-]?bases?|dbs?|servers?|network(?:s|ing)?|dns|load[\s-]?balanc(?:ers?|"
    r"ing)|cach(?:e|es|ing)|cdns?|storage|disks?|drives?|ssds?|nodes?|clusters?|"
    r"data[\s-]?cent(?:er|re)s?|hardware|kernels?|routers?|routing|switch(?:es)?|"
    r"firewalls?|prox(?:y|ies)|certificates?|certs?|deploy(?:ment)?s?|releases?|"
    r"config(?:uration)?s?|infrastructure|back[\s-]?ends?|queues?|brokers?|replicas?|"
    r"replication|hosts?|instances?|containers?|kubernetes|k8s|vms?|memory|cpus?|"
    r"schedulers?|background\s+(?:jobs?|tasks?)|cron(?:\s+jobs?)?|batch\s+jobs?|"
    r"scheduled\s+(?:jobs?|tasks?)|migrations?|upgrades?|updates?|rollouts?|"
    r"patch(?:es)?|changes?|feature[\s-]flags?|rate[\s-]limit(?:ers?|ing|s)?|"
    r"gateways?|dependenc(?:y|ies)|power|cooling|fib(?:er|re)s?|bgp|tls|ssl|keys?|"
    r"credentials?|secrets?|index(?:es)?|indices|schemas?|shards?|partitions?|pods?|"
    r"internal\s+services?|auth(?:entication)?\s+services?|identity\s+services?|"
    r"backend\s+services?|upstream\s+services?|librar(?:y|ies)|firmware|vpn|"
    r"sockets?|connection\s+pools?|thread\s+pools?|workers?|consumers?|indexers?|"
    r"redis|postgres(?:ql)?|mysql|kafka|elasticsearch|rabbitmq|memcached?|nginx|"
    r"haproxy|envoy|ingress|security|capacity|code)"
)

# Self-sufficient failure mechanisms: naming one is already a diagnosis.
_MECH = _trie(
    r"leaks?|deadlock(?:s|ed)?|race\s+conditions?|misconfigur\w+|regressions?|bugs?|"
    r"fib(?:er|re)\s+cuts?|cable\s+cuts?|"
    r"power\s+(?:outage|failure|loss|issue|problem|cut)s?|"
    r"hardware\s+(?:failure|fault|issue|problem)s?|corrupt(?:ion|ed)|exhaust(?:ed|ion)|"
    r"saturat(?:ed|ion)|contention|split[\s-]brain|packet\s+loss|bottlenecks?|"
    r"thundering\s+herd|noisy\s+neighbou?rs?|infinite\s+loops?|overload(?:ed|ing)?|"
    r"network\s+partitions?|partitioned|out\s+of\s+memory|oom|kernel\s+panic|"
    r"segfaults?|crash\s+loops?|replication\s+lag|expired\s+[\w-]+|expiring\s+[\w-]+|"
    + _each(
        "spike|surge|flood|influx|burst|increase",
        r"s?\s+(?:in|of)\s+(?:[\w-]+\s+)?(?:traffic|load|requests|demand|usage|"
        r"connections|signups|orders|queries|volume)",
    )
    + "|"
    + _each(
        "increased|high|heavy|unusual|unexpected|elevated|excessive|abnormal|"
        r"higher[\s-]than[\s-]normal|higher[\s-]than[\s-]usual",
        r"\s+(?:[\w-]+\s+)?(?:load|traffic|demand|volume|usage)",
    )
)

# Adjectives that turn one of our components into a suspect ("a faulty deploy").
_BAD = _trie(
    r"(?:faulty|bad|broken|failed|failing|defective|misconfigured|expired|expiring|"
    r"corrupt(?:ed)?|buggy|flawed|erroneous|incorrect|invalid|stale|overloaded|"
    r"saturated|degraded|unhealthy|outdated|problematic|malformed|rogue|runaway|"
    r"stuck|hung|crashed|crashing|dead|unresponsive|leaking|exhausted|wrong|botched|"
    r"errant|misbehaving|slow|fehlerhafte[nrs]?|d[ée]faillante?s?)"
)
_BAD_THING = _trie(
    rf"(?:{_INFRA}|entr(?:y|ies)|process(?:es)?|quer(?:y|ies)|rules?|settings?|"
    r"values?|files?|tasks?|scripts?|commits?|versions?|packages?|modules?|"
    r"components?|flags?|jobs?|deployment|d[ée]ploiement)"
)

# Predicates that say a component is the failing part.
_FAIL_PRED = _trie(
    r"(?:failing|down|broken|misbehaving|misconfigured|overloaded|degraded|"
    r"unhealthy|malfunctioning|dropping\s+\w+|saturated|stuck|deadlocked|leaking|"
    r"corrupted|crashing|crashed|exhausted|unresponsive|flapping|at\s+fault|"
    r"to\s+blame|the\s+(?:[\w-]+\s+)?(?:problem|issue|culprit|cause|source|"
    r"bottleneck)|running\s+out\s+of\s+\w+|out\s+of\s+(?:memory|disk|space|capacity)|"
    r"timing\s+out|returning\s+(?:[\w-]+\s+)?errors|throwing\s+(?:\w+\s+)?errors|"
    r"hanging|hung|lagging|overwhelmed|under\s+(?:heavy\s+)?(?:load|pressure)|"
    r"not\s+(?:responding|healthy)|failed|dying|died)"
)
_AUX = (
    r"(?:is|are|was|were|has\s+been|have\s+been|had\s+been|(?:may|might|could|must)"
    r"(?:\s+have)?\s+been|(?:may|might|could|must)\s+be|seems?\s+to\s+be|"
    r"appears?\s+to\s+be|is\s+currently|are\s+currently|became|went|got|being|"
    r"(?:is|are)\s+(?:likely|probably|possibly|potentially))"
)

_PROBLEM = _trie(
    r"(?:issue|problem|failure|fault|error|outage|bug|glitch|defect|malfunction|"
    r"misconfiguration|degradation|disruption|instability|regression|hiccup|trouble)"
)

# Words that make a cause "the incident itself": "due to this incident".
_SELF_HEAD = _rx(
    r"\b(?:incidents?|issues?|outages?|problems?|disruptions?|degradations?|"
    r"interruptions?|events?|situations?|matter|circumstances?|errors?|failures?|"
    r"delays?|slowness|slowdowns?|downtime|impact|above|same|"
    r"vorf[äa]ll\w*|st[öo]rung\w*|ausf[äa]ll\w*|pannes?|probl[èe]mes?)\b"
)
_SELF_PRONOUN = _rx(r"^\s*(?:this|that|it|these|those|which|them|dies\w*|cela|ceci)\b")
# Planned work and our own remedies are never a root cause.
_CONSEQUENCE = _rx(
    r"\b(?:maintenance|scheduled|planned|rollback|roll-back|rolled\s+back|failover|"
    r"fail-over|fix|fixes|remediation|mitigation|recovery|restor\w+|backlog|queued|"
    r"retr(?:y|ies)|catch[\s-]up|reprocessing|wartung\w*|geplant\w*|planifi\w+|"
    r"support\s+(?:requests|tickets|volume|inquiries|contacts|queue)|inquiries|"
    r"programm[ée]\w*|mantenimiento)\b"
)

# ---- third parties ------------------------------------------------------------

_TP_GENERIC = _trie(
    r"(?:providers?|vendors?|suppliers?|"
    + _each(r"payment|card|credit[\s-]card", r"\s+processors?")
    + "|"
    + _each(
        "banking|payment|delivery|hosting|cloud|infrastructure|network|technology|"
        r"upstream|third[\s-]party|integration|shipping|logistics|carrier",
        r"\s+partners?",
    )
    + "|"
    + _each("network|mobile|telecom|cellular", r"\s+operators?")
    + r"|carriers?|telcos?|isps?|internet\s+service\s+providers?|cdns?|"
    r"content\s+delivery\s+networks?|"
    r"third[\s-]party(?:\s+(?:services?|dependenc(?:y|ies)|apis?|systems?|platforms?|"
    r"networks?|components?|infrastructure|integrations?|librar(?:y|ies)|software|"
    r"tools?))?|3rd[\s-]party|"
    r"upstream(?:\s+(?:services?|dependenc(?:y|ies)|systems?|apis?|networks?|"
    r"platforms?|components?|sources?|servers?))?|"
    r"\w*anbieter\w*|\w*dienstleister\w*|fournisseur\w*|prestataire\w*|"
    r"h[ée]bergeur\w*|op[ée]rateur\w*|proveedor\w*)"
)
_TP_CLOUD = _trie(
    r"(?:aws|amazon(?:\s+web\s+services)?|azure|gcp|google\s+cloud(?:\s+platform)?|"
    r"cloudflare|fastly|akamai|digital\s?ocean|heroku|linode|ovh(?:cloud)?|hetzner|"
    r"equinix|oracle\s+cloud|ibm\s+cloud|vercel|netlify|cloudfront)"
)
# Well-known SaaS names are often *our features* ("Sign in with Google"), so they
# only count when the wording says they failed.
_TP_SAAS = _trie(
    r"(?:stripe|twilio|sendgrid|mailgun|postmark|okta|auth0|paypal|braintree|adyen|"
    r"github|gitlab|slack|salesforce|zendesk|pagerduty|atlassian|apple|google|"
    r"microsoft|shopify|plaid|visa|mastercard|comcast|verizon|at&t|t-mobile|"
    r"vodafone|level\s*3|lumen|cogent|zayo|telia|docker\s+hub|npm|pypi|"
    # A cloud's own services: "the EC2 outage", but "our EC2 instances" are ours.
    r"ec2|s3|ebs|elb|rds|dynamodb|route\s?53|lambda|gcs|gke|bigquery)"
)
_TP_ANY = _union(_TP_GENERIC, _TP_CLOUD, _TP_SAAS)
_TP_FIRM = _union(_TP_GENERIC, _TP_CLOUD)
_TP_NAME = _rxw(rf"\b{_TP_ANY}\b")

_ATTACK = _rxw(
    r"\b(?:(?:distributed\s+)?denial[\s-]of[\s-]service(?:\s+attacks?)?|"
    r"ddos(?:\s+attacks?)?|dos\s+attacks?|"
    r"(?:cyber[\s-]?|bot\s+|brute[\s-]force\s+|volumetric\s+|targeted\s+)?attacks?|"
    r"attackers?|malicious\s+(?:actors?|traffic|activity|requests|part(?:y|ies)|"
    r"bots?|users?)|bad\s+actors?|threat\s+actors?|hackers?|hacked|botnets?|"
    r"credential[\s-]stuffing|ransomware|intrusions?|angriff\w*|attaque\w*|ataque\w*)"
    r"\b(?!\s+(?:protection|mitigation|prevention|defen[cs]es?|filter\w*|scrubbing|"
    r"detection|surface|vectors?))"
)

_TP_FAIL_NOUN = _trie(
    r"(?:issues?|problems?|outages?|incidents?|failures?|faults?|degradations?|"
    r"disruptions?|errors?|bugs?|interruptions?|instability|congestion|trouble|"
    r"difficult(?:y|ies)|slowdowns?|latency|packet\s+loss|downtime|breakage|"
    r"glitch(?:es)?|hiccups?|st[öo]rung\w*|ausf[äa]ll\w*|fehler\w*|pannes?|"
    r"probl[èe]mes?|erreurs?|d[ée]faillances?|fallos?|errores?|problemas?)"
)
# Words that cannot sit inside "<provider> ... outage" without changing who failed.
_FUNC = (
    r"(?:to|on|about|for|regarding|with|and|or|the|a|an|is|are|was|were|has|have|"
    r"had|we|our|this|that|of|in|at|as|by|from|who|which|it|they|their|resolve|"
    r"restore|fix|address|investigate)"
)
_TP_PRED = _trie(
    r"(?:experienc(?:ing|es|ed)|having\s+(?:[\w-]+\s+){0,2}?(?:issues?|problems?|"
    r"trouble|difficult\w+|an?\s+outage|outages?|an?\s+incident|errors?)|"
    r"has\s+(?:an?\s+)?(?:outage|incident|issue|problem)s?|"
    r"report(?:ing|ed|s)\s+(?:an?\s+)?(?:[\w-]+\s+)?(?:outage|issue|incident|"
    r"problem|degradation|disruption|error)s?|suffer\w*|down|offline|failing|failed|"
    r"dropping|degraded|unavailable|unreachable|unstable|slow|throttling|"
    r"rate[\s-]limiting|timing\s+out|returning\s+(?:[\w-]+\s+)?errors|at\s+fault|"
    r"responsible|to\s+blame|the\s+(?:root\s+|likely\s+|probable\s+)?(?:cause|"
    r"culprit|source)|behind\s+(?:this|the|it)|caus(?:ed|ing)|not\s+responding|"
    r"rejecting|declining|broken|blocking|misbehaving|malfunctioning|under\s+attack|"
    r"struggling|overloaded|congested|dropped|impacted\s+by|affected\s+by)"
)
_PEOPLE = (
    r"(?:users?|customers?|clients?|accounts?|merchants?|members?|people|visitors?|"
    r"subscribers?|requests?|traffic)"
)
# "the problem might be with our DNS provider"
_COPULA_CHAIN = (
    r"(?:\s+(?:is|are|was|were|be|been|may|might|could|must|seems?|seemed|appears?|"
    r"appeared|to|likely|probably|possibly|potentially|lies|lie|lay|still|also|"
    r"actually|mainly|mostly|entirely|somewhere|located|isolated))*"
)
_DET = (
    r"(?:one\s+(?:or\s+more\s+)?of\s+)?(?:our|the|a|an|their|its|some|certain|"
    r"multiple|several|unserem|unseres|unserer|einem|einer|notre|nos|un|une|le|la|"
    r"les|nuestro)?\s*"
)
_TP_AUX = (
    r"(?:(?:is|are|was|were|has\s+been|have\s+been|had\s+been|seems?\s+to\s+be|"
    r"appears?\s+to\s+be|may\s+be|might\s+be|could\s+be|may\s+have\s+been|"
    r"might\s+have\s+been|currently|also|still|now|likely|probably|possibly|"
    r"apparently|reportedly|itself|themselves)\s+)*"
)
# "Sign in with Google is unavailable" is our feature, not Google failing.
_NOT_VIA = ("with ", "via ", "using ", "through ", "to ", "for ", "from ", "into ")
_TP_FRAMES = (
    # "an issue at our cloud provider", "errors from our payment processor"
    _rxw(
        rf"\b{_TP_FAIL_NOUN}{_COPULA_CHAIN}\s+(?:at|with|in|on|from|affecting|"
        rf"impacting|within|involving|of|bei|chez|du\s+c[ôo]t[ée]\s+d[eu])\s+{_DET}"
        rf"(?:(?!{_FUNC}\b|{_PEOPLE}\b)[\w&.'-]+\s+){{0,3}}?{_TP_FIRM}\b"
    ),
    _rxw(
        rf"\b{_TP_FAIL_NOUN}\s+(?:at|with|in|on|from|affecting|impacting|within|"
        rf"involving|of)\s+{_DET}{_TP_SAAS}(?:'s\s+(?:end|side|platform|"
        r"infrastructure|network|api|systems?|services?|servers?)\b|(?=\s*(?:[.,;:!?)]"
        r"|$))|\s+(?:end|side|platform|infrastructure|network|api|systems?|services?|"
        r"servers?)\b)"
    ),
    # "on our payment processor's side"
    _rxw(
        rf"\b(?:on|at|from)\s+{_DET}(?:[\w-]+\s+){{0,2}}?{_TP_ANY}(?:'s|s')?\s+"
        r"(?:side|end)\b"
    ),
    # "the AWS us-east-1 event", "a provider outage"
    _rxw(
        rf"\b{_TP_FIRM}(?:'s)?\s+(?:(?!{_FUNC}\b)[\w.-]+\s+){{0,2}}?"
        rf"(?:{_TP_FAIL_NOUN}|events?)\b"
    ),
    _rxw(
        rf"\b{_TP_SAAS}(?:'s)?\s+(?:outage|incident|degradation|disruption|"
        r"downtime|events?|issues?)\b"
    ),
    # "our upstream payment processor is probably at fault"
    _rxw(
        rf"\b{_TP_FIRM}(?:'s)?(?:\s+(?!{_FUNC}\b)[\w.-]+){{0,3}}?\s+{_TP_AUX}"
        rf"{_TP_PRED}\b"
    ),
    _rxw(rf"\b{_TP_SAAS}(?:'s)?\s+{_TP_AUX}{_TP_PRED}\b"),
)
# The frames headed by a SaaS name, which "with"/"via" turns into our feature.
_TP_SAAS_HEADED = (_TP_FRAMES[4], _TP_FRAMES[6])

# ---- hedges --------------------------------------------------------------------

# Inherently diagnostic: the hedge alone says "we have a guess about the cause".
_HEDGE_INHERENT = _rxw(
    r"suspect(?:s|ed|ing)?\b(?<!\ba\ssuspected)(?<!\ban\ssuspected)"
    r"(?<!\bthe\ssuspected)|"
    + _each(
        "working|leading|current|main|primary|our|a|one|initial",
        r"\s+(?:theor(?:y|ies)|hypothes[ie]s)\b",
    )
    + r"|hypothes[ie][sz]e[sd]?\b|hypothes[ie]s\b|theori[sz](?:e|es|ed|ing)\b|"
    r"lean(?:ing|s)?\s+towards?\b|"
    r"leads?\s+on\s+(?:the\s+|a\s+)?(?:root\s+)?(?:cause|issue|problem|source)\b|"
    r"vermut(?:en|et|ung)\b|verdacht\b|soup[cç]onn\w*|suspectons\b|"
    r"hypoth[eè]ses?\b|sospech\w+|suspicions?\b"
)
# "We can't rule out X": a hedge about X, and not a denial.
_RULE_OUT = _rxw(
    _each(
        r"can(?:no|')t|can\s+not|could(?:n't|\s+not)|unable\s+to|"
        r"not\s+(?:yet\s+)?(?:able\s+to\s+)?|haven't|have\s+not|has\s+not|hasn't",
        r"\s*(?:yet\s+)?(?:fully\s+)?rule[ds]?\s+out\b",
    )
    + r"|not\s+(?:yet\s+)?(?:been\s+)?ruled\s+out\b"
)
# "We suspect only a few customers are affected" is about impact.
_SUSPECT_IMPACT = _rx(
    r"^\s+(?:that\s+)?(?:[\w'-]+\s+){0,8}?(?:users?|customers?|accounts?|people|"
    r"members?|merchants?|clients?|you|emails?|messages?|notifications?|payments?|"
    r"orders?|data|builds?|webhooks?|uploads?|reports?|transactions?|charges?)\b"
)
_SUSPECTED_VERB = _rx(
    r"(?:^|\b(?:we|i|they|team|engineers|initially|originally|first|also|still|had|"
    r"have|has|was|were|is|are|and|be|been))\s*$"
)
# Verb-like hedges: what they cover follows them.
_HEDGE_VERB = _rxw(
    r"believ(?:e|es|ed|ing)\b|think(?:s|ing)?\b|thought\b|"
    r"appear(?:s|ed|ing)?\s+(?:to|that|like|as\s+(?:if|though))\b|"
    + _each("it|this|there|that", r"\s+appears?\b")
    + r"|apparent\b|seem(?:s|ed|ing)?\b|looks?\s+(?:like|to\s+be|as\s+(?:if|though))\b|"
    r"looking\s+like\b|"
    # "we suggest you retry" is advice, not evidence.
    r"suggest(?<!\bwe\ssuggest)(?<!\bwe'd\ssuggest)(?<!\bi\ssuggest)"
    r"(?:s|ed|ing|ions?)?\b(?!\s+(?:that\s+)?(?:you|users|customers|everyone|"
    r"retry\w*|try\w*|wait\w*|to|using|clearing|refreshing|contacting)\b)|"
    r"indicat(?:e|es|ed|ing|ions?)\b|point(?:s|ed|ing)?\s+(?:to|towards?)\b|"
    + _each(
        r"investigat\w+|check\w*|look\w*\s+into|explor\w+|evaluat\w+|determin\w+|"
        r"confirm\w*|verify\w*|verifying|assess\w*|review\w*|analy[sz]\w+|examin\w+|"
        r"understand\w*|unclear|unsure|not\s+sure|uncertain|know|establish\w*|"
        r"test\w*|see(?:ing)?",
        r"\s+if\b",
    )
    + r"|whether\b|assum(?:e|es|ed|ing|ption)\b|guess\w*\b|hunch\b|speculat\w+|"
    r"our\s+(?:current\s+)?understanding\s+is\b|consistent\s+with\b|"
    + _each(
        "fairly|reasonably|pretty|relatively|somewhat|moderately|quite|mostly|largely",
        r"\s+(?:confident|sure|certain)\b",
    )
    + r"|gehen\s+davon\s+aus\b|nehmen\s+an\b|sieht\s+(?:so\s+)?aus\b|"
    r"deute[nt]\s+(?:\w+\s+)?(?:auf|darauf)\b|scheinen?\b|scheint\b|"
    r"sembl\w*|supposons\b|pensons\b|croyons\b|estimons\b|"
    r"indiqu\w+|sugg[eè]r\w+|parec\w*|creemos\b|"
    r"match(?:es|ed|ing)?\s+(?:a|an|the|what)\b"
)
# Adverb-like hedges: they sit inside the phrase they hedge.
_HEDGE_ADV = _rxw(
    r"likely\b|unlikely\b|probabl[ey]\b|possibly\b|potential(?:ly)?\b|"
    r"presumabl[ey]\b|presumed\b|apparently\b|perhaps\b|maybe\b|seemingly\b|"
    r"plausibl[ey]\b|conceivabl[ey]\b|reportedly\b|allegedly\b|suspected\b|"
    # "as soon as possible" is about speed, not about the cause.
    r"possible\b(?<!\bas\spossible)(?<!\bif\spossible)(?<!\bwhere\spossible)"
    r"(?<!\bwhen\spossible)(?<!\bbest\spossible)(?<!\bwhenever\spossible)"
    r"(?!\s+to\b)|preliminary\b|"
    + _each(
        "initial|early|first|earliest",
        r"\s+(?:indications?|signs?|findings?|analysis|analyses|investigations?|"
        r"results?|evidence|data|reports?|assessments?|reviews?|diagnos[ie]s|look|"
        r"signals?)\b",
    )
    + r"|wahrscheinlich\w*|m[öo]glicherweise\b|vielleicht\b|eventuell\b|"
    r"anscheinend\b|vermutlich\b|offenbar\b|mutma[ßs]lich\w*|"
    r"wom[öo]glich\b|d[üu]rften?\b|k[öo]nnten?\b|erste[nr]?\s+(?:hinweise|"
    r"anzeichen|analysen?)\b|"
    r"probablement\b|il\s+se\s+peut\b|se\s+pourrait\b|pourrai(?:t|ent)\b|"
    r"peut[\s-][êe]tre\b|vraisemblablement\b|apparemment\b|possiblement\b|"
    r"potentiellement\b|premi[eè]res?\s+(?:indications|analyses|constatations)\b|"
    r"premiers\s+[ée]l[ée]ments\b|a\s+priori\b|"
    r"probablemente\b|posiblemente\b|podr[íi]a\w*"
)
# Modals hedge only what they are attached to ("may be caused by" but not
# "users may see errors").
_HEDGE_MODAL = _rxw(r"may\b|might\b|could\b|would\b|must\b")
_MODAL_GAP = _rx(
    r"(?:\s+(?:have|has|be|been|being|also|well|partly|partially|in\s+part|possibly|"
    r"potentially|all|the|a|an|both|still|actually|simply|just|somehow|ultimately|"
    r"directly|indirectly|largely|mostly|primarily|entirely|at\s+least|even|indeed|"
    r"one\s+of|some|in\s+some\s+way|not\s+only))*\s+"
)
_EXPLAIN = _rxw(r"\bexplain(?:s|ed)?\b")

# ---- negation -------------------------------------------------------------------

# Negators that cover the rest of their clause ("we have no evidence that ...").
_CLAUSE_NEG = _rxw(
    _each(
        r"do\s+not|does\s+not|did\s+not|don't|doesn't|didn't",
        r"\s+(?:(?:currently|yet|at\s+this\s+time)\s+)?(?:believe|think|suspect|expect|"
        r"see|have\s+(?:any\s+)?(?:evidence|indication|reason))",
    )
    + r"|no\s+(?:\w+\s+)?(?:evidence|indications?|signs?|reason|suggestion|proof)\b|"
    r"nothing\s+(?:to\s+)?(?:suggests?|indicates?|points?)\b|"
    r"ha(?:ve|s|d)\s+(?:now\s+)?(?:been\s+)?ruled\s+out\b|"
    r"ruled(?<!not\sruled)(?<!n't\sruled)(?<!yet\sruled)\s+out\b|"
    r"not\s+(?:\w+\s+)?(?:believed|thought|suspected)\b|"
    r"there\s+(?:is|was|are|were)\s+no\b|not\s+aware\s+of\s+any\b|"
    r"no\s+longer\s+(?:believe|think|suspect)\b|keine?n?\s+(?:hinweise|anzeichen)\b|"
    r"aucune?\s+(?:indication|preuve|signe)\b"
)
# Negators right before the word they deny ("is not related to").
_LOCAL_NEG = _rx(
    r"(?:\bnot|n't|\bno|\bnever|\bnor|\bwithout|\bnothing|\bneither|\bnicht|\bkein\w*|"
    r"\bpas|\baucune?)"
    r"(?:\s+(?:be|is|are|was|were|been|being|have|has|had|yet|currently|likely|"
    r"probably|believed|thought|expected|suspected|known|considered|at|all|a|an|the|"
    r"any|our|to|due|directly|in|way|necessarily|also|appear|appears|seem|seems|"
    r"one|of|that|this|it|an?|evidence|indication|sign|reason|caused|because))*"
    r"\s*$"
)
# A cause that is being looked for rather than named.
_SEARCH_BEFORE = _rx(
    r"\b(?:investigat(?:e|es|ing)|look(?:ing)?\s+(?:into|for|at)|identify(?:ing)?|"
    r"determin(?:e|ing)|find(?:ing)?|locat(?:e|ing)|isolat(?:e|ing)|"
    r"pinpoint(?:ing)?|diagnos(?:e|ing)|understand(?:ing)?|confirm(?:ing)?|"
    r"establish(?:ing)?|trac(?:e|ing)|analy[sz](?:e|ing)|review(?:ing)?|"
    r"examin(?:e|ing)|explor(?:e|ing)|search(?:ing)?\s+for|hunt(?:ing)?\s+(?:down|for)|"
    r"narrow(?:ing)?\s+down|assess(?:ing)?|evaluat(?:e|ing)|work(?:ing)?\s+(?:out|on)|"
    r"dig(?:ging)?\s+into|learn(?:ing)?|know|knowing|seek(?:ing)?|address(?:ing)?|"
    r"fix(?:ing)?|resolv(?:e|ing)|mitigat(?:e|ing)|remediat(?:e|ing)|correct(?:ing)?|"
    r"research(?:ing)?|into|for|about|regarding|untersuchen|suchen|enqu[êe]t\w+)"
    r"(?:\s+(?:the|a|an|any|its|their|this|that|possible|potential|likely|probable|"
    r"root|underlying|exact|actual|real|main|primary|full|precise|specific|all|"
    r"other|further|additional|die|der|la|le|les))*\s*$"
)
_UNKNOWN_AFTER = _rx(
    r"^(?:\s+(?:of|for|behind)(?:\s+(?!(?:is|was|has|remains)\b)[\w'/-]+){1,6}?)?"
    r"\s+(?:is|was|remains|are|has|have|ist|bleibt|est|reste)\s+"
    r"(?:still\s+|currently\s+|"
    r"not\s+|yet\s+|noch\s+|encore\s+)*(?:unknown|unclear|uncertain|undetermined|"
    r"not\s+(?:yet\s+)?(?:known|clear|identified|determined|confirmed|understood)|"
    r"under\s+investigation|being\s+(?:investigated|determined|identified|analy[sz]ed|"
    r"reviewed|looked)|to\s+be\s+(?:determined|confirmed)|tbd|not|unbekannt|unklar|"
    r"inconnue?)"
)

# ---- causal links ---------------------------------------------------------------

# Links whose cause follows them: "caused by X", "due to X".
_LINK_OBJ = _rxw(
    r"\b(?:caused\s+by|triggered\s+(?:by|when)|brought\s+(?:on|about)\s+by|"
    r"driven\s+by|induced\s+by|provoked\s+by|sparked\s+by|precipitated\s+by|"
    r"affected\s+by|impacted\s+by|"
    r"due\s+to(?!\s+(?:be|start|begin|complete|finish|end|go|run|expire|roll|arrive|"
    r"launch|ship)\b)|because\s+of|owing\s+to|on\s+account\s+of|"
    r"as\s+a\s+(?:direct\s+)?(?:result|consequence)\s+of|"
    + _each(
        "the|a",
        r"\s+(?:direct\s+|likely\s+|probable\s+|possible\s+)?(?:result|"
        r"consequence|side[\s-]effect|by-?product)\s+of",
    )
    + r"|result\s+of|"
    r"stem(?:s|med|ming)?\s+from|originat(?:e|es|ed|ing)\s+(?:in|from|with|at)|"
    r"aris(?:e|es|ing)\s+from|arose\s+from|attribut(?:ed|able)\s+to|"
    r"traced\s+(?:[\w-]+\s+){0,4}?(?:back\s+)?to|tracked\s+(?:[\w-]+\s+){1,4}?"
    r"(?:back\s+)?to|"
    r"blam(?:e|ed|ing)\s+on|"
    r"aufgrund|auf\s+grund|wegen|lieg(?:t|en)\s+an|lag\s+an|zur[üu]ckzuf[üu]hren|"
    r"verursacht\s+durch|ausgel[öo]st\s+durch|im\s+zusammenhang\s+mit|"
    r"zusammenh[äa]ng\w*|resultiert\s+aus|"
    r"caus[ée]e?s?\s+par|d[ûu]e?s?\s+(?:[àa]|aux?)|en\s+raison\s+d|[àa]\s+cause\s+d|"
    r"provien\w+\s+d|provoqu[ée]e?s?\s+par|d[ée]clench[ée]e?s?\s+par|"
    r"r[ée]sult\w+\s+d|imputable\s+[àa]|attribuable\s+[àa]|"
    + _each(
        r"est|sont|soit|[êe]tre|serai(?:t|ent)|[ée]tai(?:t|ent)|sembl\w*",
        r"\s+(?:\w+\s+)?li[ée]e?s?\s+(?:[àa]|aux?)",
    )
    + r"|"
    r"debido\s+a|causad[oa]s?\s+por|a\s+causa\s+de)(?=\W|$)"
)
_LINK_STRONG = _rxw(
    r"\b(?:broke|took\s+down|knocked\s+out|brought\s+down|overwhelmed|crashed|"
    r"disrupted|corrupted|introduced)\b"
)
_LINK_BECAUSE = _rxw(r"\bbecause\b(?!\s+of\b)")
_LINK_RELATED = _rxw(
    r"\b(?:related|linked|tied|connected|associated|correlated|relacionad[oa]s?)\s+"
    r"(?:to|with|con)\b|\b(?:connection|link|correlation|relationship)s?\s+"
    r"(?:to|with|between)\b|\bcoincid(?:e|es|ed|ing)\s+with\b|"
    r"\b(?:something|everything|anything|a\s+lot)\s+to\s+do\s+with\b"
)
# Only a hedged "may involve our CDN" is a guess; "an issue involving the
# database" just describes the incident.
_LINK_WEAK = _rxw(r"involv(?:e|es|ed|ing)\b|implicat(?:e|es|ed|ing)\b")
_RELATED_PRE = _rx(
    r"(?:(?:\b(?:is|are|was|were|be|been|being|isn't|aren't|wasn't|weren't|seem|seems|"
    r"seemed|appear|appears|appeared)|'s)(?:\s+(?:not|likely|probably|possibly|"
    r"potentially|presumably|partly|partially|directly|closely|also|all|somehow|"
    r"apparently|perhaps|maybe|definitely|indeed|in\s+some\s+way|in\s+part|to\s+be|"
    r"still|most|very|strongly|somewhat))*|\b(?:possibly|probably|likely|potentially|"
    r"perhaps|maybe|presumably|apparently))\s+$"
)
_ADVERBS_ONLY = _rx(
    r"^[\s*>#-]*(?:(?:possibly|probably|likely|potentially|perhaps|maybe|presumably|"
    r"apparently|most|also|all|seemingly)\s+)*$"
)
# Links whose cause comes before them: "X caused Y", "X is responsible".
_LINK_SUBJ = _rxw(
    r"caus(?:ed|ing|es)\b(?!\s+by)|le(?:d|ading|ads)\s+to|"
    r"result(?:ed|ing|s)\s+in|contribut(?:ed|ing|es|e)\s+to|contributors?\s+to|"
    r"responsible\b(?!\s+for\s+(?:communicat|updat|the\s+team|maintain|keeping|"
    r"ensur|our\s+status))|at\s+fault|to\s+blame|"
    + _each(
        "is|are|was|were|be|been",
        r"\s+(?:[\w-]+\s+)?behind\s+(?:this|the|these|it|today's|our)",
    )
    + r"|behind\s+(?:this|the|today's)\s+(?:[\w-]+\s+)?(?:outage|incident|issue|"
    r"problem|errors?|disruption|degradation|slowdown|failures?|latency|delays?|"
    r"instability)|"
    # "the alert was triggered" names no cause.
    r"triggered(?<!was\striggered)(?<!were\striggered)(?<!been\striggered)"
    r"(?<!\bbe\striggered)(?<!\bis\striggered)(?<!are\striggered)\b"
    r"(?!\s+(?:by|when|an?\s+alerts?|alerts?|alarms?|an?\s+alarm|pages?|"
    r"our\s+(?:alert|monitor|on-call)\w*|a\s+failover|failover|automatic\w*))|"
    r"verursach(?:t|en|te)\b(?!\s+durch)"
)
_CAUSE_NOUN_PRE = frozenset(
    "the a an its this that possible potential likely probable suspected root main "
    "primary underlying actual exact real true initial leading apparent presumed "
    "single common same identified known obvious direct ultimate immediate specific "
    "one no any la une le des les of several multiple other many these two most "
    "more prime principal key final technical their our confirmed proximate "
    "preliminary plausible".split()
)
_CAUSE_NOUN = _rxw(
    r"causes?\b(?![\s-]+(?:analys[ie]s|analy|investigation|review)|\s+for\s+concern)|"
    r"root[\s-]+causes?\b(?![\s-]+(?:analys[ie]s|analy|investigation|review))|"
    r"culprits?\b|source\s+of\b|"
    + _each(
        "the|a|likely|probable|possible|potential|main|primary|actual|real",
        r"\s+sources?\b(?!\s+(?:code|files?|ip|address|of\s+truth))",
    )
    + r"|origins?\s+of\b|"
    + _each(
        "the|a|main|primary|likely|possible|probable|root|underlying|actual|real",
        r"\s+reasons?\s+(?:for|behind|why)\b",
    )
    + "|"
    + _each(
        "the|a|likely|probable|possible|potential|initial|main|primary|actual|"
        "underlying",
        r"\s+triggers?\b",
    )
    + r"|contribut(?:ing|ory)\s+factors?\b|explanations?\b|"
    r"underlying\s+(?:issue|problem|fault|bug|defect)s?\b|"
    r"ursachen?\b|ausl[öo]ser\b|origine\b"
)
_NOT_A_NAME = (
    r"(?!(?:not|still|being|yet|under|currently|known|now|identified|understood|clear|"
    r"confirmed|determined|found|fixed|resolved|addressed|mitigated|tbd|pending|"
    r"also|what|why|how|something|unknown|unclear|undetermined|uncertain|subset|"
    r"handful|portion|percentage|number|region|single|specific|"
    r"noch|encore)\b)"
)
_OF_PHRASE = (
    r"(?:\s+(?:of|for|behind)(?:\s+(?!(?:and|but|which|that|we|are|is|was|has|have|"
    r"will|to|as)\b)[\w'/-]+){1,6}?)?"
)
_CAUSE_WORD = (
    r"(?:(?:root[\s-]+|underlying\s+|suspected\s+|likely\s+|probable\s+|possible\s+|"
    r"potential\s+)?(?:cause|culprit|source|trigger|reason|origin)|ursache|la\s+cause)"
)
# A cause that is actually named ("the root cause was an expired certificate").
_NAMING = (
    _rxw(rf"\b{_CAUSE_WORD}{_OF_PHRASE}\s*:\s*(?=\w)"),
    _rxw(
        rf"\b{_CAUSE_WORD}{_OF_PHRASE}\s+(?:is|was|were|are|has\s+been|had\s+been|"
        r"turned\s+out\s+to\s+be|appears\s+to\s+be|seems\s+to\s+be|looks\s+to\s+be|"
        r"(?:is|was)\s+believed\s+to\s+be|(?:(?:has|have|had)\s+been\s+|was\s+|"
        r"were\s+|been\s+)?(?:identified|confirmed|determined|traced|narrowed\s+down|"
        r"isolated|found|established|diagnosed)\s+(?:as|to\s+be|to))\s+"
        rf"{_NOT_A_NAME}\w"
    ),
    _rxw(
        r"\b(?:(?:identified|determined|confirmed|found|traced|pinpointed|diagnosed|"
        r"established)\s+(?:the\s+)?(?:root\s+|underlying\s+)?(?:cause|source|culprit|"
        r"trigger|issue|problem|fault)|(?:isolated|narrowed\s+down)\s+(?:the\s+)?"
        rf"(?:root\s+|underlying\s+)?(?:cause|source|culprit|trigger)){_OF_PHRASE}\s+"
        rf"(?:as|to\s+be|to)\s+{_NOT_A_NAME}\w"
    ),
    _rxw(
        r"\b(?:is|was|were|are|has\s+been|had\s+been|been\s+(?:identified|confirmed|"
        r"determined)\s+as|turned\s+out\s+to\s+be|appears\s+to\s+be|seems\s+to\s+be)\s+"
        r"(?:the|a|an|one\s+of\s+the)\s+(?:[\w-]+\s+){0,2}?(?:cause|culprit|source|"
        r"trigger|reason|contributing\s+factor|contributor)\b"
        r"(?!\s+(?:analysis|investigation|for\s+concern))"
    ),
)

# ---- diagnoses (count only under a hedge) ---------------------------------------

_DIAG = (
    _rxw(rf"\b(?:{_INFRA}|traffic|load)(?:[\s-]+[\w]+)?[\s-]+{_PROBLEM}s?\b"),
    _rxw(rf"\b{_INFRA}[\s-]related\b"),
    _rxw(
        rf"\b{_PROBLEM}s?{_COPULA_CHAIN}\s+(?:with|in|on|at|within|inside|affecting|"
        rf"impacting|involving|from)\s+{_DET}(?:[\w-]+\s+){{0,3}}?{_INFRA}\b"
    ),
    _rxw(rf"\b(?:{_MECH})\b"),
    _rxw(rf"\b{_BAD}\s+(?:[\w-]+\s+){{0,2}}?{_BAD_THING}\b"),
    _rxw(rf"\b{_INFRA}(?:\s+[\w-]+){{0,2}}?\s+(?:{_AUX}\s+)?{_FAIL_PRED}\b"),
    _rxw(
        rf"\bon\s+our\s+(?:end|side)\b|\bconsistent\s+with\s+(?:an?\s+|the\s+)?"
        rf"(?:[\w-]+\s+){{0,2}}?{_PROBLEM}s?\b"
    ),
    _rxw(
        rf"\b(?:coming|originating|stemming)\s+from\s+{_DET}(?:[\w-]+\s+){{0,3}}?"
        rf"(?:{_INFRA}|{_TP_ANY})\b"
    ),
)
# "we think we've found the problem": a hedged claim to know the cause.
_FOUND = _rxw(
    r"\b(?:found|identified|isolated|pinpointed|located|tracked\s+down|"
    r"narrowed\s+down|discovered|spotted|uncovered|traced)\s+"
    r"(?:what\s+(?:[\w']+\s+){0,4}?)?(?:(?:the|a|an|this|that)\s+)?(?:[\w-]+\s+)?"
    r"(?:problem|issue|cause|culprit|bug|source|fault|trigger)s?\b|"
    r"\b(?:believe|think|suspect)d?\s+(?:to\s+be|is|was|are|were)\s+(?:the|a|an)\s+"
    r"(?:[\w-]+\s+){0,2}?(?:problem|issue|cause|culprit|bug|source|fault|trigger)\b"
)
_IMPACT_FRAME = _rxw(
    r"\b(?:users?|customers?|you|accounts?|merchants?|members?|people|clients?|"
    r"visitors?|subscribers?|some|many|few|requests?)\b[^.;,]{0,30}?\b(?:experienc\w*|"
    r"see|sees|seeing|saw|notic\w+|encounter\w*|hav(?:e|ing)|get(?:ting)?|receiv\w+|"
    r"report\w*|hit(?:ting)?|run(?:ning)?\s+into|fac(?:e|es|ing)|affected\s+by|"
    r"impacted\s+by)\b"
)
_RECOVERY = _rxw(
    r"\b(?:resolved|recovered|recovering|restored|fixed|mitigated|stable|"
    r"stabili[sz]ed|back\s+to\s+normal|operating\s+normally|operational|"
    r"working\s+(?:normally|again|as\s+expected|correctly|properly)|healthy|"
    r"subsided|cleared|improv\w+|returned\s+to|returning\s+to|no\s+longer|"
    r"resolution|resolve[sd]?|solved)\b"
)
_WHAT_BEFORE = _rx(r"\b(?:what|whatever|which\s+\w+)(?:\s+[\w']+){0,3}\s*$")
_TEAM_BEFORE = _rx(
    r"\b(?:team|teams|engineers?|person|people|we|who|staff|owners?|you)\s+"
    r"(?:(?:is|are|was|were|be|been)\s+)?$"
)
_PACE = _rx(r"\b(?:tak(?:e|es|ing)|took|slow\w*|longer|delayed|time|hours?|minutes?)\b")
_SUPPORT = _rx(r"\bsupport\b|\bresponse\s+times?\s+(?:to|for)\s+tickets\b")
_PRONOUN = _rx(r"\b(?:this|it|that|which)\b")
_HEDGE_ADJ_END = _rx(r"\b(?:possible|potential|likely|probable|suspected)\s+$")
_COPULA_START = _rx(r"\s*(?:is|was|were|are|has|had|been|turned|appears|seems)")
_NOUN_LINK = _rx(
    r"(?:connection|link|correlation|relationship)s?\s|coincid|"
    r"(?:something|everything|anything|a\s+lot)\s"
)
# What is left of a subject after "that"/"which" when it is only a verb chain.
_NO_SUBJECT = _rx(
    r"^\s*(?:(?:that|which|who)\s+)?(?:(?:is|are|was|were|has|have|had|been|be|may|"
    r"might|could|can|will|would|must|seems?|appears?|to|also|likely|probably|"
    r"possibly|potentially|in\s+turn|then|ultimately|directly|currently|now)\s+)*$"
)
_BLAME_SUBJ = _rx(r"responsible|at\s+fault|to\s+blame|behind|contribut")
_CONSEQUENCE_AFTER = _rx(
    r"^\s*(?:(?:[\w'-]+\s+){0,5}?(?:may|might|could|will|would|can|should|must|won't|"
    r"can't|cannot)\b|(?:you|your|we\s+(?:are|need|want|will|would|have\s+to)|"
    r"we're|we'll|we've\s+(?:seen|had)|this\s+(?:will|helps?|allows?|ensures?)|"
    r"it\s+(?:will|helps?|allows?|ensures?)|doing\s+so|otherwise|"
    r"(?:this|it)\s+(?:is|was)\s+(?:an?|the)|of\s+this)\b)"
)
_IMPLIED = _rxw(
    r"\b(?:after|following|since)\s+(?:the|a|an|our|last\s+night's|yesterday's|"
    r"today's|this\s+morning's|earlier)\s+(?:(?:recent|latest|new|earlier|scheduled|"
    r"planned|[\w-]+)\s+){0,2}?(?:deploy(?:ment)?|release|change|update|upgrade|"
    r"migration|rollout|patch|config(?:uration)?\s+change)s?\b"
)

# ---- sentence structure ---------------------------------------------------------

_ABBREVIATIONS = frozenset(
    "e.g i.e etc vs approx dr mr mrs ms inc ltd co st no nr fig al cf ca est"
    " z.b bzw usw ggf".split()
)
# "e.g", "u.s", a lone initial: a full stop that ends no sentence.
_INITIALS = re.compile(r"(?:[^\W\d_]\.)*[^\W\d_]")
_NON_SPACE = re.compile(r"\S")
_SENTENCE_END = re.compile(r"[.!?]+[\"')\]”’»]*(?=\s|$)|\n")
# "... and we are", "... and it seems": a new clause with its own subject.
_AND_CLAUSE = (
    r"(?:we|we're|we've|we'll|we'd|they|it|it's|this|these|users|customers|"
    r"our\s+team|our\s+engineers)\b"
)
_CLAUSE_SPLIT = _rx(
    r";|\s[—–-]\s|\s+but\s+|\s+and\s+(?=" + _AND_CLAUSE + r")|,\s+but\s+|"
    r",\s*however\b|,\s+(?:although|though|whereas)\b|"
    r",\s+and\s+(?=" + _AND_CLAUSE + r")|\bhowever,"
)
_IMPERATIVE_START = frozenset(
    "please do don't dont avoid retry try wait refresh clear make ensure check "
    "contact use reach sign log update re-run rerun restart reinstall switch "
    "consider visit keep hold pause stop resubmit re-submit reconnect reload open "
    "close go follow if kindly remember note bitte veuillez merci".split()
)
_FIRST_WORD = re.compile(r"[\s*>#\-+•\d.)]*([\w'’-]+)")
_PLEASE = _rx(r"\b(?:please|kindly|bitte|veuillez)\b")

# Same-length rewrites keep every offset valid for the original text.
_CURLY_APOSTROPHE = re.compile(r"(?<=\w)’(?=\w)")
_MASKS = (
    re.compile(r"(?:https?://|www\.)\S+"),
    re.compile(r"`[^`\n]*`"),
    re.compile(r"^[ \t]*>.*$", re.MULTILINE),
    re.compile(r"\"[^\"\n]{1,400}\""),
    re.compile(r"“[^”\n]{0,400}”"),
    re.compile(r"„[^“”\n]{0,400}[“”]"),
    re.compile(r"«[^»\n]{0,400}»"),
    re.compile(r"‘(?:[^’\n]|’(?=\w)){0,400}’(?!\w)"),
    re.compile(r"(?<![\w'])'(?=[^\s'])(?:[^'\n]|'(?=\w)){0,400}?(?<=\S)'(?![\w])"),
)

_HEDGE_MESSAGE = (
    "This guesses at the cause ({words}). Customers read a guess as a fact; "
    "say what they see and what you are doing, and name a cause only once it "
    "is confirmed."
)
_HEDGE_SUGGESTION = (
    "We are investigating the cause of this issue and will share it once it is "
    "confirmed."
)
_BLAME_MESSAGE = (
    "This names a third party (or an attack) as the cause or the failing party "
    "before the cause is confirmed. A wrongly blamed supplier is hard to take back."
)
_BLAME_SUGGESTION = (
    "We are working with our provider to restore service and will post our next "
    "update by the time stated."
)
_CAUSE_MESSAGE = (
    "This states a cause while the incident is still '{status}'. Name a cause "
    "only once it is confirmed (tick 'cause confirmed') or in the resolved "
    "update or postmortem."
)
_CAUSE_SUGGESTION = "We have identified the issue and are working on a fix."
_IMPLIED_MESSAGE = (
    "Timing words like these read as a cause. Keep them only if the cause is confirmed."
)
_IMPLIED_SUGGESTION = (
    "We are investigating errors that began at <time>; we will share the cause "
    "once it is confirmed."
)


@dataclass
class _Clause:
    start: int
    end: int
    question: bool
    imperative: bool
    hedges: list[tuple[int, int, str]] = field(default_factory=list)
    cneg: list[int] = field(default_factory=list)
    links: list[tuple[int, int, str]] = field(default_factory=list)
    crefs: list[tuple[int, int]] = field(default_factory=list)
    names: list[tuple[int, int]] = field(default_factory=list)
    diags: list[tuple[int, int]] = field(default_factory=list)
    found: list[tuple[int, int]] = field(default_factory=list)
    tps: list[tuple[int, int]] = field(default_factory=list)
    explains: list[tuple[int, int]] = field(default_factory=list)
    impacts: list[tuple[int, int]] = field(default_factory=list)
    implied: list[tuple[int, int]] = field(default_factory=list)
    recovery: bool = False


def _prepare(text: str) -> str:
    """Return text with quotes, code and links blanked out, offsets unchanged."""
    work = _CURLY_APOSTROPHE.sub("'", text)
    for pattern in _MASKS:
        work = pattern.sub(_blank, work)
    return work


def _blank(match: re.Match[str]) -> str:
    s = match.group(0)
    if len(s) <= 2:
        return s
    # Keep the quote marks so sentence punctuation around them still reads.
    return s[0] + _NON_SPACE.sub(" ", s[1:-1]) + s[-1]


def _sentences(work: str) -> list[tuple[int, int]]:
    """Split into sentence spans, once, respecting abbreviations and lists."""
    spans: list[tuple[int, int]] = []
    start = 0
    n = len(work)
    for m in _SENTENCE_END.finditer(work):
        end = m.end()
        if m.group(0) == "\n":
            # A wrapped Markdown line continues in lower case.
            nxt = work[end : end + 80].lstrip(" \t")
            if nxt[:1].islower():
                continue
        elif m.group(0).startswith("."):
            token = work[max(start, m.start() - 12) : m.start()].split()
            word = token[-1].lower() if token else ""
            if word in _ABBREVIATIONS or _INITIALS.fullmatch(word):
                continue
        if work[start:end].strip():
            spans.append((start, end))
        start = end
    if start < n and work[start:].strip():
        spans.append((start, n))
    return spans


def _lower(work: str) -> str:
    """Lower-case without changing the length (so offsets stay valid)."""
    low = work.lower()
    if len(low) == len(work):
        return low
    return "".join(ch if len(ch.lower()) != 1 else ch.lower() for ch in work)


def _split(work: str, low: str) -> list[_Clause]:
    """Sentences, then clauses, each with its question/imperative flags."""
    clauses: list[_Clause] = []
    for s_start, s_end in _sentences(work):
        sentence = low[s_start:s_end]
        tail = sentence.rstrip().rstrip("\"')]”’»*_")
        question = tail.endswith("?") or tail.endswith("？")
        first = _FIRST_WORD.match(sentence)
        first_word = first.group(1).replace("’", "'") if first else ""
        imperative = first_word in _IMPERATIVE_START or bool(_PLEASE.search(sentence))
        pos = s_start
        for m in _CLAUSE_SPLIT.finditer(sentence):
            clauses.append(_Clause(pos, s_start + m.start(), question, imperative))
            pos = s_start + m.end()
        clauses.append(_Clause(pos, s_end, question, imperative))
    return [c for c in clauses if low[c.start : c.end].strip()]


def _bucket(
    clauses: list[_Clause], starts: list[int], s: int, e: int
) -> _Clause | None:
    i = bisect_right(starts, s) - 1
    if i < 0:
        return None
    c = clauses[i]
    return c if e <= c.end else None


def _locally_negated(work: str, c: _Clause, s: int) -> bool:
    return bool(_LOCAL_NEG.search(work[max(c.start, s - 60) : s]))


def _clause_negated(c: _Clause, s: int, hedges: list[tuple[int, int, str]]) -> bool:
    for n in c.cneg:
        if n < s and not any(h[0] <= n < h[1] for h in hedges):
            return True
    return False


def _is_self_object(obj: str, generic: bool) -> bool:
    """True when a link's cause is the incident itself or our planned work."""
    # "due to scheduled maintenance" explains planned work; "could stem from the
    # maintenance last night" blames it.
    if generic and _CONSEQUENCE.search(obj) and not _PAST_WORK.search(obj):
        return True
    if _has_suspect(obj):
        return False
    return bool(_SELF_PRONOUN.search(obj) or _SELF_HEAD.search(obj))


_GENERIC_LINK = _rx(
    r"due|because|owing|on\s+account|as\s+a|aufgrund|auf\s+grund|wegen|en\s+raison|"
    r"[àa]\s+cause|debido|d[ûu]"
)
_PAST_WORK = _rx(
    r"\b(?:last\s+night|yesterday|earlier|performed|this\s+morning|previous|recent|"
    r"completed|carried\s+out|we\s+did|we\s+performed|ran)\b"
)
_SUSPECT_WORDS = _rx(
    r"\b"
    + _union(
        _INFRA,
        _MECH,
        _BAD,
        r"traffic|load|demand|volume|usage|attack\w*|ddos|maintenance",
        _TP_ANY,
    )
    + r"\b"
)


def _has_suspect(text: str) -> bool:
    return bool(_SUSPECT_WORDS.search(text))


_SUBJECT_CUT = _rx(
    r"\b(?:that|which|who|whether|if|believe[sd]?|think|thinks|suspects?|says?|said|"
    r"told|reports?|reported|confirmed|confirms|dass|que)\b|,"
)
# How far back a causal link looks for its subject.
_LOOKBACK = 200
_PUNCT_STOP = _rx(r"[,;:.!?()]")
_OBJ_STOP = _rx(
    r"[,;:.!?()]|\s(?:and|but|so|while|which|who|where|until|before|when|we|please|"
    r"und|et|mais)\s"
)


def _object_of(work: str, c: _Clause, e: int) -> tuple[str, int]:
    """The words a causal link points at, up to the end of their phrase."""
    rest = work[e : min(c.end, e + 120)]
    # "a link between the errors and a recent deploy" names both sides.
    stop = _PUNCT_STOP if work[max(c.start, e - 7) : e] == "between" else _OBJ_STOP
    m = stop.search(rest)
    obj = rest[: m.start()] if m else rest
    return obj, e + len(obj.rstrip())


def _collect(work: str, clauses: list[_Clause]) -> None:
    """Run each pattern once over the text and file its matches under clauses.

    Patterns that only matter under a hedge, or next to a supplier's name, run
    only over the clauses that have one: that keeps long updates cheap.
    """
    starts = [c.start for c in clauses]

    def scan(
        pattern: re.Pattern[str], only: list[_Clause] | None = None
    ) -> list[tuple[_Clause, int, int]]:
        found: list[tuple[_Clause, int, int]] = []
        gate = _GATES.get(pattern)
        if gate is not None and not any(word in work for word in gate):
            return found
        if only is None:
            for m in pattern.finditer(work):
                c = _bucket(clauses, starts, m.start(), m.end())
                if c is not None:
                    found.append((c, m.start(), m.end()))
        else:
            for c in only:
                for m in pattern.finditer(work, c.start, c.end):
                    found.append((c, m.start(), m.end()))
        return found

    for pattern, kind in _HEDGE_PATTERNS:
        for c, s, e in scan(pattern):
            c.hedges.append((s, e, kind))
    for c, s, _e in scan(_CLAUSE_NEG):
        c.cneg.append(s)
    for pattern, kind in _LINK_PATTERNS:
        for c, s, e in scan(pattern):
            c.links.append((s, e, kind))
    for c, s, e in scan(_CAUSE_NOUN):
        c.crefs.append((s, e))
    for c, s, e in scan(_ATTACK):
        c.tps.append((s, e))
    for c, s, e in scan(_IMPLIED):
        c.implied.append((s, e))
    for c, _s, _e in scan(_RECOVERY):
        c.recovery = True
    named = [c for c in clauses if c.crefs or _NAME_HINT.search(work, c.start, c.end)]
    for pattern in _NAMING:
        for c, s, e in scan(pattern, named):
            c.names.append((s, e))
    suppliers = [c for c in clauses if _TP_NAME.search(work, c.start, c.end)]
    for pattern in _TP_FRAMES:
        for c, s, e in scan(pattern, suppliers):
            # "Sign in with Google is unavailable" is our feature failing.
            if pattern in _TP_SAAS_HEADED and work[max(0, s - 9) : s].endswith(
                _NOT_VIA
            ):
                continue
            c.tps.append((s, e))
    hedged = [c for c in clauses if c.hedges]
    for pattern in _DIAG:
        for c, s, e in scan(pattern, hedged):
            c.diags.append((s, e))
    for c, s, e in scan(_FOUND, hedged):
        c.found.append((s, e))
    for c, s, e in scan(_EXPLAIN, hedged):
        c.explains.append((s, e))
    for c, s, e in scan(_IMPACT_FRAME, hedged):
        c.impacts.append((s, e))


_HEDGE_PATTERNS = (
    (_HEDGE_INHERENT, "inherent"),
    (_RULE_OUT, "ruleout"),
    (_HEDGE_VERB, "verb"),
    (_HEDGE_ADV, "adv"),
    (_HEDGE_MODAL, "modal"),
)
_LINK_PATTERNS = (
    (_LINK_OBJ, "obj"),
    (_LINK_BECAUSE, "because"),
    (_LINK_RELATED, "related"),
    (_LINK_SUBJ, "subj"),
    (_LINK_STRONG, "strong"),
    (_LINK_WEAK, "weak"),
)
# Substrings without which a pattern cannot match: a C-speed `in` test skips the
# pattern for the many updates that never use the word (tested for each).
_GATES: dict[re.Pattern[str], tuple[str, ...]] = {
    _RULE_OUT: ("rule",),
    _IMPLIED: ("after", "following", "since"),
    _ATTACK: (
        "attack",
        "ddos",
        "dos",
        "denial",
        "malicious",
        "actor",
        "hack",
        "botnet",
        "credential",
        "ransomware",
        "intrusion",
        "angriff",
        "attaque",
        "ataque",
    ),
    _LINK_BECAUSE: ("because",),
    _LINK_WEAK: ("involv", "implicat"),
    _LINK_STRONG: (
        "broke",
        "down",
        "knocked",
        "overwhelmed",
        "crashed",
        "disrupted",
        "corrupted",
        "introduced",
    ),
    _HEDGE_INHERENT: (
        "suspect",
        "theor",
        "hypoth",
        "lean",
        "lead",
        "vermut",
        "verdacht",
        "soup",
        "sospech",
        "suspicion",
    ),
    _CAUSE_NOUN: (
        "caus",
        "culprit",
        "source",
        "origin",
        "reason",
        "trigger",
        "contribut",
        "explanation",
        "underlying",
        "ursache",
        "ausl",
    ),
    _LINK_RELATED: (
        "relat",
        "link",
        "tied",
        "connect",
        "associat",
        "correlat",
        "coincid",
        "with",
        "relacion",
    ),
}
_NAME_HINT = _rxw(r"caus|culprit|source|trigger|reason|origin|ursache|contribut")


def _active_links(
    work: str, c: _Clause, hedges: list[tuple[int, int, str]]
) -> tuple[list[tuple[int, int]], list[tuple[int, int]], list[tuple[int, int]]]:
    """Causal links that name a cause other than the incident, those that point
    at a third party, and weak links that only count under a hedge."""
    active: list[tuple[int, int]] = []
    blame: list[tuple[int, int]] = []
    weak: list[tuple[int, int]] = []
    for s, e, kind in c.links:
        if _locally_negated(work, c, s) or _clause_negated(c, s, hedges):
            continue
        # A bounded look back keeps very long clauses linear.
        b_start = max(c.start, s - _LOOKBACK)
        before = work[b_start:s]
        if kind == "related" and not _NOUN_LINK.match(work[s:e]):
            if not (_RELATED_PRE.search(before) or _ADVERBS_ONLY.match(before)):
                continue
        if kind in ("obj", "because", "related", "weak"):
            if kind == "because" and (
                c.imperative or _CONSEQUENCE_AFTER.match(work[e : min(c.end, e + 120)])
            ):
                continue
            if _WHAT_BEFORE.search(before) and kind != "related":
                continue
            obj, obj_end = _object_of(work, c, e)
            generic = bool(_GENERIC_LINK.match(work[s:e])) or kind == "because"
            if not obj.strip() or _is_self_object(obj, generic):
                continue
            # "an issue related to billing" is a topic, not a cause; "because
            # reports are being regenerated" explains, it does not diagnose.
            if kind in ("related", "because", "weak") and not _has_suspect(obj):
                continue
            # "support may be slow because of the volume of requests", "the fix
            # is taking longer due to the size of the database"
            if generic and (
                _SUPPORT.search(before)
                or (_CONSEQUENCE.search(before) and _PACE.search(before))
            ):
                continue
            span = (s, max(e, obj_end))
            if kind == "weak":
                weak.append(span)
                continue
            if _TP_NAME.search(obj) or _ATTACK.search(obj):
                blame.append(span)
            active.append(span)
        else:
            if _WHAT_BEFORE.search(before):
                continue
            word = work[s:e]
            if _TEAM_BEFORE.search(before) and _BLAME_SUBJ.search(word):
                continue
            # "possible causes" is a noun, handled as a cause reference.
            if word.startswith("cause") and _prev_word(work, c, s) in _CAUSE_NOUN_PRE:
                continue
            # The nearest subject: "our provider says that <a fiber cut> may be
            # responsible" blames the fiber cut, not the provider.
            subject = before
            for cut in reversed(list(_SUBJECT_CUT.finditer(before))):
                tail = before[cut.end() :]
                if tail.strip() and not _NO_SUBJECT.match(tail):
                    subject = tail
                    break
            if not subject.strip():
                continue
            if kind == "strong" and not _has_suspect(subject):
                continue
            # "This outage is causing delays" is the incident itself; "this is
            # responsible" still blames whatever "this" is.
            if not _has_suspect(subject) and (
                _SELF_HEAD.search(subject)
                or (_PRONOUN.search(subject) and not _BLAME_SUBJ.search(word))
            ):
                continue
            lead = b_start + len(before) - len(subject.lstrip())
            if _TP_NAME.search(subject) or _ATTACK.search(subject):
                blame.append((lead, e))
            active.append((lead, e))
    return active, blame, weak


def _cause_refs(
    work: str, c: _Clause, hedges: list[tuple[int, int, str]]
) -> list[tuple[int, int]]:
    """Cause nouns that are neither being searched for nor denied."""
    out: list[tuple[int, int]] = []
    for s, e in c.crefs:
        if _locally_negated(work, c, s) or _clause_negated(c, s, hedges):
            continue
        word = work[s:e]
        if word.startswith("cause"):
            # "may cause delays" is a verb; "the cause", "cause: ..." are nouns.
            prev = _prev_word(work, c, s)
            if prev and prev not in _CAUSE_NOUN_PRE:
                if not work[e : e + 4].lstrip().startswith((":", "of")):
                    continue
        before = work[max(c.start, s - 60) : s]
        if _SEARCH_BEFORE.search(before):
            # "investigating possible causes" searches; "a potential cause" guesses.
            if not _HEDGE_ADJ_END.search(before) or word.endswith("s"):
                continue
        if _UNKNOWN_AFTER.match(work[e : min(c.end, e + 90)]):
            continue
        out.append((s, e))
    return out


def _prev_word(work: str, c: _Clause, s: int) -> str:
    words = work[max(c.start, s - 24) : s].split()
    return words[-1].strip(",:;") if words else ""


def _trim(text: str, s: int, e: int) -> tuple[int, int]:
    while s < e and (text[s].isspace() or text[s] in ",;:-–—*>#"):
        s += 1
    while e > s and (text[e - 1].isspace() or text[e - 1] in ",;:.!?-–—*"):
        e -= 1
    return s, e


def _finding(
    text: str, rule: str, severity: str, s: int, e: int, message: str, suggestion: str
) -> Finding | None:
    s, e = _trim(text, s, e)
    if not 0 <= s < e <= len(text):
        return None
    return Finding(rule, severity, s, e, text[s:e], message, suggestion)


def _modal_attached(
    work: str, h: tuple[int, int, str], elements: list[tuple[int, int]]
) -> tuple[int, int] | None:
    for s, e in elements:
        if s <= h[0] < e:
            return (s, e)
        if h[1] <= s <= h[1] + 80 and _MODAL_GAP.fullmatch(work, h[1], s):
            return (s, e)
    return None


def _check_clause(
    text: str, work: str, c: _Clause, status: str, cause_confirmed: bool
) -> list[Finding]:
    if c.question:
        return []
    # Hedges that are themselves denied ("we do not believe") say nothing.
    hedges: list[tuple[int, int, str]] = []
    for h in sorted(c.hedges):
        if h[2] == "inherent" and work[h[0] : h[0] + 7] == "suspect":
            if _SUSPECT_IMPACT.match(work[h[1] : c.end]):
                h = (h[0], h[1], "verb")
            elif work[h[0] : h[1]] == "suspected" and not _SUSPECTED_VERB.search(
                work[max(c.start, h[0] - 20) : h[0]]
            ):
                # "we took suspected hosts out of rotation": an adjective, which
                # hedges only a diagnosis next to it.
                h = (h[0], h[1], "adv")
        if h[2] in ("inherent", "ruleout") or not (
            _locally_negated(work, c, h[0]) or _clause_negated(c, h[0], c.hedges)
        ):
            hedges.append(h)
    # Negators inside "can't rule out" deny nothing.
    inherent_spans = [h for h in c.hedges if h[2] in ("inherent", "ruleout")]
    links, link_blame, weak = _active_links(work, c, inherent_spans)
    crefs = _cause_refs(work, c, inherent_spans)
    names = [
        n
        for n in c.names
        if not _locally_negated(work, c, n[0])
        and not _clause_negated(c, n[0], inherent_spans)
        and not (
            # "This is the cause of the delay" points back at the incident.
            n[0] > c.start
            and not _has_suspect(work[max(c.start, n[0] - _LOOKBACK) : n[0]])
            and _COPULA_START.match(work, n[0], n[1])
            and _SELF_HEAD.search(work[max(c.start, n[0] - _LOOKBACK) : n[0]])
        )
    ]
    # Mark the named cause too, not just "the root cause was".
    names = [(n[0], max(n[1], _object_of(work, c, n[1] - 1)[1])) for n in names]
    tps = [
        t
        for t in c.tps
        if not _locally_negated(work, c, t[0])
        and not _clause_negated(c, t[0], inherent_spans)
    ] + link_blame
    diags: list[tuple[int, int]] = []
    if not c.recovery:
        for d in c.diags:
            if _locally_negated(work, c, d[0]) or _clause_negated(
                c, d[0], inherent_spans
            ):
                continue
            if any(i[0] <= d[0] and d[0] - i[1] < 40 for i in c.impacts):
                continue
            diags.append(d)

    hit: tuple[int, int] | None = None
    hedge_hit: tuple[int, int, str] | None = None
    for h in hedges:
        kind = h[2]
        if kind == "inherent":
            hit = (h[1], c.end)
        elif kind == "modal":
            hit = _modal_attached(
                work, h, sorted(links + weak + crefs + names + diags + tps + c.explains)
            )
        else:
            # A hedge covers what follows it, or a phrase it sits inside ("our
            # processor is probably at fault"), not what its clause said before.
            candidates = [
                el for el in links + weak + names + diags + tps if el[1] > h[0]
            ]
            # A cause noun after the hedge, or inside a named cause ("the cause
            # is likely X" hedges the naming wherever the hedge sits).
            candidates += [
                cr
                for cr in crefs
                if cr[0] >= h[1] or any(n[0] <= cr[0] < n[1] for n in names)
            ]
            candidates += [f for f in c.found if f[0] >= h[0]]
            if candidates:
                hit = (min(x[0] for x in candidates), max(x[1] for x in candidates))
        if hit is not None:
            hedge_hit = h
            break

    out: list[Finding] = []
    if hedge_hit is not None and hit is not None:
        words = text[hedge_hit[0] : hedge_hit[1]].strip()
        s, e = min(hedge_hit[0], hit[0]), max(hedge_hit[1], hit[1])
        f = _finding(
            text,
            "hedged-cause",
            "block",
            s,
            e,
            _HEDGE_MESSAGE.format(words=f"'{words}'"),
            _HEDGE_SUGGESTION,
        )
        return [f] if f else []
    if tps and not cause_confirmed:
        s, e = min(tps)
        f = _finding(
            text, "third-party-blame", "block", s, e, _BLAME_MESSAGE, _BLAME_SUGGESTION
        )
        if f:
            out.append(f)
    elif (links or names) and status in _EARLY_STATUSES and not cause_confirmed:
        s, e = min(links + names)
        f = _finding(
            text,
            "unconfirmed-cause",
            "block",
            s,
            e,
            _CAUSE_MESSAGE.format(status=status),
            _CAUSE_SUGGESTION,
        )
        if f:
            out.append(f)
    elif (
        c.implied
        and not links
        and not names
        and status in _EARLY_STATUSES
        and not cause_confirmed
    ):
        s, e = c.implied[0]
        f = _finding(
            text, "implied-cause", "warn", s, e, _IMPLIED_MESSAGE, _IMPLIED_SUGGESTION
        )
        if f:
            out.append(f)
    return out


def check_speculation(
    text: str, *, status: str = "investigating", cause_confirmed: bool = False
) -> list[Finding]:
    """Find guessed, unconfirmed or blame-shifting cause statements in update text."""
    if not text or not text.strip():
        return []
    status = (status or "").strip().lower()
    if status not in STATUSES:
        # An unknown status gets the strictest treatment rather than none.
        status = "investigating"
    work = _prepare(text)
    low = _lower(work)
    clauses = _split(work, low)
    if not clauses:
        return []
    _collect(low, clauses)
    findings: list[Finding] = []
    for c in clauses:
        findings.extend(_check_clause(text, low, c, status, cause_confirmed))
    return findings
