"""Chaincode-as-a-service gRPC server (the peer dials in and opens Connect streams)."""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import grpc

from ._dispatcher import ContractChaincode
from ._handler import StreamHandler
from ._protos import chaincode_shim_pb2_grpc

__all__ = ["ChaincodeServer", "TlsConfig"]

_LOG = logging.getLogger("fabric_pilot_chaincode.server")
_MAX_MESSAGE_BYTES = 100 * 1024 * 1024
_SERVER_OPTIONS = [
    ("grpc.max_send_message_length", _MAX_MESSAGE_BYTES),
    ("grpc.max_receive_message_length", _MAX_MESSAGE_BYTES),
    ("grpc.keepalive_time_ms", 60_000),
    ("grpc.keepalive_timeout_ms", 20_000),
    ("grpc.keepalive_permit_without_calls", 1),
    ("grpc.http2.min_recv_ping_interval_without_data_ms", 10_000),
    ("grpc.http2.max_ping_strikes", 0),
]


@dataclass(frozen=True)
class TlsConfig:
    """Server TLS material (PEM); a client CA turns on mutual TLS."""

    cert_pem: bytes
    key_pem: bytes
    client_ca_pem: bytes | None = None

    def credentials(self) -> grpc.ServerCredentials:
        """Build gRPC server credentials."""
        return grpc.ssl_server_credentials(
            [(self.key_pem, self.cert_pem)],
            root_certificates=self.client_ca_pem,
            require_client_auth=self.client_ca_pem is not None,
        )


class _ChaincodeService:
    """The ``protos.Chaincode`` service: one StreamHandler per Connect stream."""

    def __init__(self, server: ChaincodeServer) -> None:
        self._server = server

    def Connect(self, request_iterator: Iterator[Any], context: Any) -> Iterator[Any]:  # noqa: N802
        handler = self._server.new_handler()
        context.add_callback(handler.close)
        reader = threading.Thread(
            target=handler.consume, args=(request_iterator,), name="shim-reader", daemon=True
        )
        reader.start()
        _LOG.info("peer connected")
        try:
            yield from handler.outgoing()
        finally:
            handler.close()
            self._server.forget_handler(handler)


class ChaincodeServer:
    """Serve a ContractChaincode to Fabric peers (external chaincode / CCaaS).

    Args:
        chaincode: The dispatcher to serve.
        address: ``host:port`` to listen on (port 0 picks a free port).
        chaincode_id: The package ID (``label:sha256hex``) sent in REGISTER.
        tls: TLS material, or None for plaintext.
        max_workers: Threads that run transactions concurrently.
    """

    def __init__(
        self,
        chaincode: ContractChaincode,
        address: str,
        chaincode_id: str,
        tls: TlsConfig | None = None,
        max_workers: int = 16,
    ) -> None:
        self._chaincode = chaincode
        self._address = address
        self._chaincode_id = chaincode_id
        self._tls = tls
        self._executor = ThreadPoolExecutor(max_workers=max_workers, thread_name_prefix="tx")
        self._grpc = grpc.server(
            ThreadPoolExecutor(max_workers=8, thread_name_prefix="grpc"), options=_SERVER_OPTIONS
        )
        chaincode_shim_pb2_grpc.add_ChaincodeServicer_to_server(_ChaincodeService(self), self._grpc)
        self._handlers: set[StreamHandler] = set()
        self._lock = threading.Lock()
        self.port = 0

    def new_handler(self) -> StreamHandler:
        """Create and track the handler of a new stream."""
        handler = StreamHandler(self._chaincode, self._chaincode_id, self._executor)
        with self._lock:
            self._handlers.add(handler)
        return handler

    def forget_handler(self, handler: StreamHandler) -> None:
        """Stop tracking a finished stream."""
        with self._lock:
            self._handlers.discard(handler)

    def start(self) -> int:
        """Bind and start serving; return the bound port.

        Raises:
            RuntimeError: When the address cannot be bound.
        """
        if self._tls is None:
            port = int(self._grpc.add_insecure_port(self._address))
        else:
            port = int(self._grpc.add_secure_port(self._address, self._tls.credentials()))
        if port == 0:
            raise RuntimeError(f"cannot listen on {self._address}")
        self._grpc.start()
        self.port = port
        _LOG.info("chaincode server listening on port %d (tls=%s)", port, self._tls is not None)
        return port

    def stop(self, grace: float | None = 5.0) -> None:
        """Stop accepting streams, close open ones after ``grace`` seconds, stop workers."""
        stopped = self._grpc.stop(grace)
        stopped.wait()
        with self._lock:
            handlers = list(self._handlers)
        for handler in handlers:
            handler.close()
        self._executor.shutdown(wait=True, cancel_futures=True)
        _LOG.info("chaincode server stopped")

    def wait(self, timeout: float | None = None) -> bool:
        """Block until the server terminates; False on timeout."""
        timed_out = self._grpc.wait_for_termination(timeout)
        return not timed_out
