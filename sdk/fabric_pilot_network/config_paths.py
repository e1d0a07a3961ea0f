"""Where network-config/ is: the source tree's folder, or the copy installed with the wheel
(the data package ``fabric_pilot_network_config``)."""

from __future__ import annotations

import importlib.util
import shutil
from pathlib import Path

__all__ = ["copy_samples", "network_config_dir", "samples_dir"]


def network_config_dir() -> Path:
    """The network-config folder (topologies/, chaincode/, samples/)."""
    source_tree = Path(__file__).resolve().parents[2] / "network-config"
    if source_tree.is_dir():
        return source_tree
    spec = importlib.util.find_spec("fabric_pilot_network_config")
    if spec is None or not spec.submodule_search_locations:
        raise FileNotFoundError("network-config is neither in the source tree nor installed")
    return Path(next(iter(spec.submodule_search_locations)))


def samples_dir() -> Path:
    """The sample documents (taxpayers, an invoice, meter readings, evidence)."""
    return network_config_dir() / "samples"


def copy_samples(target: Path) -> list[Path]:
    """Copy every sample into ``target`` (created if needed); return the files written.

    Raises:
        FileExistsError: ``target`` already holds a file of a sample's name; nothing is copied.
    """
    sources = sorted(path for path in samples_dir().iterdir() if path.is_file())
    for source in sources:
        if (target / source.name).exists():
            raise FileExistsError(
                f"{target / source.name} already exists; not overwriting it"
                " (move it away or choose another folder)"
            )
    target.mkdir(parents=True, exist_ok=True)
    written = []
    for source in sources:
        shutil.copyfile(source, target / source.name)
        written.append(target / source.name)
    return written
