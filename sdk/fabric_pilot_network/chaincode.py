"""Chaincode-as-a-service lifecycle (placeholder until deploy lands)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .network import FabricNetwork


def restart_chaincode_servers(network: FabricNetwork, progress: Callable[[str], None]) -> None:
    """Start again the chaincode servers a stopped network had."""
