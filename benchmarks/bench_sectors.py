"""Sector transaction throughput on the ``pilot`` topology, and chaincode CPU per transaction.

Brings up ``pilot`` (7 orgs x 1 peer, 3 Raft orderers, 500 ms batch timeout), deploys the
three sector chaincodes and, through the typed sector clients, runs three bounded workloads
from ``THREADS`` concurrent callers (each caller owns its keys, so there are no MVCC conflicts):

- ``invoice_issue``: ``issue_invoice`` (one seller taxpayer per caller: a seller's monthly
  totals are one key), endorsed by the tax bureau and an enterprise peer;
- ``meter_readings``: ``record_readings`` with ``READINGS_PER_BATCH`` device-signed readings
  per transaction (one meter per caller), endorsed by the grid operator and one other org;
- ``evidence_registration``: ``register_evidence`` by the notary, endorsed by court and notary.

For each: committed transactions per second (submit waits for the commit status), failures,
and CPU seconds per committed transaction spent in the chaincode server (utime+stime from
psutil's view of the children of the ``chaincode-<name>`` keeper process; both endorsements of a
transaction count) plus the client process's CPU.

Run: ``FABRIC_PILOT_FABRIC_BIN=... python benchmarks/bench_sectors.py`` (about 3 minutes).
"""

from __future__ import annotations

import hashlib
import os
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable
from contextlib import ExitStack
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec

from fabric_pilot_contracts.tax_invoice._uscc import check_character
from fabric_pilot_gateway.profiles import open_gateway
from fabric_pilot_gateway.sectors import (
    CourtEvidence,
    EnergyMetering,
    TaxInvoices,
    canonical_json,
)
from fabric_pilot_network.processes import cpu_seconds, descendants

HERE = Path(__file__).resolve().parent
THREADS = 16
INVOICES = 320
READING_BATCHES = 160
READINGS_PER_BATCH = 50
EVIDENCE = 320
QUARTER, DAY = 900, 86_400
CHAINCODES = ("tax_invoice", "energy_metering", "court_evidence")


# --- CPU accounting --------------------------------------------------------------------------
def chaincode_cpu_seconds(keeper_pid: int) -> float:
    """utime+stime of the chaincode server (the keeper's descendants), in seconds."""
    return sum(cpu_seconds(pid) for pid in descendants(keeper_pid))


# --- payloads ----------------------------------------------------------------------------------
def _uscc() -> str:
    body = f"91440300{uuid.uuid4().int % 10**9:09d}"
    return body + check_character(body)


def _taxpayer(tax_id: str, msp_id: str) -> dict[str, Any]:
    return {
        "invoice_types": ["fully_digital"],
        "msp_id": msp_id,
        "name": f"Bench {tax_id[-4:]}",
        "quota_fen": 10**15,
        "tax_id": tax_id,
    }


def _invoice(seller: str, buyer: str, serial: int) -> dict[str, Any]:
    number = f"27{uuid.uuid4().int % 10**12:012d}{serial:06d}"
    line = {
        "name": "Consulting service",
        "net_fen": 100_000,
        "quantity_milli": 2000,
        "rate_bp": 1300,
        "tax_code": "1090511030000000000",
        "tax_fen": 13_000,
        "unit_price_fen": 50_000,
    }
    return {
        "buyer": {"tax_id": buyer},
        "file_hash": hashlib.sha256(number.encode()).hexdigest(),
        "lines": [line],
        "number": number,
        "payment_ref": f"PAY-{serial}",
        "seller_tax_id": seller,
        "total_gross_fen": 113_000,
        "total_net_fen": 100_000,
        "total_tax_fen": 13_000,
        "type": "fully_digital",
    }


def _public_pem(key: ec.EllipticCurvePrivateKey) -> str:
    return (
        key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )


