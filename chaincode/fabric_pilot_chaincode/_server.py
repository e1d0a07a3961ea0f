"""Chaincode-as-a-service gRPC server (the peer dials in and opens Connect streams)."""

from __future__ import annotations

import asyncio
import logging
import threading
from dataclasses import dataclass
from typing import Any, cast

import grpc

from ._clock import DEFAULT_MAX_CLOCK_SKEW
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
    ("grpc.so_reuseport", 0),  # a second server on the same port must fail, not share it
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

    async def Connect(self, _requests: Any, context: Any) -> None:  # noqa: N802
        handler = StreamHandler(
            self._server.chaincode, self._server.chaincode_id, self._server.max_clock_skew
        )
        _LOG.info("peer connected")
        await handler.serve(context)


class ChaincodeServer:
    """Serve a ContractChaincode to Fabric peers (external chaincode / CCaaS).

    The gRPC server, every stream and every transaction run on one event-loop thread
    that the server owns (see ``_handler``); the methods here may be called from any
    other thread.

    Args:
        chaincode: The dispatcher to serve.
        address: ``host:port`` to listen on (port 0 picks a free port).
        chaincode_id: The package ID (``label:sha256hex``) sent in REGISTER.
        tls: TLS material, or None for plaintext.
    """

    def __init__(
        self,
        chaincode: ContractChaincode,
        address: str,
        chaincode_id: str,
        tls: TlsConfig | None = None,
        max_clock_skew: float = DEFAULT_MAX_CLOCK_SKEW,
    ) -> None:
        self.chaincode = chaincode
        self.chaincode_id = chaincode_id
        self.max_clock_skew = max_clock_skew
        self._address = address
        self._tls = tls
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="shim", daemon=True)
        self._grpc: grpc.aio.Server | None = None
        self._stopped = threading.Event()
        self.port = 0

    def start(self) -> int:
        """Bind and start serving; return the bound port.

        Raises:
            RuntimeError: When the address cannot be bound.
        """
        self._thread.start()
        try:
            port = asyncio.run_coroutine_threadsafe(self._start(), self._loop).result()
        except RuntimeError:
            self._halt_loop()
            raise
        self.port = port
        _LOG.info("chaincode server listening on port %d (tls=%s)", port, self._tls is not None)
        return port

    async def _start(self) -> int:
        server = grpc.aio.server(options=_SERVER_OPTIONS)
        servicer = cast("chaincode_shim_pb2_grpc.ChaincodeServicer", _ChaincodeService(self))
        chaincode_shim_pb2_grpc.add_ChaincodeServicer_to_server(servicer, server)
        try:
            if self._tls is None:
                port = int(server.add_insecure_port(self._address))
            else:
                port = int(server.add_secure_port(self._address, self._tls.credentials()))
        except RuntimeError:
            port = 0
        if port == 0:
            await server.stop(None)
            raise RuntimeError(f"cannot listen on {self._address}")
        await server.start()
        self._grpc = server
        return port

    def stop(self, grace: float | None = 5.0) -> None:
        """Stop accepting streams, end open ones after ``grace`` seconds, stop the loop."""
        if self._stopped.is_set():
            return
        if not self._thread.is_alive():  # never started
            self._loop.close()
            self._stopped.set()
            return
        if self._grpc is not None:
            asyncio.run_coroutine_threadsafe(self._shutdown(self._grpc, grace), self._loop).result()
        self._halt_loop()
        _LOG.info("chaincode server stopped")

    @staticmethod
    async def _shutdown(server: grpc.aio.Server, grace: float | None) -> None:
        await server.stop(grace)
        current = asyncio.current_task()
        pending = [task for task in asyncio.all_tasks() if task is not current]
        for task in pending:
            task.cancel()
        await asyncio.gather(*pending, return_exceptions=True)

    def _halt_loop(self) -> None:
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join()
        self._loop.close()
        self._stopped.set()

    def wait(self, timeout: float | None = None) -> bool:
        """Block until the server has stopped; False on timeout."""
        return self._stopped.wait(timeout)
