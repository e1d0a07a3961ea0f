"""The network folder's ownership: what fabric-pilot wrote there, so ``down`` deletes only that.

``up`` takes a folder that is new, empty, or already fabric-pilot's (a failed ``up`` leaves its
logs), and refuses any other. A manifest (``.fabric-pilot.json``) in the folder records whether
fabric-pilot created the folder and the top-level entries it wrote (``crypto``, ``nodes``,
``data``, ...; a folder it wrote is its own, with everything the nodes put inside). ``down``
deletes those entries and the manifest, and the folder itself only when fabric-pilot created it
and nothing else is left: a file someone else put there is never deleted.
"""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass, field
from pathlib import Path

from .errors import FolderNotEmptyError

__all__ = ["MANIFEST", "OWNED_ENTRIES", "FolderNotEmptyError", "NetworkFolder"]

MANIFEST = ".fabric-pilot.json"
# Every top-level name the manager and the runtimes write into a network folder.
OWNED_ENTRIES = frozenset(
    {
        ".env",
        "ca",
        "chaincode",
        "channels",
        "compose.yaml",
        "config",
        "crypto",
        "data",
        "docker",
        "logs",
        "network.json",
        "network.json.tmp",
        "nodes",
        "profiles",
        "topology.yaml",
    }
)


@dataclass
class _Manifest:
    created_folder: bool
    entries: set[str] = field(default_factory=set)

    def to_json(self) -> str:
        document = {"created_folder": self.created_folder, "entries": sorted(self.entries)}
        return json.dumps(document, indent=2) + "\n"


class NetworkFolder:
    """One network folder and the manifest of what fabric-pilot wrote into it."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory

    @property
    def manifest_file(self) -> Path:
        """Where the manifest lives."""
        return self.directory / MANIFEST

    def _read(self) -> _Manifest | None:
        try:
            document = json.loads(self.manifest_file.read_text(encoding="utf-8"))
            return _Manifest(bool(document["created_folder"]), set(document["entries"]))
        except (OSError, ValueError, KeyError, TypeError):
            return None

    def _write(self, manifest: _Manifest) -> None:
        tmp = self.manifest_file.with_name(MANIFEST + ".tmp")
        tmp.write_text(manifest.to_json(), encoding="utf-8")
        tmp.replace(self.manifest_file)

    def _present(self) -> set[str]:
        names = {child.name for child in self.directory.iterdir()}
        return names - {MANIFEST, MANIFEST + ".tmp"}

    def prepare(self) -> None:
        """Make the folder ready for ``up``: create it, or check that it is empty or ours.

        Raises:
            FolderNotEmptyError: the folder holds entries fabric-pilot did not write.
        """
        if not self.directory.exists():
            self.directory.mkdir(parents=True)
            self._write(_Manifest(created_folder=True))
            return
        manifest = self._read()
        foreign = sorted(self._present() - (manifest.entries if manifest else set()))
        if foreign:
            more = f" and {len(foreign) - 3} more" if len(foreign) > 3 else ""
            shown = ", ".join(foreign[:3]) + more
            raise FolderNotEmptyError(
                f"{self.directory} is not empty and was not made by fabric-pilot (it holds"
                f" {shown}); give --dir a new or empty folder"
            )
        self._write(manifest or _Manifest(created_folder=False))

    def claim(self) -> None:
        """Record the owned entries now present (after fabric-pilot wrote them)."""
        if not self.directory.exists():
            return
        manifest = self._read() or _Manifest(created_folder=True)
        present = self._present() & OWNED_ENTRIES
        if not present <= manifest.entries or not self.manifest_file.exists():
            manifest.entries |= present
            self._write(manifest)

    def remove(self, keep_logs: bool = False) -> list[str]:
        """Delete what fabric-pilot wrote (``logs`` and the manifest stay with ``keep_logs``).

        A folder without a manifest (made by an older version) is treated as fabric-pilot's
        own, and only the names fabric-pilot writes are deleted from it.

        Returns:
            The entries left in the folder that fabric-pilot did not write.
        """
        if not self.directory.exists():
            return []
        manifest = self._read() or _Manifest(True, self._present() & OWNED_ENTRIES)
        for name in sorted(manifest.entries):
            if keep_logs and name == "logs":
                continue
            _delete(self.directory / name)
        manifest.entries &= self._present()
        kept = sorted(self._present() - manifest.entries)
        if keep_logs:
            self._write(manifest)
            return kept
        self.manifest_file.unlink(missing_ok=True)
        if manifest.created_folder and not kept:
            self.directory.rmdir()
        return kept


def _delete(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path)
    elif path.exists() or path.is_symlink():
        path.unlink()
