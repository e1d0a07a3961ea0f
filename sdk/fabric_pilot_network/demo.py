"""The main job: the pilot network up, the three sector chaincodes deployed, one sample
transaction per sector through the Gateway SDK, then down (unless ``--keep``).

Run with ``python -m fabric_pilot_network.demo [--keep] [--dir DIR]`` (``scripts/demo``).
Sample payloads are data in network-config/samples/.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec

from fabric_pilot_gateway import CommitError, GatewayError
from fabric_pilot_gateway.profiles import open_gateway

from .chaincode import deploy
from .chaincode_definitions import load_definition
from .config_paths import network_config_dir
from .fabric_home import FabricHomeError, resolve_fabric_home
from .network import FabricNetwork, NetworkError
from .pytest_plugin import free_base_port
from .topology import load_topology

__all__ = ["main", "run_demo"]

SAMPLES = network_config_dir() / "samples"
SECTOR_CHAINCODES = ("tax_invoice", "energy_metering", "court_evidence")
QUARTER_HOUR = 900


def _json(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def _sample(name: str) -> Any:
    return json.loads((SAMPLES / name).read_text(encoding="utf-8"))


@dataclass(frozen=True)
class _Member:
    """One user of one organisation calling one chaincode on one channel."""

    network: FabricNetwork
    org: str
    user: str
    channel: str
    chaincode: str

    def _call(self, submit: bool, function: str, *args: str) -> Any:
        profile = self.network.directory / "profiles" / f"{self.org}.json"
        with open_gateway(profile, self.user) as gateway:
            contract = gateway.get_network(self.channel).get_contract(self.chaincode)
            result = (contract.submit if submit else contract.evaluate)(function, list(args))
        return json.loads(result) if result else None

    def submit(self, function: str, *args: str) -> Any:
        """Submit a transaction; the decoded JSON result."""
        return self._call(True, function, *args)

    def evaluate(self, function: str, *args: str) -> Any:
        """Evaluate a transaction; the decoded JSON result."""
        return self._call(False, function, *args)


def tax_sample(network: FabricNetwork) -> str:
    """Register two taxpayers, issue an e-invoice, verify it."""
    officer = _Member(network, "TaxBureau", "Officer1", "tax", "tax_invoice")
    seller = _Member(network, "EnterpriseA", "Seller1", "tax", "tax_invoice")
    buyer = _Member(network, "EnterpriseB", "Finance1", "tax", "tax_invoice")
    for taxpayer in ("taxpayer_seller.json", "taxpayer_buyer.json"):
        officer.submit("register_taxpayer", _json(_sample(taxpayer)))
    invoice = _sample("invoice.json")
    issued = seller.submit("issue_invoice", _json(invoice))
    verdict = buyer.evaluate("verify_invoice_file", invoice["file_hash"])
    return (
        f"invoice {issued['number']} issued ({issued['total_gross_fen']} fen, tx"
        f" {issued['tx_id'][:12]}); verified authentic={verdict['authentic']}"
    )


def _signed_reading(device: ec.EllipticCurvePrivateKey, meter_id: str, now: int) -> dict[str, Any]:
    start = now - now % QUARTER_HOUR - QUARTER_HOUR
    body: dict[str, Any] = {
        "counter": 1,
        "export_wh": 1_250_000,
        "import_wh": 0,
        "interval_end": start + QUARTER_HOUR,
        "interval_start": start,
        "meter_id": meter_id,
    }
    signed = _json({**body, "flag": "normal"}).encode()
    body["signature"] = device.sign(signed, ec.ECDSA(hashes.SHA256())).hex()
    return body


def energy_sample(network: FabricNetwork) -> str:
    """Register a meter with a fresh device key and record one signed reading."""
    operator = _Member(network, "GridOperator", "Operator1", "energy", "energy_metering")
    device = ec.generate_private_key(ec.SECP256R1())
    public_pem = device.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    now = int(time.time())
    meter = {
        **_sample("meter.json"),
        "public_key_pem": public_pem.decode(),
        "calibration_expiry": now + 365 * 86400,
    }
    operator.submit("register_meter", _json(meter))
    reading = operator.submit(
        "record_reading", _json(_signed_reading(device, meter["meter_id"], now))
    )
    return (
        f"meter {meter['meter_id']} registered; signed reading #{reading['counter']}"
        f" ({reading['export_wh']} Wh exported) recorded"
    )


def court_sample(network: FabricNetwork) -> str:
    """Register a piece of evidence (hash only) and verify it by hash."""
    notary = _Member(network, "Notary", "Notary1", "justice", "court_evidence")
    judge = _Member(network, "Court", "Judge1", "justice", "court_evidence")
    evidence = _sample("evidence.json")
    record = notary.submit("register_evidence", _json(evidence))
    verdict = judge.evaluate("verify_evidence", evidence["evidence_id"], evidence["content_hash"])
    return (
        f"evidence {record['evidence_id']} registered ({record['status']});"
        f" match={verdict['match']}"
    )


def run_demo(directory: Path, keep: bool, say: Callable[[str], None] = print) -> None:
    """Bring the pilot network up, deploy, run one transaction per sector, then tear down."""
    home = resolve_fabric_home()
    home.check()
    topology = load_topology("pilot")
    network = FabricNetwork.create(directory, topology, home, free_base_port(topology))
    started = time.monotonic()
    network.up(progress=lambda line: say(f"  {line}"))
    try:
        for name in SECTOR_CHAINCODES:
            result = deploy(network, load_definition(name))
            say(f"  deployed {name} on {result.channel} in {result.seconds:.1f}s")
        samples = (("tax", tax_sample), ("energy", energy_sample), ("justice", court_sample))
        for sector, sample in samples:
            say(f"  [{sector}] {sample(network)}")
        say(f"demo finished in {time.monotonic() - started:.1f}s")
    finally:
        if keep:
            say(
                f"network left running in {directory} (fabric-pilot network down --dir {directory})"
            )
        else:
            network.down()
            say("network down")


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point; returns the exit code."""
    parser = argparse.ArgumentParser(prog="python -m fabric_pilot_network.demo")
    parser.add_argument("--keep", action="store_true", help="leave the network running")
    parser.add_argument("--dir", type=Path, default=Path(".fabric-pilot/demo"))
    options = parser.parse_args(argv)
    try:
        run_demo(options.dir.absolute(), options.keep)
    except FabricHomeError as exc:
        print(f"fabric-pilot demo: {exc}", file=sys.stderr)
        return 7
    except (NetworkError, GatewayError, CommitError) as exc:
        print(f"fabric-pilot demo: {str(exc).splitlines()[0]}", file=sys.stderr)
        return 6
    return 0


if __name__ == "__main__":
    sys.exit(main())
