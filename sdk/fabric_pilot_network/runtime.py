"""The one small interface a network runtime offers: start, stop, health, logs, endpoints.

Two implementations share every other piece of the network manager (topology, crypto,
channel configuration, channels, chaincode lifecycle, profiles):

* :class:`.network.FabricNetwork`: native processes, started and stopped by PID (default);
* :class:`.docker_runtime.DockerNetwork`: containers of a compose project, brought up and
  down with ``docker compose``, inspected and driven through the Docker SDK for Python.

The CLI's ``network status|logs|stop|start|down`` and the pytest fixtures only use this
interface (plus ``status``/``down``, which both classes have too).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol, runtime_checkable

__all__ = ["Runtime"]


@runtime_checkable
class Runtime(Protocol):
    """What the commands above a network need from the way its nodes run."""

    runtime: str

    def start(self, progress: Callable[[str], None] = ...) -> None:
        """Start what is stopped and wait until each node is healthy."""

    def stop(self, progress: Callable[[str], None] = ...) -> list[str]:
        """Stop everything running (ledgers are kept); return what was stopped."""

    def health(self) -> dict[str, bool]:
        """Each node: whether it runs and reports healthy."""

    def log_tail(self, name: str, lines: int = 40) -> str:
        """The last ``lines`` lines of a node's or chaincode server's log."""

    def endpoints(self) -> dict[str, str]:
        """Each node's gRPC endpoint as reachable from the host (``127.0.0.1:PORT``)."""
