"""PUBLISH_COMMAND: run after each successful build, e.g. a sync to object storage."""

from __future__ import annotations

import os
import shlex
import subprocess
from pathlib import Path

PUBLISH_TIMEOUT = 300


class PublishCommandError(Exception):
    """The publish command failed; the local build stays live."""


def run_publish_command(
    command: str | None, site_dir: Path, timeout: float = PUBLISH_TIMEOUT
) -> str | None:
    """Run `command` with the built folder as its last argument; return its output.

    The folder passed is the build itself (the symlink resolved), so a sync copies
    one consistent tree even if another build swaps the link meanwhile.
    """
    if not command or not str(command).strip():
        return None
    target = os.path.realpath(site_dir)
    argv = [*shlex.split(str(command)), target]
    try:
        done = subprocess.run(
            argv, capture_output=True, text=True, timeout=timeout, check=False
        )
    except FileNotFoundError as exc:
        raise PublishCommandError(f"{argv[0]}: command not found") from exc
    except subprocess.TimeoutExpired as exc:
        raise PublishCommandError(
            f"{argv[0]} did not finish within {timeout:.0f}s"
        ) from exc
    if done.returncode != 0:
        tail = (done.stderr or done.stdout or "").strip().splitlines()[-3:]
        detail = f": {' / '.join(tail)}" if tail else ""
        raise PublishCommandError(f"{argv[0]} exited with {done.returncode}{detail}")
    return done.stdout
