"""``fabric-pilot install``: one verified Fabric home in the per-user cache, three ways to get it.

1. Default: the official release tarballs of Fabric 2.5.16 and Fabric CA 1.5.21 for this
   platform (``--mirror URL`` or ``FABRIC_PILOT_MIRROR`` for an internal copy of GitHub's
   release layout), streamed into a staging folder.
2. ``--build``: the official Go modules, each built inside its own folder with its own
   go.mod/go.sum, version and commit stamped with ``-ldflags``.
3. ``--from PATH`` (release tarballs or unpacked release folders), or ``--fabric-bin DIR`` /
   ``FABRIC_PILOT_FABRIC_BIN`` to use binaries where they are.

Whatever the route, a part (Fabric, Fabric CA) is checked before it is renamed into the cache:
every expected file, every binary's version command (2.5.16 and its release commit, 1.5.21), the
pinned SHA-256 of the tarball where one is known; then a ``manifest.json`` records the versions
and the SHA-256 of every file. Later runs only compare those hashes, so they need no network.
A part already in the cache without a manifest (laid out by hand) is checked the same way and
given one. Any failure raises :class:`InstallError`: the cause, then the ways out.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from ._install_build import ca_builds, fabric_builds, find_go, run_builds, run_go
from ._install_home import (
    CA_PART,
    FABRIC_PART,
    PARTS,
    InstallError,
    Part,
    check_layout,
    check_versions,
    clean_stale,
    install_lock,
    place,
    read_manifest,
    staging,
    verify_manifest,
    write_manifest,
)
from ._install_release import (
    DEFAULT_MIRROR,
    RELEASE_SHA256,
    ByteProgress,
    assemble,
    download,
    extract,
    host_platform,
    release_url,
    unpack_sources,
)
from .commands import Runner
from .fabric_home import FabricHome, resolve_fabric_home

__all__ = [
    "CA_PART",
    "FABRIC_PART",
    "WAYS_OUT",
    "InstallError",
    "InstallRequest",
    "ca_bin_dir",
    "fabric_home_dir",
    "install_fabric",
    "verify_fabric_bin",
]

WAYS_OUT = (
    "ways out: --mirror URL (or FABRIC_PILOT_MIRROR), --build (needs Go),"
    " --from TARBALL|DIR (or FABRIC_PILOT_FABRIC_BIN=DIR)"
)
Progress = Callable[[str], None]


def _quiet(_message: str) -> None:
    return None


def _no_bytes(_label: str, _done: int, _total: int | None) -> None:
    return None


@dataclass(frozen=True)
class InstallRequest:
    """Which route ``install_fabric`` takes (default: the release tarballs).

    Attributes:
        mirror: base URL laid out like ``https://github.com``; None: ``FABRIC_PILOT_MIRROR``
            or GitHub.
        build: build from the Go modules instead of downloading.
        sources: release tarballs or folders to install from instead of downloading.
    """

    mirror: str | None = None
    build: bool = False
    sources: tuple[Path, ...] = ()

    @property
    def explicit(self) -> bool:
        """Whether the user asked for a route (then parts are reinstalled, not reused)."""
        return self.build or bool(self.sources)


def fabric_home_dir(cache_root: Path) -> Path:
    """``<cache>/fabric-2.5.16``."""
    return cache_root / FABRIC_PART.dir_name


def ca_bin_dir(cache_root: Path) -> Path:
    """``<cache>/fabric-ca-1.5.21/bin``."""
    return cache_root / CA_PART.dir_name / "bin"


def _home(cache_root: Path) -> FabricHome:
    home = fabric_home_dir(cache_root)
    return FabricHome(
        home / "bin", home / "config", home / "builders" / "ccaas", ca_bin_dir(cache_root)
    )


def _reusable(part: Part, target: Path, progress: Progress) -> bool:
    """Whether ``target`` holds a verified ``part`` (a manifest-less one is checked, adopted)."""
    if not target.is_dir():
        return False
    if read_manifest(target) is not None:
        problem = verify_manifest(part, target)
        if problem is None:
            progress(f"{part.title}: verified in {target}")
            return True
        progress(f"{part.title}: {problem}; installing again")
        return False
    try:
        check_layout(part, target, str(target))
        check_versions(part, target / "bin")
    except InstallError as exc:
        progress(f"{part.title}: not usable ({exc}); installing again")
        return False
    try:
        write_manifest(part, target, "adopted", str(target))
    except OSError as exc:
        progress(f"{part.title}: checked in {target} (manifest not written: {exc.strerror})")
        return True
    progress(f"{part.title}: checked in {target}; manifest written")
    return True


def _finish(part: Part, built: Path, target: Path, route: str, source: str) -> None:
    check_layout(part, built, source)
    check_versions(part, built / "bin")
    write_manifest(part, built, route, source)
    place(built, target)


class _Routes:
    """The three ways to a part, sharing the cache, the reporters and the environment."""

    def __init__(
        self,
        cache_root: Path,
        *,
        progress: Progress,
        on_bytes: ByteProgress,
        environ: Mapping[str, str],
        runner: Runner,
        pinned: Mapping[str, str],
    ) -> None:
        self.cache_root = cache_root
        self.progress = progress
        self.on_bytes = on_bytes
        self.environ = environ
        self.runner = runner
        self.pinned = pinned

    def release(self, part: Part, mirror: str) -> None:
        os_name, arch = host_platform()
        url = release_url(part, mirror, os_name, arch)
        asset = part.asset(os_name, arch)
        with staging(self.cache_root, part.project) as work:
            self.progress(f"{part.title}: downloading {url}")
            digest = download(url, work / asset, part.title, self.on_bytes)
            expected = self.pinned.get(asset)
            if expected and digest != expected:
                raise InstallError(
                    f"{asset}: SHA-256 {digest[:16]}... is not the pinned {expected[:16]}..."
                )
            extract(work / asset, work / "unpacked")
            built = work / "part"
            if assemble(part, [(work / "unpacked", url)], built) is None:
                raise InstallError(f"{part.title}: {url} has no {part.files[0]}")
            _finish(part, built, self.cache_root / part.dir_name, "release", url)

    def build(self, part: Part, go: str) -> None:
        builds = fabric_builds() if part is FABRIC_PART else ca_builds()
        with staging(self.cache_root, part.project) as work:
            self.progress(f"{part.title}: building from the Go modules")
            built = work / "part"
            run_builds(builds, built, go, self.environ, runner=self.runner, progress=self.progress)
            source = ", ".join(f"{build.module}@{build.version}" for build in builds)
            _finish(part, built, self.cache_root / part.dir_name, "build", source)

    def from_sources(self, sources: Sequence[Path]) -> None:
        with staging(self.cache_root, "sources") as work:
            roots = unpack_sources(sources, work)
            for part in PARTS:
                built = work / f"part-{part.project}"
                source = assemble(part, roots, built)
                if source is None:
                    if not _reusable(part, self.cache_root / part.dir_name, self.progress):
                        names = ", ".join(str(path) for path in sources)
                        raise InstallError(f"{part.title}: not among --from {names}")
                    continue
                self.progress(f"{part.title}: installing from {source}")
                _finish(part, built, self.cache_root / part.dir_name, "from", source)


def install_fabric(
    cache_root: Path,
    request: InstallRequest = InstallRequest(),
    *,
    progress: Progress = _quiet,
    on_bytes: ByteProgress = _no_bytes,
    environ: Mapping[str, str] | None = None,
    runner: Runner = run_go,
    pinned: Mapping[str, str] = RELEASE_SHA256,
) -> FabricHome:
    """Make ``cache_root`` hold a verified Fabric home (Fabric and Fabric CA) and return it.

    Without an explicit route, parts whose manifest still matches are reused as they are
    (offline, no version commands run); the others are downloaded.

    Raises:
        InstallError: one line, the cause then the ways out (the cache is left as it was).
    """
    env = os.environ if environ is None else environ
    routes = _Routes(
        cache_root, progress=progress, on_bytes=on_bytes, environ=env, runner=runner, pinned=pinned
    )
    try:
        with install_lock(cache_root):
            clean_stale(cache_root)
            _install(routes, request, env)
    except InstallError as exc:
        raise InstallError(f"{exc}; {WAYS_OUT}") from exc
    return _home(cache_root)


def _install(routes: _Routes, request: InstallRequest, env: Mapping[str, str]) -> None:
    if request.sources:
        routes.from_sources(request.sources)
        return
    go = find_go(routes.runner, env.get("PATH")) if request.build else ""
    mirror = request.mirror or env.get("FABRIC_PILOT_MIRROR") or DEFAULT_MIRROR
    for part in PARTS:
        target = routes.cache_root / part.dir_name
        if request.build:
            routes.build(part, go)
        elif not _reusable(part, target, routes.progress):
            routes.release(part, mirror)


def verify_fabric_bin(bin_dir: Path, environ: Mapping[str, str] | None = None) -> str:
    """Check Fabric binaries a user already has (``--fabric-bin``); return their version.

    Any Fabric 2.5 release is accepted; Fabric CA is checked too when it is found there.

    Raises:
        InstallError: a file is missing or a binary is not of the right version.
    """
    env = os.environ if environ is None else environ
    home = resolve_fabric_home(bin_dir, env)
    try:
        missing = home.missing()
        if missing:
            raise InstallError(f"Fabric binaries incomplete: {missing[0]} is missing")
        version = check_versions(FABRIC_PART, home.bin_dir, exact=False)
        if home.ca_bin_dir and (home.ca_bin_dir / "fabric-ca-server").is_file():
            check_versions(CA_PART, home.ca_bin_dir, exact=False)
    except InstallError as exc:
        raise InstallError(f"{exc}; {WAYS_OUT}") from exc
    return version
