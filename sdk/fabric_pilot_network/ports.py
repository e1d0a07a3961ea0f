"""The port plan: every listening port of a network, derived from one base port.

Orderer admin, peer and CA operations all default to 9443 in Fabric's sample configs, so every
port is assigned here explicitly; a different ``base_port`` lets two networks coexist.
"""

from __future__ import annotations

import random
import socket
from dataclasses import dataclass

from .errors import PortClashError
from .topology import Topology

__all__ = [
    "CHAINCODE_SLOTS",
    "PortClashError",
    "PortPlan",
    "busy_ports",
    "free_base_port",
    "plan_ports",
]

CHAINCODE_SLOTS = 16
LOOPBACK = "127.0.0.1"


@dataclass(frozen=True)
class PortPlan:
    """Ports by node host name and purpose (``listen``, ``admin``, ``operations``, ...)."""

    base_port: int
    nodes: dict[str, dict[str, int]]
    chaincode: tuple[int, ...]

    def port(self, node: str, purpose: str) -> int:
        """The port that ``node`` uses for ``purpose``."""
        return self.nodes[node][purpose]

    def address(self, node: str, purpose: str = "listen") -> str:
        """``127.0.0.1:port`` for ``node`` and ``purpose``."""
        return f"{LOOPBACK}:{self.port(node, purpose)}"

    def all_ports(self) -> list[int]:
        """Every port of the plan, node ports first, then the chaincode server slots."""
        ports = [port for purposes in self.nodes.values() for port in purposes.values()]
        return [*ports, *self.chaincode]


def plan_ports(topology: Topology, base_port: int, with_ca: bool) -> PortPlan:
    """Assign ports sequentially from ``base_port``: orderers, peers, CAs, chaincode servers.

    Raises:
        ValueError: the plan would run past port 65535 or start below 1024.
    """
    next_port = base_port
    nodes: dict[str, dict[str, int]] = {}

    def take(node: str, *purposes: str) -> None:
        nonlocal next_port
        nodes[node] = {purpose: next_port + offset for offset, purpose in enumerate(purposes)}
        next_port += len(purposes)

    for orderer in topology.orderer_org.orderer_names:
        take(orderer, "listen", "admin", "operations")
    for org in topology.orgs:
        for peer in org.peer_names:
            take(peer, "listen", "chaincode", "operations")
    if with_ca:
        take(topology.orderer_org.ca_name, "listen", "operations")
        for org in topology.orgs:
            take(org.ca_name, "listen", "operations")
    chaincode = tuple(range(next_port, next_port + CHAINCODE_SLOTS))
    last = chaincode[-1]
    if base_port < 1024 or last > 65535:
        raise ValueError(
            f"base port {base_port} gives ports {base_port}-{last}: outside 1024-65535"
        )
    return PortPlan(base_port, nodes, chaincode)


def busy_ports(ports: list[int]) -> list[int]:
    """The ports among ``ports`` that cannot be bound on 127.0.0.1 right now."""
    busy = []
    for port in ports:
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
            # Servers bind with SO_REUSEADDR, so TIME_WAIT leftovers do not make a port busy.
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                probe.bind((LOOPBACK, port))
                probe.listen()
            except OSError:
                busy.append(port)
    return busy


# Below the ephemeral ranges (Linux 32768-60999, macOS 49152-65535): a port from which the
# kernel picks client ports can be taken by any outgoing connection at any time.
_RANDOM_BASES = range(20000, 32000, 10)


def free_base_port(topology: Topology, attempts: int = 50) -> int:
    """A random base port (20000-32000) whose whole plan is free on 127.0.0.1.

    Raises:
        RuntimeError: no free range was found in ``attempts`` tries.
    """
    generator = random.Random()
    for _ in range(attempts):
        base = generator.choice(_RANDOM_BASES)
        plan = plan_ports(topology, base, with_ca=topology.crypto == "fabric-ca")
        if plan.all_ports()[-1] < _RANDOM_BASES.stop and not busy_ports(plan.all_ports()):
            return base
    raise RuntimeError("no free port range found on 127.0.0.1")
