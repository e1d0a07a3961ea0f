"""Release tarballs: streamed downloads, safe extraction, and parts assembled from release folders.

The default source is the projects' GitHub releases, as Fabric's ``install-fabric.sh`` uses;
``--mirror URL`` (or ``FABRIC_PILOT_MIRROR``) replaces ``https://github.com`` with a server laid
out the same way (``<URL>/hyperledger/fabric/releases/download/v2.5.16/<asset>``).
"""

from __future__ import annotations

import hashlib
import platform
import shutil
import tarfile
import urllib.error
import urllib.parse
import urllib.request
import zlib
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

from ._install_home import InstallError, Part

__all__ = [
    "DEFAULT_MIRROR",
    "RELEASE_SHA256",
    "ByteProgress",
    "assemble",
    "download",
    "extract",
    "host_platform",
    "release_url",
    "unpack_sources",
]

DEFAULT_MIRROR = "https://github.com"
# SHA-256 of official release tarballs, by asset name. Add a digest here only after checking it
# against the file published by the project; assets not listed are checked by their version
# commands (and recorded in the manifest) only.
RELEASE_SHA256: Mapping[str, str] = {}
ByteProgress = Callable[[str, int, int | None], None]
_CHUNK = 1 << 16
_ARCH = {"x86_64": "amd64", "amd64": "amd64", "aarch64": "arm64", "arm64": "arm64"}
_OS = {"Linux": "linux", "Darwin": "darwin"}


def host_platform(system: str | None = None, machine: str | None = None) -> tuple[str, str]:
    """``(os, arch)`` as release assets name them, e.g. ``("linux", "amd64")``.

    Raises:
        InstallError: no release is published for this platform.
    """
    system = system or platform.system()
    machine = machine or platform.machine()
    if system not in _OS or machine.lower() not in _ARCH:
        raise InstallError(f"no Fabric release is published for {system}/{machine}")
    return _OS[system], _ARCH[machine.lower()]


def release_url(part: Part, mirror: str, os_name: str, arch: str) -> str:
    """The tarball's URL below ``mirror`` (GitHub's layout)."""
    return f"{mirror.rstrip('/')}/{part.release_path(os_name, arch)}"


def _reason(exc: BaseException) -> str:
    if isinstance(exc, urllib.error.HTTPError):
        return f"HTTP {exc.code} {exc.reason}"
    if isinstance(exc, urllib.error.URLError):
        return _reason(exc.reason) if isinstance(exc.reason, BaseException) else str(exc.reason)
    if isinstance(exc, OSError) and exc.strerror:
        return exc.strerror
    return str(exc) or type(exc).__name__


def _where(url: str) -> str:
    """``ASSET from HOST`` for a download URL (short enough for one line)."""
    parsed = urllib.parse.urlsplit(url)
    return f"{parsed.path.rsplit('/', 1)[-1]} from {parsed.netloc or parsed.scheme + ':'}"


def download(
    url: str,
    target: Path,
    label: str,
    on_bytes: ByteProgress,
    timeout: float = 20.0,
) -> str:
    """Stream ``url`` into ``target``; return the SHA-256 of what was received.

    Raises:
        InstallError: the server cannot be reached, answers an error, or sends fewer bytes than
            it announced.
    """
    digest = hashlib.sha256()
    done = 0
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response, target.open("wb") as out:
            length = response.headers.get("Content-Length")
            total = int(length) if length and length.isdigit() else None
            on_bytes(label, 0, total)
            while chunk := response.read(_CHUNK):
                out.write(chunk)
                digest.update(chunk)
                done += len(chunk)
                on_bytes(label, done, total)
    except (urllib.error.URLError, OSError, ValueError) as exc:
        raise InstallError(f"cannot download {_where(url)}: {_reason(exc)}") from exc
    if total is not None and done != total:
        raise InstallError(f"download of {_where(url)} truncated: {done} of {total} bytes")
    return digest.hexdigest()


def extract(archive: Path, target: Path) -> None:
    """Unpack a ``.tar.gz`` with the ``data`` filter (no links out, no device files).

    Raises:
        InstallError: it is not a complete tar.gz archive.
    """
    target.mkdir(parents=True, exist_ok=True)
    try:
        with tarfile.open(archive, "r:gz") as tar:
            tar.extractall(target, filter="data")
    except (tarfile.TarError, EOFError, zlib.error, OSError) as exc:
        raise InstallError(f"{archive.name} is not a complete tar.gz archive ({exc})") from exc


def _release_root(path: Path) -> Path:
    """A release folder, also when given its ``bin/`` folder."""
    if path.name == "bin" and any((path / name).is_file() for name in ("peer", "fabric-ca-server")):
        return path.parent
    return path


def unpack_sources(paths: Sequence[Path], workdir: Path) -> list[tuple[Path, str]]:
    """Release folders for ``--from`` paths (tarballs are unpacked into ``workdir``).

    Raises:
        InstallError: a path does not exist or an archive is broken.
    """
    roots = []
    for index, path in enumerate(paths):
        if path.is_dir():
            roots.append((_release_root(path), str(path)))
        elif path.is_file():
            extract(path, workdir / f"source-{index}")
            roots.append((workdir / f"source-{index}", str(path)))
        else:
            raise InstallError(f"--from {path}: no such file or folder")
    return roots


def _relative_target(relative: str) -> str | None:
    """Where a file of a release folder goes in the part folder (None: not part of a home)."""
    top, _, rest = relative.partition("/")
    if top == "sampleconfig" and rest:
        return f"config/{rest}"
    return relative if top in ("bin", "config", "builders") and rest else None


def assemble(part: Part, roots: Sequence[tuple[Path, str]], target: Path) -> str | None:
    """Copy ``part``'s files from the first release folder holding it; return that source."""
    marker = part.files[0]
    for root, source in roots:
        if not (root / marker).is_file():
            continue
        has_config = (root / "config").is_dir()
        for path in sorted(root.rglob("*")):
            relative = path.relative_to(root).as_posix()
            destination = _relative_target(relative)
            if not path.is_file() or destination is None or not part.owns(relative):
                continue
            if has_config and relative.startswith("sampleconfig/"):
                continue
            (target / destination).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(path, target / destination)
        return source
    return None
