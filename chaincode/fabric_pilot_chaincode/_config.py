"""Server configuration read from the CCaaS environment variables."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from ._clock import DEFAULT_MAX_CLOCK_SKEW, max_clock_skew_from
from ._server import TlsConfig

__all__ = ["ConfigError", "ServerConfig", "load_config"]

_TRUE = {"1", "true", "yes", "on"}


class ConfigError(ValueError):
    """The environment does not describe a valid server configuration."""


@dataclass(frozen=True)
class ServerConfig:
    """Everything the entry point needs to start a ChaincodeServer."""

    address: str
    chaincode_id: str
    tls: TlsConfig | None
    max_clock_skew: float = DEFAULT_MAX_CLOCK_SKEW


def _read(environ: Mapping[str, str], name: str) -> bytes:
    path = environ.get(name, "")
    if not path:
        raise ConfigError(f"{name} is required when TLS is enabled")
    try:
        return Path(path).read_bytes()
    except OSError as exc:
        raise ConfigError(f"cannot read {name} ({exc.strerror})") from None


def load_config(environ: Mapping[str, str]) -> ServerConfig:
    """Build a ServerConfig from CHAINCODE_* variables.

    Raises:
        ConfigError: When a required variable is missing or a file is unreadable.
    """
    address = environ.get("CHAINCODE_SERVER_ADDRESS", "")
    chaincode_id = environ.get("CHAINCODE_ID", "")
    if not address:
        raise ConfigError("CHAINCODE_SERVER_ADDRESS is required (host:port)")
    if not chaincode_id:
        raise ConfigError("CHAINCODE_ID is required (the package ID)")
    try:
        skew = max_clock_skew_from(environ)
    except ValueError as exc:
        raise ConfigError(str(exc)) from None
    if environ.get("CHAINCODE_TLS_DISABLED", "").strip().lower() in _TRUE:
        return ServerConfig(address, chaincode_id, None, skew)
    if not environ.get("CHAINCODE_TLS_CERT_FILE") and not environ.get("CHAINCODE_TLS_KEY_FILE"):
        return ServerConfig(address, chaincode_id, None, skew)
    client_ca = (
        _read(environ, "CHAINCODE_TLS_CLIENT_CACERT_FILE")
        if environ.get("CHAINCODE_TLS_CLIENT_CACERT_FILE")
        else None
    )
    tls = TlsConfig(
        cert_pem=_read(environ, "CHAINCODE_TLS_CERT_FILE"),
        key_pem=_read(environ, "CHAINCODE_TLS_KEY_FILE"),
        client_ca_pem=client_ca,
    )
    return ServerConfig(address, chaincode_id, tls, skew)
