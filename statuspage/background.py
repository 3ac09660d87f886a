"""Periodic jobs inside the app process (checkpoint checks, the mail worker...).

A single-machine install needs no cron or separate worker: the jobs start with the
first request the app serves. Each job must be safe to run in several processes at
once (the database decides who does what), so gunicorn workers or several machines
do no harm. `BACKGROUND_JOBS = false` turns them all off.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass

from flask import Flask

Job = Callable[[Flask], None]


@dataclass
class _Registered:
    name: str
    interval: Callable[[Flask], float]  # seconds; 0 or less: this job is off
    run: Job


_lock = threading.Lock()


def register(
    app: Flask, name: str, interval: Callable[[Flask], float], run: Job
) -> None:
    """Add a job that runs every `interval(app)` seconds once the app serves."""
    app.extensions.setdefault("statuspage_jobs", []).append(
        _Registered(name, interval, run)
    )


def start(app: Flask) -> list[threading.Thread]:
    """Start every registered job's thread (once per process); return the threads."""
    with _lock:
        if app.extensions.get("statuspage_jobs_started"):
            return []
        app.extensions["statuspage_jobs_started"] = True
    stop = app.extensions.setdefault("statuspage_jobs_stop", threading.Event())
    threads = []
    for job in app.extensions.get("statuspage_jobs", []):
        if job.interval(app) <= 0:
            continue
        thread = threading.Thread(
            target=_loop,
            args=(app, job, stop),
            name=f"statuspage-{job.name}",
            daemon=True,
        )
        thread.start()
        threads.append(thread)
    return threads


def stop(app: Flask) -> None:
    """Ask the job threads to stop after their current run."""
    event = app.extensions.get("statuspage_jobs_stop")
    if event is not None:
        event.set()


def _loop(app: Flask, job: _Registered, stop_event: threading.Event) -> None:
    while not stop_event.is_set():
        try:
            with app.app_context():
                job.run(app)
        except Exception:  # a failing run must not end the loop; the next one retries
            app.logger.exception("background job %s failed", job.name)
        stop_event.wait(job.interval(app))


def init_app(app: Flask) -> None:
    """Start the jobs with the first request, unless BACKGROUND_JOBS is off."""

    @app.before_request
    def _start_jobs() -> None:
        if app.config.get("BACKGROUND_JOBS") and not app.extensions.get(
            "statuspage_jobs_started"
        ):
            start(app)
