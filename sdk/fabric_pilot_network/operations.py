"""Reading a node's operations endpoint (Prometheus metrics) over mutual TLS."""

from __future__ import annotations

import re
import ssl
import urllib.request
from pathlib import Path

__all__ = ["metric_value", "read_metrics"]


def read_metrics(address: str, ca_file: Path, client_cert: Path, client_key: Path) -> str:
    """The ``/metrics`` text of the node whose operations endpoint is ``address``."""
    context = ssl.create_default_context(cafile=str(ca_file))
    context.load_cert_chain(client_cert, client_key)
    with urllib.request.urlopen(f"https://{address}/metrics", context=context, timeout=5) as reply:
        return str(reply.read().decode())


def metric_value(metrics: str, name: str, channel: str) -> float | None:
    """The value of metric ``name`` labelled with ``channel``, or None when absent."""
    pattern = rf'^{re.escape(name)}\{{channel="{re.escape(channel)}"\}} (\S+)$'
    match = re.search(pattern, metrics, re.MULTILINE)
    return float(match.group(1)) if match else None
