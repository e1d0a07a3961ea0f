"""Chaincode-as-a-service packages: a tar.gz holding exactly ``metadata.json`` (type ccaas)
and ``code.tar.gz`` (holding ``connection.json``), built byte-for-byte reproducibly so the
package ID (label + SHA-256 of the package) is stable."""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import os
import tarfile
from pathlib import Path
from typing import Any

from .chaincode_tls import ChaincodeTLS

__all__ = ["ccaas_package", "connection_document", "package_id"]


def _tar_gz(files: dict[str, bytes]) -> bytes:
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w", format=tarfile.USTAR_FORMAT) as archive:
        for name in sorted(files):
            info = tarfile.TarInfo(name)
            info.size = len(files[name])
            info.mode = 0o600  # connection.json holds the chaincode TLS client key
            info.mtime = 0
            archive.addfile(info, io.BytesIO(files[name]))
    return gzip.compress(raw.getvalue(), mtime=0)


def connection_document(address: str, tls: ChaincodeTLS | None) -> dict[str, Any]:
    """connection.json: where peers dial the chaincode server, and with which TLS."""
    document: dict[str, Any] = {"address": address, "dial_timeout": "10s", "tls_required": False}
    if tls is not None:
        document.update(
            {
                "tls_required": True,
                "client_auth_required": True,
                "root_cert": tls.ca_cert.read_text(),
                "client_cert": tls.client_cert.read_text(),
                "client_key": tls.client_key.read_text(),
            }
        )
    return document


def ccaas_package(label: str, address: str, tls: ChaincodeTLS | None) -> bytes:
    """The package bytes for ``label`` whose server listens on ``address``."""
    connection = json.dumps(connection_document(address, tls), indent=2, sort_keys=True)
    code = _tar_gz({"connection.json": connection.encode()})
    metadata = json.dumps({"label": label, "type": "ccaas"}, sort_keys=True).encode()
    return _tar_gz({"code.tar.gz": code, "metadata.json": metadata})


def package_id(label: str, package: bytes) -> str:
    """The package ID peers give a package: ``label:sha256hex``."""
    return f"{label}:{hashlib.sha256(package).hexdigest()}"


def write_package(path: Path, package: bytes) -> Path:
    """Write package bytes to ``path``, readable by its owner only (it holds a private key)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "wb") as handle:
        handle.write(package)
    path.chmod(0o600)
    return path
