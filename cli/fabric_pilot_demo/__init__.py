"""The main job: the pilot network up, the three sector chaincodes deployed, one sample
transaction per sector through the Gateway SDK, then down (unless ``--keep``).

An application of the network manager and the SDK, outside both: it uses only their public
modules. Run with ``python -m fabric_pilot_demo [--keep] [--dir DIR]`` (``scripts/demo``).
Sample payloads are data in network-config/samples/.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from fabric_pilot_gateway import CommitError, GatewayError
from fabric_pilot_gateway.profiles import open_gateway
from fabric_pilot_gateway.sectors import (
    CourtEvidence,
    EnergyMetering,
    SectorClient,
    TaxInvoices,
    sign_reading,
)
from fabric_pilot_network.chaincode import deploy_many
from fabric_pilot_network.chaincode_definitions import load_definition
from fabric_pilot_network.config_paths import network_config_dir
from fabric_pilot_network.fabric_home import FabricHomeError, resolve_fabric_home
from fabric_pilot_network.network import FabricNetwork, NetworkError
from fabric_pilot_network.ports import free_base_port
from fabric_pilot_network.topology import load_topology

__all__ = ["main", "run_demo"]

SAMPLES = network_config_dir() / "samples"
SECTOR_CHAINCODES = ("tax_invoice", "energy_metering", "court_evidence")
QUARTER_HOUR = 900
Client = TypeVar("Client", bound=SectorClient)


def _sample(name: str) -> Any:
    return json.loads((SAMPLES / name).read_text(encoding="utf-8"))


@contextmanager
def _client(
    network: FabricNetwork, member: str, channel: str, chaincode: str, kind: type[Client]
) -> Iterator[Client]:
    """A typed sector client acting as ``member`` ("Org/User") on ``channel``."""
    org, user = member.split("/")
    with open_gateway(network.directory / "profiles" / f"{org}.json", user) as gateway:
        yield kind(gateway.get_network(channel).get_contract(chaincode))


def tax_sample(network: FabricNetwork) -> str:
    """Register two taxpayers, issue an e-invoice, verify it."""
    with _client(network, "TaxBureau/Officer1", "tax", "tax_invoice", TaxInvoices) as officer:
        for taxpayer in ("taxpayer_seller.json", "taxpayer_buyer.json"):
            officer.register_taxpayer(taxpayer=_sample(taxpayer))
    invoice = _sample("invoice.json")
    with _client(network, "EnterpriseA/Seller1", "tax", "tax_invoice", TaxInvoices) as seller:
        issued = seller.issue_invoice(invoice=invoice)
    with _client(network, "EnterpriseB/Finance1", "tax", "tax_invoice", TaxInvoices) as buyer:
        verdict = buyer.verify_invoice_file(file_hash=invoice["file_hash"])
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
    return sign_reading(body, device)


def energy_sample(network: FabricNetwork) -> str:
    """Register a meter with a fresh device key and record one signed reading."""
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
    operator = "GridOperator/Operator1"
    with _client(network, operator, "energy", "energy_metering", EnergyMetering) as metering:
        metering.register_meter(meter=meter)
        reading = metering.record_reading(reading=_signed_reading(device, meter["meter_id"], now))
    return (
        f"meter {meter['meter_id']} registered; signed reading #{reading['counter']}"
        f" ({reading['export_wh']} Wh exported) recorded"
    )


def court_sample(network: FabricNetwork) -> str:
    """Register a piece of evidence (hash only) and verify it by hash."""
    evidence = _sample("evidence.json")
    with _client(network, "Notary/Notary1", "justice", "court_evidence", CourtEvidence) as notary:
        record = notary.register_evidence(evidence=evidence)
    with _client(network, "Court/Judge1", "justice", "court_evidence", CourtEvidence) as judge:
        # the submit waited for the notary's peer; the court's peer may commit the block a moment
        # later, so its first answer can predate the record
        for _ in range(40):
            verdict = judge.verify_evidence(
                evidence_id=evidence["evidence_id"], content_hash=evidence["content_hash"]
            )
            if verdict["match"]:
                break
            time.sleep(0.25)
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
        definitions = [load_definition(name) for name in SECTOR_CHAINCODES]
        for result in deploy_many(network, definitions):  # one channel each: in parallel
            say(f"  deployed {result.name} on {result.channel} in {result.seconds:.1f}s")
        samples = (("tax", tax_sample), ("energy", energy_sample), ("justice", court_sample))
        with ThreadPoolExecutor(max_workers=len(samples)) as pool:  # one channel each
            done = [(sector, pool.submit(sample, network)) for sector, sample in samples]
            for sector, future in done:
                say(f"  [{sector}] {future.result()}")
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
    parser = argparse.ArgumentParser(prog="python -m fabric_pilot_demo")
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