def _meter(meter_id: str, key: ec.EllipticCurvePrivateKey) -> dict[str, Any]:
    return {
        "calibration_expiry": int(time.time()) + 365 * DAY,
        "capacity_w": 5_000_000,
        "grid_node": "SZ-110kV-07",
        "kind": "generation",
        "meter_id": meter_id,
        "owner_msp": "GeneratorMSP",
        "public_key_pem": _public_pem(key),
        "technology": "solar",
    }


def _readings(
    key: ec.EllipticCurvePrivateKey, meter_id: str, start: int, first: int, count: int
) -> list[dict[str, Any]]:
    readings = []
    for counter in range(first, first + count):
        body: dict[str, Any] = {
            "counter": counter,
            "export_wh": counter * 1000,
            "import_wh": 0,
            "interval_end": start + counter * QUARTER,
            "interval_start": start + (counter - 1) * QUARTER,
            "meter_id": meter_id,
        }
        message = canonical_json(dict(body, flag="normal"))
        body["signature"] = key.sign(message, ec.ECDSA(hashes.SHA256())).hex()
        readings.append(body)
    return readings


def _evidence(evidence_id: str) -> dict[str, Any]:
    return {
        "capture": {
            "captured_at": "2026-11-20T08:00:00Z",
            "device": "crawler-01",
            "source": "https://shop.example.com/item/42",
            "tool": "webcapture 3.2",
        },
        "content_hash": hashlib.sha256(evidence_id.encode()).hexdigest(),
        "evidence_id": evidence_id,
        "hash_alg": "SHA-256",
        "location": f"oss://evidence/{evidence_id}.warc",
        "media_type": "application/warc",
        "size_bytes": 1024,
    }


# --- workloads ---------------------------------------------------------------------------------
Job = Callable[[], object]


def run_jobs(per_thread: list[list[Job]], keeper_pid: int) -> dict[str, Any]:
    """Run each thread's jobs in order; committed tx/s and chaincode CPU per transaction."""
    errors: list[str] = []
    done = [0]
    lock = threading.Lock()

    def worker(jobs: list[Job]) -> None:
        for job in jobs:
            try:
                job()
            except Exception as error:  # counted and reported
                with lock:
                    errors.append(type(error).__name__ + ": " + str(error).splitlines()[0])
            else:
                with lock:
                    done[0] += 1

    threads = [threading.Thread(target=worker, args=(jobs,)) for jobs in per_thread]
    cpu_before, client_before = chaincode_cpu_seconds(keeper_pid), time.process_time()
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    seconds = time.perf_counter() - started
    chaincode_cpu = chaincode_cpu_seconds(keeper_pid) - cpu_before
    client_cpu = time.process_time() - client_before
    committed = done[0]
    return {
        "committed": committed,
        "failed": len(errors),
        "first_errors": sorted(set(errors))[:3],
        "seconds": round(seconds, 2),
        "committed_tx_per_s": round(committed / seconds, 2),
        "chaincode_cpu_ms_per_tx": round(1000 * chaincode_cpu / max(committed, 1), 2),
        "client_cpu_ms_per_tx": round(1000 * client_cpu / max(committed, 1), 2),
    }


def _split(jobs: list[Job]) -> list[list[Job]]:
    return [jobs[index::THREADS] for index in range(THREADS)]


