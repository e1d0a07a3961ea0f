"""A network folder is private to its owner: folders 0700, files without group/other access.

It holds every org's private keys (MSP and TLS keys, the chaincode TLS client key inside the
CCaaS packages and the peers' ``connection.json`` copies), so nothing in it is readable by other
local users. Processes the manager starts (Fabric tools, nodes, CAs, chaincode servers) run with
umask 077, so what they write later (a peer's chaincode build folder) is private too.
"""

from __future__ import annotations

import contextlib
import os
import stat
from collections.abc import Iterator
from pathlib import Path

__all__ = ["PRIVATE_UMASK", "make_private", "private_umask", "world_accessible"]

PRIVATE_UMASK = 0o077


@contextlib.contextmanager
def private_umask() -> Iterator[None]:
    """Run the block (and the processes it starts) with umask 077."""
    previous = os.umask(PRIVATE_UMASK)
    try:
        yield
    finally:
        os.umask(previous)


def _private(path: Path, mode: int) -> None:
    wanted = stat.S_IMODE(mode) & 0o700
    if stat.S_ISDIR(mode):
        wanted |= 0o700
    if wanted != stat.S_IMODE(mode):
        with contextlib.suppress(FileNotFoundError):
            path.chmod(wanted)


def make_private(folder: Path) -> None:
    """Remove group and other access below ``folder`` (itself included); folders become 0700.

    Symbolic links are not followed; entries that vanish meanwhile are skipped.
    """
    if not folder.is_dir():
        return
    _private(folder, folder.lstat().st_mode)
    for root, dirs, files in os.walk(folder):
        for name in (*dirs, *files):
            path = Path(root) / name
            try:
                mode = path.lstat().st_mode
            except FileNotFoundError:
                continue
            if not stat.S_ISLNK(mode):
                _private(path, mode)


def world_accessible(folder: Path) -> list[str]:
    """Entries below ``folder`` that group or others may access, as ``mode path`` lines."""
    found: list[str] = []
    for root, dirs, files in os.walk(folder):
        for name in (*dirs, *files):
            path = Path(root) / name
            mode = path.lstat().st_mode
            if not stat.S_ISLNK(mode) and stat.S_IMODE(mode) & 0o077:
                found.append(f"{stat.S_IMODE(mode):04o} {path.relative_to(folder)}")
    return found
