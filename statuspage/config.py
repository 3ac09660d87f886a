"""Every setting once: its name, default and one line of help.

Values come, in order of precedence (last wins): these defaults, the optional
`statuspage.toml` named by STATUSPAGE_CONFIG, environment variables prefixed
`STATUSPAGE_`, and the test configuration.
"""

from __future__ import annotations

import json
import os
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class Setting:
    name: str
    default: Any
    help: str


DEFAULT_MAX_INTERVALS = {"SEV-1": 30, "SEV-2": 60, "SEV-3": 120, "SEV-4": 240}

SETTINGS: tuple[Setting, ...] = (
    Setting(
        "INSTANCE_PATH",
        None,
        "Folder for the default database, site and secret key; default "
        "`instance/` in the working directory.",
    ),
    Setting(
        "DATABASE_URL",
        None,
        "SQLAlchemy URL of the database; default a SQLite file "
        "`instance/statuspage.db`. PostgreSQL: "
        "`postgresql+psycopg://user@host/dbname`.",
    ),
    Setting(
        "SITE_DIR",
        None,
        "Folder the public site is built into and served from; "
        "default `instance/site`.",
    ),
    Setting(
        "SECRET_KEY",
        None,
        "Signs sessions and CSRF tokens. Default: a random key kept in "
        "`instance/secret_key`. Set it when several instances serve the composer.",
    ),
    Setting(
        "CONFIG",
        None,
        "Path of an optional `statuspage.toml` with the page's own settings "
        "(any lower-case setting name below, plus `[[components]]`).",
    ),
    Setting("PAGE_NAME", "Status", "Name of the status page, shown in its title."),
    Setting(
        "PUBLIC_URL",
        "",
        "Public address of the status site, e.g. `https://status.example.com`.",
    ),
    Setting(
        "TIME_ZONE",
        "UTC",
        "IANA time zone shown beside UTC in the composer, e.g. `Europe/Berlin`.",
    ),
    Setting(
        "THEME",
        "default",
        "Theme of the public site: a bundled theme name or a path to a theme folder.",
    ),
    Setting(
        "MAX_UPDATE_INTERVAL",
        DEFAULT_MAX_INTERVALS,
        "Longest allowed wait for the next update, in minutes, per severity "
        "(the severity policy). TOML table `[max_update_interval]`.",
    ),
    Setting(
        "BACKGROUND_JOBS",
        True,
        "Run the periodic jobs (checkpoint checks, mail worker, digests) inside the "
        "app process. Turn off when separate `statuspage worker` processes or cron "
        "run them.",
    ),
    # --- the public site (publishing) ---
    Setting(
        "SITE_REFRESH_INTERVAL",
        300,
        "Seconds between rebuilds of the public site inside the app (incremental: "
        "the uptime bars and maintenance move with time; the first one, with the "
        "first request the app serves, readies it for a fast first publish); 0 turns "
        "them off.",
    ),
    Setting(
        "PUBLISH_COMMAND",
        "",
        "Command run after each successful build with the site folder as its last "
        "argument, e.g. a sync to object storage. Its failure is reported, the "
        "local build is kept.",
    ),
    Setting(
        "APP_URL",
        "",
        "Public address of this app (the composer), where the status site's "
        "subscribe form posts, e.g. `https://app.status.example.com`; empty: the "
        "same origin as the status site.",
    ),
    Setting(
        "PAGE_ID",
        "",
        "The `page.id` in the Statuspage-compatible JSON; default 12 characters "
        "derived from PUBLIC_URL, so it stays the same across builds.",
    ),
    # --- checkpoint promises ---
    Setting(
        "CHECKPOINT_GRACE",
        0,
        "Minutes after a promised update time before the promise counts as broken.",
    ),
    Setting(
        "REMINDER_LEAD",
        5,
        "Minutes before a promised update time to remind the comms lead and commander.",
    ),
    Setting(
        "ESCALATE_EVERY",
        15,
        "Minutes between repeated alerts while an update is overdue.",
    ),
    Setting(
        "CHECK_INTERVAL",
        30,
        "Seconds between checkpoint checks inside the app; 0 turns them off.",
    ),
    Setting(
        "SLACK_WEBHOOK_URL",
        "",
        "Slack-compatible incoming webhook URL for checkpoint reminders and alerts.",
    ),
    Setting(
        "COMPOSER_URL",
        "",
        "Address of the composer, e.g. `https://status-admin.example.com`; checkpoint "
        "alerts link to the incident's next update form.",
    ),
    Setting(
        "SHOW_ON_TIME_RATE",
        False,
        'Show the on-time rate on public incident pages ("7 of 7 updates on time").',
    ),
    # --- email ---
    Setting("SMTP_HOST", "localhost", "SMTP server host."),
    Setting("SMTP_PORT", 25, "SMTP server port."),
    Setting("SMTP_USERNAME", "", "SMTP login; empty for none."),
    Setting("SMTP_PASSWORD", "", "SMTP password."),
    Setting("SMTP_TLS", "none", "`none`, `starttls` or `ssl`."),
    Setting(
        "MAIL_FROM",
        "status@example.com",
        "Sender address; the page name is used as the sender's name.",
    ),
    Setting(
        "SMTP_CONNECTIONS",
        4,
        "SMTP connections the worker keeps open in parallel.",
    ),
    Setting(
        "REDIS_URL",
        "",
        "Optional Redis URL for rate limits shared by several instances; without it "
        "a table in the database is used.",
    ),
    Setting(
        "APP_URL",
        "",
        "Public address of the app that serves `/subscribe` and the links in emails; "
        "default PUBLIC_URL.",
    ),
    Setting(
        "WORKER_IN_PROCESS",
        True,
        "Send queued email from inside the app (needs BACKGROUND_JOBS). Turn off "
        "when separate `statuspage worker` processes run.",
    ),
    Setting(
        "MAIL_SUBJECT_PREFIX",
        "[{status}]",
        "Prefix of update subjects; `{status}` and `{severity}` are filled in, e.g. "
        "`[{severity}] [{status}]`.",
    ),
    Setting("MAIL_BATCH_SIZE", 100, "Deliveries one worker connection claims at once."),
    Setting("MAIL_LEASE", 300, "Seconds a claimed delivery stays claimed."),
    Setting(
        "MAIL_MAX_AGE",
        86400,
        "Seconds a delivery keeps being retried after temporary failures.",
    ),
    Setting(
        "MAIL_SUPPRESS_AFTER",
        3,
        "Hard (5xx) failures in a row after which an address gets no more email.",
    ),
    Setting("MAIL_POLL_INTERVAL", 2.0, "Seconds an idle worker waits between polls."),
    Setting(
        "SUBSCRIBE_LIMIT_IP",
        20,
        "Subscription requests allowed per IP address per hour.",
    ),
    Setting(
        "SUBSCRIBE_LIMIT_ADDRESS",
        3,
        "Subscription requests allowed per email address per hour.",
    ),
    Setting(
        "DIGEST_SEND_EMPTY",
        False,
        "Send digests even for a period with nothing to report.",
    ),
    Setting(
        "COMPONENTS",
        [],
        "Components and groups (TOML `[[components]]` with name, group, "
        "description); `statuspage components sync` loads them.",
    ),
)