class Bench:
    """Clients of the pilot network's users and the three workloads."""

    def __init__(self, network: Any, stack: ExitStack) -> None:
        self.network = network
        self._stack = stack

    def client(self, org: str, user: str, channel: str, chaincode: str) -> Any:
        profile = self.network.directory / "profiles" / f"{org}.json"
        gateway = self._stack.enter_context(open_gateway(profile, user))
        return gateway.get_network(channel).get_contract(chaincode)

    def keeper(self, chaincode: str) -> int:
        return int(self.network.processes[f"chaincode-{chaincode}"].pid)

    def invoices(self) -> dict[str, Any]:
        officer = TaxInvoices(self.client("TaxBureau", "Officer1", "tax", "tax_invoice"))
        seller = TaxInvoices(self.client("EnterpriseA", "Seller1", "tax", "tax_invoice"))
        buyer = _uscc()
        officer.register_taxpayer(taxpayer=_taxpayer(buyer, "EnterpriseBMSP"))
        sellers = [_uscc() for _ in range(THREADS)]
        for tax_id in sellers:
            officer.register_taxpayer(taxpayer=_taxpayer(tax_id, "EnterpriseAMSP"))
        per_thread = [
            [
                (lambda s=tax_id, n=n: seller.issue_invoice(invoice=_invoice(s, buyer, n)))
                for n in range(INVOICES // THREADS)
            ]
            for tax_id in sellers
        ]
        return run_jobs(per_thread, self.keeper("tax_invoice"))

    def readings(self) -> dict[str, Any]:
        grid = EnergyMetering(self.client("GridOperator", "Operator1", "energy", "energy_metering"))
        generator = EnergyMetering(
            self.client("Generator", "Operator1", "energy", "energy_metering")
        )
        batches = READING_BATCHES // THREADS
        now = int(time.time())
        start = now - now % DAY - (batches * READINGS_PER_BATCH * QUARTER // DAY + 2) * DAY
        per_thread = []
        for index in range(THREADS):
            meter_id = f"BENCH-{index}-{uuid.uuid4().hex[:6]}"
            key = ec.generate_private_key(ec.SECP256R1())
            grid.register_meter(meter=_meter(meter_id, key))
            jobs: list[Job] = []
            for batch in range(batches):
                readings = _readings(
                    key, meter_id, start, 1 + batch * READINGS_PER_BATCH, READINGS_PER_BATCH
                )
                jobs.append(lambda r=readings: generator.record_readings(readings=r))
            per_thread.append(jobs)
        figures = run_jobs(per_thread, self.keeper("energy_metering"))
        figures["readings_per_s"] = round(figures["committed_tx_per_s"] * READINGS_PER_BATCH, 1)
        return figures

    def evidence(self) -> dict[str, Any]:
        notary = CourtEvidence(self.client("Notary", "Notary1", "justice", "court_evidence"))
        prefix = uuid.uuid4().hex[:6]
        jobs: list[Job] = [
            (lambda n=n: notary.register_evidence(evidence=_evidence(f"BENCH-{prefix}-{n}")))
            for n in range(EVIDENCE)
        ]
        return run_jobs(_split(jobs), self.keeper("court_evidence"))


def main() -> None:
    sys.path.insert(0, str(HERE))
    from _record import record

    from fabric_pilot_network.chaincode import deploy
    from fabric_pilot_network.chaincode_definitions import load_definition
    from fabric_pilot_network.fabric_home import resolve_fabric_home
    from fabric_pilot_network.network import FabricNetwork
    from fabric_pilot_network.ports import free_base_port
    from fabric_pilot_network.topology import load_topology

    home = resolve_fabric_home()
    home.check()
    topology = load_topology("pilot")
    load_before = os.getloadavg()[0]
    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as folder, ExitStack() as stack:
        network = FabricNetwork.create(
            Path(folder) / "net", topology, home, free_base_port(topology)
        )
        network.up()
        try:
            for name in CHAINCODES:
                deploy(network, load_definition(name))
            bench = Bench(network, stack)
            figures = {
                "invoice_issue": bench.invoices(),
                "meter_readings": bench.readings(),
                "evidence_registration": bench.evidence(),
            }
            stack.close()
        finally:
            network.down()
    figures["settings"] = {
        "topology": "pilot (7 orgs x 1 peer, 3 raft orderers)",
        "batch_timeout": topology.batch.timeout,
        "max_message_count": topology.batch.max_message_count,
        "threads": THREADS,
        "counts": {
            "invoices": INVOICES,
            "reading_batches": READING_BATCHES,
            "readings_per_batch": READINGS_PER_BATCH,
            "evidence": EVIDENCE,
        },
        "cpus": os.cpu_count(),
        "loadavg_1m_before_after": [round(load_before, 2), round(os.getloadavg()[0], 2)],
        "total_s": round(time.perf_counter() - started, 1),
    }
    record("sectors", figures)


if __name__ == "__main__":
    main()
