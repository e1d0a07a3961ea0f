"""Entry point: ``python -m fabric_pilot_chaincode serve MODULE:ATTRIBUTE``."""

from __future__ import annotations

import argparse
import importlib
import logging
import os
import signal
import sys
import threading
from types import FrameType

from ._config import ConfigError, load_config
from ._dispatcher import ContractChaincode
from ._server import ChaincodeServer

_LOG = logging.getLogger("fabric_pilot_chaincode")
_GRACE_SECONDS = 0.5  # the peers are gone by then (stop order); in-flight calls get this long


def load_chaincode(target: str) -> ContractChaincode:
    """Import ``MODULE:ATTRIBUTE`` and return the ContractChaincode it names.

    Raises:
        ConfigError: When the target is malformed or not a ContractChaincode.
    """
    module_name, _, attribute = target.partition(":")
    if not module_name or not attribute:
        raise ConfigError(f"expected MODULE:ATTRIBUTE, got {target!r}")
    try:
        value = getattr(importlib.import_module(module_name), attribute)
    except (ImportError, AttributeError) as exc:
        raise ConfigError(f"cannot load {target!r}: {exc}") from None
    if not isinstance(value, ContractChaincode):
        raise ConfigError(f"{target!r} is a {type(value).__name__}, not a ContractChaincode")
    return value


def serve(target: str) -> int:
    """Run the server until SIGTERM/SIGINT; return the process exit code."""
    try:
        chaincode = load_chaincode(target)
        config = load_config(os.environ)
    except ConfigError as exc:
        _LOG.error("%s", exc)
        return 2
    server = ChaincodeServer(
        chaincode, config.address, config.chaincode_id, config.tls, config.max_clock_skew
    )
    stop = threading.Event()

    def request_stop(signum: int, _frame: FrameType | None) -> None:
        _LOG.info("received %s, shutting down", signal.Signals(signum).name)
        stop.set()

    signal.signal(signal.SIGTERM, request_stop)
    signal.signal(signal.SIGINT, request_stop)
    try:
        server.start()
    except RuntimeError as exc:
        _LOG.error("%s", exc)
        return 1
    while not stop.wait(1.0):
        pass
    server.stop(_GRACE_SECONDS)
    return 0


def main(argv: list[str] | None = None) -> int:
    """Parse the command line and run the requested command."""
    parser = argparse.ArgumentParser(prog="python -m fabric_pilot_chaincode")
    commands = parser.add_subparsers(dest="command", required=True)
    serve_parser = commands.add_parser("serve", help="serve a ContractChaincode to Fabric peers")
    serve_parser.add_argument("target", help="MODULE:ATTRIBUTE of a ContractChaincode")
    args = parser.parse_args(argv)
    logging.basicConfig(
        stream=sys.stderr,
        level=logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    return serve(args.target)


if __name__ == "__main__":
    sys.exit(main())
