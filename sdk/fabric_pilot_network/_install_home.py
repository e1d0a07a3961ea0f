"""The two parts of a Fabric home in the cache, their manifests, and staged installs.

Each part lives in its own folder of the per-user cache, laid out like its release archive:

    <cache>/fabric-2.5.16/{bin,config,builders/ccaas/bin}, manifest.json
    <cache>/fabric-ca-1.5.21/bin, manifest.json

A part is assembled in a staging folder next to its target, checked (layout, each binary's
version command, pinned hashes), given a manifest (versions, route, SHA-256 of every file) and
only then renamed into place, so a crash never leaves a half-written part where one is expected.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import hashlib
import json
import os
import re
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from .errors import InstallError
from .fabric_home import FABRIC_CA_VERSION, FABRIC_COMMIT, FABRIC_VERSION

__all__ = [
    "CA_PART",
    "FABRIC_PART",
    "MANIFEST",
    "PARTS",
    "InstallError",
    "Part",
    "check_layout",
    "check_versions",
    "clean_stale",
    "file_hashes",
    "install_lock",
    "place",
    "read_manifest",
    "staging",
    "verify_manifest",
    "write_manifest",
]

MANIFEST = "manifest.json"
_STAGING = ".staging-"
_RETIRED = ".retired-"
_VERSION = re.compile(r"^\s*Version:\s*v?(\S+)", re.MULTILINE)
_COMMIT = re.compile(r"^\s*Commit SHA:\s*(\S+)", re.MULTILINE)


@dataclass(frozen=True)
class Part:
    """One release of one project: what its folder must hold and how its version is asked.

    Attributes:
        files: paths every installed folder of this part must hold.
        version_commands: ``(binary in bin/, arguments...)`` that print ``Version:``.
    """

    title: str
    project: str
    version: str
    commit: str | None
    files: tuple[str, ...]
    version_commands: tuple[tuple[str, ...], ...]

    @property
    def dir_name(self) -> str:
        """``fabric-2.5.16`` / ``fabric-ca-1.5.21``."""
        return f"{self.project}-{self.version}"

    def asset(self, os_name: str, arch: str) -> str:
        """The release tarball's file name for one platform."""
        return f"hyperledger-{self.project}-{os_name}-{arch}-{self.version}.tar.gz"

    def release_path(self, os_name: str, arch: str) -> str:
        """The tarball's path below a GitHub-like base URL."""
        return f"hyperledger/{self.project}/releases/download/v{self.version}/" + self.asset(
            os_name, arch
        )

    def owns(self, relative: str) -> bool:
        """Whether a file of a release folder belongs to this part."""
        is_ca = relative.startswith("bin/fabric-ca-")
        return is_ca if self.project == "fabric-ca" else not is_ca


_FABRIC_BINS = ("configtxgen", "configtxlator", "cryptogen", "discover", "orderer", "osnadmin")
FABRIC_PART = Part(
    title=f"Fabric {FABRIC_VERSION}",
    project="fabric",
    version=FABRIC_VERSION,
    commit=FABRIC_COMMIT,
    files=(
        *(f"bin/{name}" for name in (*_FABRIC_BINS, "peer")),
        *(f"builders/ccaas/bin/{name}" for name in ("build", "detect", "release")),
        "config/core.yaml",
        "config/orderer.yaml",
        "config/configtx.yaml",
    ),
    version_commands=(
        ("peer", "version"),
        ("orderer", "version"),
        ("configtxgen", "-version"),
        ("configtxlator", "version"),
        ("cryptogen", "version"),
    ),
)
CA_PART = Part(
    title=f"Fabric CA {FABRIC_CA_VERSION}",
    project="fabric-ca",
    version=FABRIC_CA_VERSION,
    commit=None,
    files=("bin/fabric-ca-client", "bin/fabric-ca-server"),
    version_commands=(("fabric-ca-client", "version"), ("fabric-ca-server", "version")),
)
PARTS = (FABRIC_PART, CA_PART)


def check_layout(part: Part, root: Path, source: str) -> None:
    """Raise InstallError naming the first file of ``part`` that ``root`` lacks."""
    for relative in part.files:
        if not (root / relative).is_file():
            raise InstallError(f"{part.title}: {source} has no {relative}")


