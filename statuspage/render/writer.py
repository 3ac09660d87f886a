"""The writer stage: files into a staging folder, then one atomic switch to publish.

Layout next to the site folder `out_dir` (say `instance/site`):

    instance/site -> .site.builds/site-20261126T163000-1a2b   (a symlink)
    instance/.site.builds/site-...    the live build and the one before it
    instance/.site.builds/building-...  builds in progress (never cleaned by others)

Readers follow `instance/site` and see either the old tree or the new one, never a
mix: `os.replace` of a symlink is a single rename(2).

An incremental build reuses the live build's unchanged files as hard links, made
either one by one (`SiteWriter.link_many`) or all at once by `cp -al` in another
process (`Prefill`); a file it re-renders is unlinked and written anew, never
written through a link.
"""

from __future__ import annotations

import os
import re
import secrets
import shutil
import subprocess
import tempfile
import time
from collections.abc import Collection, Iterator
from contextlib import contextmanager
from pathlib import Path

try:  # POSIX only; elsewhere concurrent publishes are simply not serialised.
    import fcntl
except ImportError:  # pragma: no cover
    fcntl = None  # type: ignore[assignment]

BUILD_PREFIX = "site-"
STAGING_PREFIX = "building-"
ORIGINAL_PREFIX = "original-"
# Crashed builds leave staging folders; after this long nobody is still writing them.
STALE_STAGING_SECONDS = 24 * 3600
_SEGMENT = re.compile(r"[A-Za-z0-9_~-][A-Za-z0-9._~-]*")


class WriterError(Exception):
    """A path is unsafe, not URL-friendly, or written twice in one build."""


def check_path(path: str) -> str:
    """Return `path` if it is relative, URL-friendly and stays inside the site."""
    segments = path.split("/")
    if not path or not all(_SEGMENT.fullmatch(s) for s in segments):
        raise WriterError(
            f"{path!r} is not a URL-friendly relative path "
            "(letters, digits, '.', '_', '-', '~', separated by '/')"
        )
    return path


class SiteWriter:
    """Writes files under one root; refuses to write the same path twice."""

    def __init__(self, root: Path, prefilled: frozenset[str] = frozenset()) -> None:
        self.root = root
        self.written: set[str] = set()
        # Paths given new contents in this build (written, copied or claimed by a
        # worker), as opposed to linked unchanged from the previous build.
        self.fresh: set[str] = set()
        self._folders: set[Path] = set()
        # Files already in `root` (hard links to the previous build's, made by
        # `Prefill`): never written through, always unlinked and replaced.
        self.prefilled = prefilled

    @property
    def files(self) -> int:
        """How many files this writer has written."""
        return len(self.written)

    def claim(self, path: str) -> Path:
        """Reserve `path` (another process will write it); refuse it twice."""
        # Two pages claiming one path is a bug in a generator or a theme; silently
        # keeping the last one would hide it (Pelican's Writer._open_w does the same).
        check_path(path)
        if path in self.written:
            raise WriterError(f"{path} would be written twice in one build")
        self.written.add(path)
        self.fresh.add(path)
        target = self.root / path
        if target.parent not in self._folders:
            target.parent.mkdir(parents=True, exist_ok=True)
            self._folders.add(target.parent)
        return target

    def _open(self, path: str, claimed: bool = False) -> Path:
        if claimed:
            check_path(path)
            self.written.add(path)
            self.fresh.add(path)
            target = self.root / path
        else:
            target = self.claim(path)
        if path in self.prefilled:
            # A link to the live site's file: writing into it would change that.
            target.unlink(missing_ok=True)
        return target

    def write_text(self, path: str, text: str, claimed: bool = False) -> Path:
        """Write `text` as UTF-8 with LF newlines to `path`."""
        target = self._open(path, claimed)
        with open(target, "w", encoding="utf-8", newline="\n") as fh:
            fh.write(text)
        return target

    def write_bytes(self, path: str, data: bytes, claimed: bool = False) -> Path:
        """Write `data` to `path`."""
        target = self._open(path, claimed)
        target.write_bytes(data)
        return target

    def link(self, source: Path, path: str) -> Path:
        """Reuse an unchanged file of the previous build (a hard link, else a copy)."""
        target = self._open(path)
        try:
            os.link(source, target)
        except OSError:  # another file system, or links not allowed
            shutil.copyfile(source, target)
        return target

    def link_many(self, source_root: Path, paths: list[str]) -> None:
        """`link` for many files at once, with plain strings: an incremental build
        reuses thousands of files and pathlib's objects cost more than link(2)."""
        src, dst = f"{source_root}/", f"{self.root}/"
        made: set[str] = set()
        for path in paths:
            # Not check_path(): every one was checked when the previous build wrote it.
            if path in self.written:
                raise WriterError(f"{path} would be written twice in one build")
            self.written.add(path)
            if path in self.prefilled:
                continue  # already linked
            folder = path.rpartition("/")[0]
            if folder and folder not in made:
                os.makedirs(dst + folder, exist_ok=True)
                made.add(folder)
            try:
                os.link(src + path, dst + path)
            except OSError:  # another file system, or links not allowed
                shutil.copyfile(src + path, dst + path)

    def copy(self, source: Path, path: str) -> Path:
        """Copy the file `source` to `path` (contents only, so builds are identical)."""
        target = self._open(path)
        shutil.copyfile(source, target)
        return target

    def drop_others(self) -> set[str]:
        """Remove the prefilled files this build did not keep or write; return them."""
        dropped = self.prefilled - self.written
        for path in sorted(dropped):
            _remove(self.root, path)
        return dropped