DEFAULTS: dict[str, Any] = {s.name: s.default for s in SETTINGS}
PREFIX = "STATUSPAGE_"


class ConfigError(Exception):
    """A setting has a value the app cannot use."""


def read_toml(path: str | os.PathLike[str]) -> dict[str, Any]:
    """Read a statuspage.toml into setting names (upper case)."""
    try:
        with open(path, "rb") as fh:
            data = tomllib.load(fh)
    except FileNotFoundError as exc:
        raise ConfigError(
            f"STATUSPAGE_CONFIG points at {path}, which does not exist"
        ) from exc
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path} is not valid TOML: {exc}") from exc
    known = {s.name for s in SETTINGS}
    out: dict[str, Any] = {}
    for key, value in data.items():
        name = key.upper()
        if name not in known:
            raise ConfigError(f"{path}: unknown setting {key!r}")
        out[name] = value
    return out


def read_env(environ: dict[str, str] | os._Environ[str]) -> dict[str, Any]:
    """Read STATUSPAGE_* variables; JSON values (tables, numbers) are decoded."""
    out: dict[str, Any] = {}
    for key, raw in environ.items():
        if not key.startswith(PREFIX):
            continue
        name = key[len(PREFIX) :]
        try:
            out[name] = json.loads(raw)
        except ValueError:
            out[name] = raw
    return out


def resolve(
    instance_path: Path,
    environ: dict[str, str] | os._Environ[str] | None = None,
    overrides: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Merge defaults, TOML, environment and overrides; fill the derived defaults."""
    env = read_env(os.environ if environ is None else environ)
    overrides = dict(overrides or {})
    values = dict(DEFAULTS)
    config_path = overrides.get("CONFIG", env.get("CONFIG"))
    if config_path:
        values.update(read_toml(config_path))
    values.update(env)
    values.update(overrides)
    if not values.get("DATABASE_URL"):
        values["DATABASE_URL"] = f"sqlite:///{instance_path / 'statuspage.db'}"
    if not values.get("SITE_DIR"):
        values["SITE_DIR"] = str(instance_path / "site")
    intervals = dict(DEFAULT_MAX_INTERVALS)
    intervals.update(values.get("MAX_UPDATE_INTERVAL") or {})
    values["MAX_UPDATE_INTERVAL"] = {k: int(v) for k, v in intervals.items()}
    _check_time_zone(values["TIME_ZONE"])
    return values


def _check_time_zone(name: str) -> None:
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ConfigError(f"TIME_ZONE {name!r} is not an IANA time zone") from exc