def _run_version(part: Part, bin_dir: Path, command: tuple[str, ...]) -> str:
    binary = bin_dir / command[0]
    try:
        completed = subprocess.run(
            [str(binary), *command[1:]], capture_output=True, text=True, timeout=30, check=False
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise InstallError(f"{part.title}: {command[0]} does not run ({exc})") from exc
    return completed.stdout + completed.stderr


def check_versions(part: Part, bin_dir: Path, exact: bool = True) -> str:
    """Run every version command of ``part`` in ``bin_dir``; return the version they agree on.

    With ``exact`` the version must be the part's own (and the commit its release commit);
    otherwise any release of the same minor version is accepted.

    Raises:
        InstallError: a binary does not run, prints no version, or the wrong one.
    """
    found = part.version
    for command in part.version_commands:
        output = _run_version(part, bin_dir, command)
        match = _VERSION.search(output)
        if not match:
            raise InstallError(f"{part.title}: '{' '.join(command)}' printed no version")
        found = match.group(1)
        minor = ".".join(part.version.split(".")[:2]) + "."
        if found != part.version and (exact or not found.startswith(minor)):
            raise InstallError(f"{part.title}: {command[0]} is version {found}")
        commit = _COMMIT.search(output)
        if exact and part.commit and not _same_commit(commit, part.commit):
            said = commit.group(1) if commit else "no commit"
            raise InstallError(
                f"{part.title}: {command[0]} reports {said}, not release commit {part.commit}"
            )
    return found


def _same_commit(match: re.Match[str] | None, expected: str) -> bool:
    if match is None:
        return False
    said = match.group(1)
    return said.startswith(expected) or expected.startswith(said)


def file_hashes(root: Path) -> dict[str, str]:
    """SHA-256 of every file below ``root`` (the manifest excluded), by relative path."""
    hashes = {}
    for path in sorted(root.rglob("*")):
        if path.is_file() and path.name != MANIFEST:
            with path.open("rb") as handle:
                hashes[path.relative_to(root).as_posix()] = hashlib.file_digest(
                    handle, "sha256"
                ).hexdigest()
    return hashes


def write_manifest(part: Part, root: Path, route: str, source: str) -> None:
    """Write ``root/manifest.json`` (atomically): versions, route, source and file hashes."""
    manifest = {
        "project": part.project,
        "version": part.version,
        "commit": part.commit,
        "route": route,
        "source": source,
        "sha256": file_hashes(root),
    }
    _write_atomically(root / MANIFEST, json.dumps(manifest, indent=2, sort_keys=True) + "\n")


def _write_atomically(path: Path, text: str) -> None:
    handle, temporary = tempfile.mkstemp(prefix=".manifest-", dir=path.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            stream.write(text)
        os.chmod(temporary, 0o644)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def read_manifest(root: Path) -> dict[str, object] | None:
    """The manifest of a part folder, or None when there is none or it is not JSON."""
    try:
        value = json.loads((root / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return value if isinstance(value, dict) else None


def verify_manifest(part: Part, root: Path) -> str | None:
    """None when ``root`` matches its manifest, else why not (no version commands are run)."""
    manifest = read_manifest(root)
    if manifest is None:
        return f"{root / MANIFEST} is missing"
    if manifest.get("version") != part.version or manifest.get("project") != part.project:
        return f"{root} holds {manifest.get('project')} {manifest.get('version')}"
    recorded = manifest.get("sha256")
    if not isinstance(recorded, dict) or any(name not in recorded for name in part.files):
        return f"{root / MANIFEST} does not list every file"
    for name, digest in sorted(recorded.items()):
        path = root / str(name)
        if not path.is_file():
            return f"{path} is missing"
        with path.open("rb") as handle:
            if hashlib.file_digest(handle, "sha256").hexdigest() != digest:
                return f"{path} changed since it was installed (SHA-256 differs)"
    return None


@contextlib.contextmanager
def install_lock(cache_root: Path) -> Iterator[None]:
    """Hold an exclusive lock on the cache while installing (concurrent installs queue)."""
    cache_root.mkdir(parents=True, exist_ok=True)
    with (cache_root / ".install.lock").open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except OSError as exc:
        return exc.errno == errno.EPERM
    return True


def clean_stale(cache_root: Path) -> list[Path]:
    """Remove staging and retired folders left by installs whose process is gone."""
    removed = []
    for path in sorted(cache_root.glob(".*-*")):
        if not path.name.startswith((_STAGING, _RETIRED)) or not path.is_dir():
            continue
        pid = path.name.split("-")[1]
        if not pid.isdigit() or (int(pid) != os.getpid() and _pid_alive(int(pid))):
            continue
        shutil.rmtree(path, ignore_errors=True)
        removed.append(path)
    return removed


@contextlib.contextmanager
def staging(cache_root: Path, name: str) -> Iterator[Path]:
    """A fresh folder in the cache (same file system as the target); removed on exit."""
    cache_root.mkdir(parents=True, exist_ok=True)
    folder = Path(tempfile.mkdtemp(prefix=f"{_STAGING}{os.getpid()}-{name}-", dir=cache_root))
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def place(built: Path, target: Path) -> None:
    """Rename a checked folder into ``target``; an existing target is retired, then removed."""
    retired = None
    if target.exists():
        retired = target.with_name(f"{_RETIRED}{os.getpid()}-{target.name}")
        shutil.rmtree(retired, ignore_errors=True)
        target.rename(retired)
    built.chmod(0o755)
    built.rename(target)
    if retired is not None:
        shutil.rmtree(retired, ignore_errors=True)