def _remove(root: Path, path: str) -> None:
    """Remove the file `path` under `root`, and the folders that leaves empty (as a
    full build would not have them)."""
    dst = f"{root}/"
    try:
        os.unlink(dst + path)
    except FileNotFoundError:
        pass
    folder = path.rpartition("/")[0]
    while folder:
        try:
            os.rmdir(dst + folder)
        except OSError:
            break
        folder = folder.rpartition("/")[0]


def recycle(
    live: Path, previous: Path, live_files: Collection[str], changed: Collection[str]
) -> Path | None:
    """Turn `previous` (the build `live` replaced) into a copy of `live`, to build
    the next one in, instead of linking every file of `live` anew.

    `changed` holds every path whose contents differ between the two builds: the
    files `live` wrote afresh and those it dropped. `previous` is moved to a
    staging name first (one rename), so no one serves or cleans it meanwhile; the
    changed paths are then relinked from `live` or removed. Returns the staging
    folder, or None if `previous` is gone (another process cleaned it).
    """
    builds = previous.parent
    if live.parent != builds or not previous.is_dir():
        return None
    stage = builds / f"{STAGING_PREFIX}{secrets.token_hex(6)}"
    with _lock(builds):
        try:
            os.rename(previous, stage)
            # A fresh staging folder, not a stale one for another process to clean.
            os.utime(stage)
        except OSError:
            return None
        manifest_path(previous).unlink(missing_ok=True)
    try:
        src, dst = f"{live}/", f"{stage}/"
        for path in sorted(changed):
            if path not in live_files:
                _remove(stage, path)
                continue
            try:
                os.unlink(dst + path)
            except FileNotFoundError:
                folder = path.rpartition("/")[0]
                if folder:
                    os.makedirs(dst + folder, exist_ok=True)
            os.link(src + path, dst + path)
    except OSError:
        shutil.rmtree(stage, ignore_errors=True)
        return None
    return stage


