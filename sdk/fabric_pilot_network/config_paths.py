"""Where network-config/ is: the source tree's folder, or the copy installed with the wheel
(the data package ``fabric_pilot_network_config``)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

__all__ = ["network_config_dir"]


def network_config_dir() -> Path:
    """The network-config folder (topologies/, chaincode/, samples/)."""
    source_tree = Path(__file__).resolve().parents[2] / "network-config"
    if source_tree.is_dir():
        return source_tree
    spec = importlib.util.find_spec("fabric_pilot_network_config")
    if spec is None or not spec.submodule_search_locations:
        raise FileNotFoundError("network-config is neither in the source tree nor installed")
    return Path(next(iter(spec.submodule_search_locations)))