class Prefill:
    """Hard links to every file of the live build, made by `cp -al` in another
    process (so on another core) while this one reads the database and plans.

    An incremental build then starts from that copy instead of linking its
    unchanged files one by one. `take` hands the folder over only if it is a
    complete copy of the build the plan compared against; otherwise the folder is
    removed and the build goes the ordinary way.
    """

    def __init__(self, out_dir: Path, known: Collection[str] = ()) -> None:
        """Start copying, if the live build is one of `known` (whose files the
        caller knows: another process's build is not worth copying for nothing)."""
        self.source = live_build(out_dir)
        self.stage: Path | None = None
        self.proc: subprocess.Popen[bytes] | None = None
        cp = shutil.which("cp")
        if self.source is None or cp is None or str(self.source) not in known:
            return
        self.stage = _new_stage(builds_dir(out_dir))
        try:
            self.proc = subprocess.Popen(
                [cp, "-al", "--", f"{self.source}/.", str(self.stage)],
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
        except OSError:
            self.discard()

    def take(self, previous: Path | None, files: frozenset[str] | None) -> Path | None:
        """The folder, if it holds all of `previous` (whose files are `files`)."""
        if self.proc is None or self.stage is None:
            return None
        ok = self.proc.wait() == 0
        if not ok or previous is None or files is None or previous != self.source:
            self.discard()
            return None
        stage, self.stage = self.stage, None
        return stage

    def discard(self) -> None:
        """Stop the copy and remove its folder."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
        if self.proc is not None:
            self.proc.wait()
        if self.stage is not None:
            shutil.rmtree(self.stage, ignore_errors=True)
            self.stage = None


def builds_dir(out_dir: Path) -> Path:
    """The folder holding the builds behind `out_dir`."""
    return out_dir.parent / f".{out_dir.name}.builds"


def _new_stage(builds: Path) -> Path:
    builds.mkdir(parents=True, exist_ok=True)
    stage = Path(tempfile.mkdtemp(prefix=STAGING_PREFIX, dir=builds))
    # mkdtemp makes it 0700; a web server running as another user must read it.
    os.chmod(stage, 0o755)
    return stage


@contextmanager
def staging(out_dir: Path, stage: Path | None = None) -> Iterator[Path]:
    """A fresh folder beside `out_dir` to build into (or `stage`, one made by
    `Prefill`); removed if the block raises."""
    if stage is None:
        stage = _new_stage(builds_dir(out_dir))
    try:
        yield stage
    except BaseException:
        shutil.rmtree(stage, ignore_errors=True)
        raise


@contextmanager
def _lock(builds: Path) -> Iterator[None]:
    if fcntl is None:  # pragma: no cover
        yield
        return
    with open(builds / ".lock", "w") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def live_build(out_dir: Path) -> Path | None:
    """The build folder `out_dir` serves now, if it is one of ours."""
    builds = builds_dir(out_dir)
    name = _current_build(out_dir, builds) if builds.is_dir() else None
    return builds / name if name else None


def manifest_path(build: Path) -> Path:
    """Where the fingerprints of a build are kept: beside it, not served."""
    return build.parent / f"{build.name}.manifest.json"


def write_manifest(build: Path, text: str) -> None:
    """Write a build's manifest in one step (readers never see half of one)."""
    target = manifest_path(build)
    temporary = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    temporary.write_text(text, encoding="utf-8")
    os.replace(temporary, target)


def _current_build(out_dir: Path, builds: Path) -> str | None:
    """The build `out_dir` points at, if it is one of ours."""
    if not out_dir.is_symlink():
        return None
    target = Path(os.readlink(out_dir))
    if not target.is_absolute():
        target = out_dir.parent / target
    if target.parent.resolve() != builds.resolve():
        return None
    return target.name


def _stamp() -> str:
    return time.strftime("%Y%m%dT%H%M%S", time.gmtime())


def publish(
    out_dir: Path, stage: Path, manifest: str | None = None, clean: bool = True
) -> Path:
    """Make `out_dir` serve `stage` in one atomic step; keep one previous build.

    With `clean=False` the older builds stay until `clean_builds` runs: deleting
    thousands of files need not delay the new site going live.
    """
    builds = stage.parent
    with _lock(builds):
        live = builds / f"{BUILD_PREFIX}{_stamp()}-{stage.name[len(STAGING_PREFIX) :]}"
        os.replace(stage, live)
        if manifest is not None:
            manifest_path(live).write_text(manifest, encoding="utf-8")
        try:
            previous = _current_build(out_dir, builds)
            if out_dir.exists() and not out_dir.is_symlink():
                _move_aside(out_dir, builds)
            link = out_dir.parent / f".{out_dir.name}.link-{live.name}"
            # Relative, so the instance folder can be moved or mounted elsewhere.
            os.symlink(os.path.relpath(live, out_dir.parent), link)
            os.replace(link, out_dir)
        except BaseException:
            shutil.rmtree(live, ignore_errors=True)
            manifest_path(live).unlink(missing_ok=True)
            raise
        if clean:
            _clean(builds, keep={live.name, previous})
    return live


def clean_builds(out_dir: Path, previous: str | None) -> None:
    """Remove every build but the live one and `previous` (the one it replaced)."""
    builds = builds_dir(out_dir)
    with _lock(builds):
        _clean(builds, keep={_current_build(out_dir, builds), previous})


def _move_aside(out_dir: Path, builds: Path) -> None:
    # A real folder (a first run, or one a person made) cannot be swapped atomically.
    # Empty ones go; anything else is kept, never deleted, under original-<time>.
    if out_dir.is_dir():
        try:
            out_dir.rmdir()
            return
        except OSError:
            pass
    os.replace(out_dir, builds / f"{ORIGINAL_PREFIX}{_stamp()}-{os.getpid()}")


def _clean(builds: Path, keep: set[str | None]) -> None:
    now = time.time()
    for entry in builds.iterdir():
        if entry.name.endswith(".manifest.json") and entry.is_file():
            if entry.name[: -len(".manifest.json")] not in keep:
                entry.unlink(missing_ok=True)
            continue
        if entry.name in keep or not entry.is_dir() or entry.is_symlink():
            continue
        if entry.name.startswith(BUILD_PREFIX):
            shutil.rmtree(entry, ignore_errors=True)
        elif entry.name.startswith(STAGING_PREFIX):
            # Other builds may be writing their staging folders right now.
            try:
                stale = now - entry.stat().st_mtime > STALE_STAGING_SECONDS
            except FileNotFoundError:  # that build just finished or gave up
                continue
            if stale:
                shutil.rmtree(entry, ignore_errors=True)
