"""Sector transaction throughput on the ``pilot`` topology at 1, 16 and 128 in flight.

Brings up ``pilot`` (7 orgs x 1 peer, 3 Raft orderers, 500 ms batch timeout, 100 transactions
per block), deploys the three sector chaincodes and, through the typed sector clients driven by
``fabric_pilot_gateway.bulk.pipelined``, runs each workload at each in-flight count:

- ``invoice_issue``: ``issue_invoice`` (one lane per seller taxpayer, since a seller's monthly
  totals are one key; as many sellers as transactions in flight), endorsed by the tax bureau
  and an enterprise peer;
- ``meter_readings``: ``record_readings`` with ``READINGS_PER_BATCH`` device-signed readings
  per transaction (one lane per meter), endorsed by the grid operator and one other org;
- ``evidence_registration``: ``register_evidence`` by the notary (independent keys).

For each run: committed transactions per second (each job waits for its commit status), p50
latency, failures, and the CPU profile per committed transaction: client process, chaincode
server, peers (endorsement and validation), orderers (psutil utime+stime). ``limit`` names
what bounds the run: ``block cutting`` when transactions waited about the batch timeout (the
orderer cut blocks on its timer: throughput ~ in-flight / latency); otherwise, when the
machine's CPUs were busy (>= 80 %), our biggest consumer (``chaincode CPU``, ``client CPU``,
``endorsement/validation CPU (peers)``, ``ordering CPU``). The machine may be shared: the
machine-wide busy share, our part of it, and the load average before and after are recorded.

Run: ``FABRIC_PILOT_FABRIC_BIN=... python benchmarks/bench_sectors.py`` (about 4 minutes).
"""

from __future__ import annotations

import hashlib
import os
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import psutil
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec

from fabric_pilot_contracts.tax_invoice._uscc import check_character
from fabric_pilot_gateway.bulk import Job as BulkJob
from fabric_pilot_gateway.bulk import pipelined
from fabric_pilot_gateway.profiles import open_gateway
from fabric_pilot_gateway.sectors import (
    CourtEvidence,
    EnergyMetering,
    TaxInvoices,
    canonical_json,
)
from fabric_pilot_network.processes import cpu_seconds, descendants

HERE = Path(__file__).resolve().parent
READINGS_PER_BATCH = 50
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


# --- profile ----------------------------------------------------------------------------------
IN_FLIGHT = (1, 16, 128)
TX_PER_LEVEL = {1: 16, 16: 160, 128: 640}
BATCH_TIMEOUT_S = 0.5
BUSY = 0.8


class Profile:
    """CPU seconds of the network's processes, by kind, and of this process."""

    def __init__(self, network: Any, chaincode: str) -> None:
        records = network.processes
        self.kinds: dict[str, list[int]] = {
            "chaincode": [int(records[f"chaincode-{chaincode}"].pid)],
            "peers": [int(r.pid) for name, r in records.items() if name.startswith("peer")],
            "orderers": [int(r.pid) for name, r in records.items() if name.startswith("orderer")],
        }

    def sample(self) -> dict[str, float]:
        """Cumulative CPU seconds per kind (chaincode counts the keeper's descendants)."""
        figures = {
            "chaincode": sum(chaincode_cpu_seconds(pid) for pid in self.kinds["chaincode"]),
            "peers": sum(cpu_seconds(pid) for pid in self.kinds["peers"]),
            "orderers": sum(cpu_seconds(pid) for pid in self.kinds["orderers"]),
        }
        figures["client"] = time.process_time()
        figures["machine"] = machine_busy_seconds()
        return figures


LIMIT_NAMES = {
    "chaincode": "chaincode CPU",
    "client": "client CPU",
    "peers": "endorsement/validation CPU (peers)",
    "orderers": "ordering CPU",
}


def machine_busy_seconds() -> float:
    """CPU seconds every process on the machine has used (all cores), idle excluded."""
    times = psutil.cpu_times()
    return float(sum(times) - times.idle - getattr(times, "iowait", 0.0))


def name_limit(
    cpu: dict[str, float], machine: float, seconds: float, latency_p50: float
) -> dict[str, Any]:
    """What bounds a run, and the profile behind the verdict.

    ``block cutting`` when a transaction waited little more than the batch timeout (the
    orderer cut its block on the timer: throughput ~ in-flight / latency); otherwise, when the
    machine's cores were busy (>= 80 %, whoever used them), our biggest CPU consumer, with
    ``ours_share_of_busy`` saying how much of the busy time was ours (the rest went to other
    jobs on a shared machine); else ``latency`` (too few in flight)."""
    cores = os.cpu_count() or 1
    ours = sum(cpu.values())
    machine_share = machine / (seconds * cores)
    if latency_p50 < 1.5 * BATCH_TIMEOUT_S:
        limit = "block cutting"
    elif machine_share >= BUSY:
        top = max(cpu, key=lambda kind: cpu[kind])
        limit = LIMIT_NAMES[top]
    else:
        limit = "latency (too few in flight)"
    return {
        "limit": limit,
        "machine_cpu_busy_share": round(machine_share, 2),
        "ours_share_of_busy": round(ours / max(machine, 1e-9), 2),
    }


# --- workloads ---------------------------------------------------------------------------------
Job = Callable[[], object]


def run_level(lanes: list[list[Job]], in_flight: int, profile: Profile) -> dict[str, Any]:
    """Run the lanes' jobs (each lane in order) with ``in_flight`` at once."""
    latencies: list[float] = []
    errors: list[str] = []

    def timed(job: Job) -> Callable[[], float]:
        def call() -> float:
            started = time.perf_counter()
            job()
            return time.perf_counter() - started

        return call

    work = [
        BulkJob(lane_index, timed(job)) for lane_index, jobs in enumerate(lanes) for job in jobs
    ]
    before = profile.sample()
    started = time.perf_counter()
    for outcome in pipelined(work, in_flight):
        if outcome.error is not None:
            errors.append(type(outcome.error).__name__ + ": " + str(outcome.error).splitlines()[0])
        else:
            latencies.append(float(outcome.value or 0.0))
    seconds = time.perf_counter() - started
    after = profile.sample()
    committed = len(latencies)
    machine = after.pop("machine") - before.pop("machine")
    cpu = {kind: after[kind] - before[kind] for kind in after}
    latencies.sort()
    p50 = latencies[len(latencies) // 2] if latencies else 0.0
    per_tx = {
        f"{kind}_cpu_ms_per_tx": round(1000 * v / max(committed, 1), 2) for kind, v in cpu.items()
    }
    return {
        "in_flight": in_flight,
        "committed": committed,
        "failed": len(errors),
        "first_errors": sorted(set(errors))[:3],
        "seconds": round(seconds, 2),
        "committed_tx_per_s": round(committed / seconds, 2),
        "latency_p50_ms": round(1000 * p50, 1),
        **per_tx,
        "all_cpu_ms_per_tx": round(1000 * sum(cpu.values()) / max(committed, 1), 2),
        **name_limit(cpu, machine, seconds, p50),
    }


def _deal(jobs: list[Job], lanes: int) -> list[list[Job]]:
    return [jobs[index::lanes] for index in range(lanes)]


class Bench:
    """Clients of the pilot network's users and the three workloads."""

    def __init__(self, network: Any, stack: ExitStack) -> None:
        self.network = network
        self._stack = stack

    def client(self, org: str, user: str, channel: str, chaincode: str) -> Any:
        profile = self.network.directory / "profiles" / f"{org}.json"
        gateway = self._stack.enter_context(open_gateway(profile, user))
        return gateway.get_network(channel).get_contract(chaincode)

    def _setup(self, calls: list[Job]) -> None:
        for outcome in pipelined([BulkJob(n, call) for n, call in enumerate(calls)], 64):
            if outcome.error is not None:
                raise outcome.error

    def invoices(self) -> list[dict[str, Any]]:
        officer = TaxInvoices(self.client("TaxBureau", "Officer1", "tax", "tax_invoice"))
        seller = TaxInvoices(self.client("EnterpriseA", "Seller1", "tax", "tax_invoice"))
        profile = Profile(self.network, "tax_invoice")
        buyer = _uscc()
        officer.register_taxpayer(taxpayer=_taxpayer(buyer, "EnterpriseBMSP"))
        runs = []
        for level in IN_FLIGHT:
            sellers = [_uscc() for _ in range(level)]
            self._setup(
                [
                    (
                        lambda t=tax_id: officer.register_taxpayer(
                            taxpayer=_taxpayer(t, "EnterpriseAMSP")
                        )
                    )
                    for tax_id in sellers
                ]
            )
            count = TX_PER_LEVEL[level]
            lanes = [
                [
                    (lambda s=tax_id, n=n: seller.issue_invoice(invoice=_invoice(s, buyer, n)))
                    for n in range(count // level)
                ]
                for tax_id in sellers
            ]
            runs.append(run_level(lanes, level, profile))
        return runs

    def readings(self) -> list[dict[str, Any]]:
        grid = EnergyMetering(self.client("GridOperator", "Operator1", "energy", "energy_metering"))
        generator = EnergyMetering(
            self.client("Generator", "Operator1", "energy", "energy_metering")
        )
        profile = Profile(self.network, "energy_metering")
        runs = []
        for level in IN_FLIGHT:
            batches = max(TX_PER_LEVEL[level] // 2 // level, 1)
            now = int(time.time())
            span_days = batches * READINGS_PER_BATCH * QUARTER // DAY + 2
            start = now - now % DAY - span_days * DAY
            keys = {
                f"BENCH-{level}-{n}-{uuid.uuid4().hex[:6]}": ec.generate_private_key(ec.SECP256R1())
                for n in range(level)
            }
            self._setup(
                [
                    (lambda m=m, k=k: grid.register_meter(meter=_meter(m, k)))
                    for m, k in keys.items()
                ]
            )
            lanes = []
            for meter_id, key in keys.items():
                jobs: list[Job] = []
                for batch in range(batches):
                    readings = _readings(
                        key, meter_id, start, 1 + batch * READINGS_PER_BATCH, READINGS_PER_BATCH
                    )
                    jobs.append(lambda r=readings: generator.record_readings(readings=r))
                lanes.append(jobs)
            figures = run_level(lanes, level, profile)
            figures["readings_per_s"] = round(figures["committed_tx_per_s"] * READINGS_PER_BATCH, 1)
            runs.append(figures)
        return runs

    def evidence(self) -> list[dict[str, Any]]:
        notary = CourtEvidence(self.client("Notary", "Notary1", "justice", "court_evidence"))
        profile = Profile(self.network, "court_evidence")
        runs = []
        for level in IN_FLIGHT:
            prefix = uuid.uuid4().hex[:6]
            jobs: list[Job] = [
                (
                    lambda n=n, p=prefix: notary.register_evidence(
                        evidence=_evidence(f"BENCH-{p}-{n}")
                    )
                )
                for n in range(TX_PER_LEVEL[level])
            ]
            runs.append(run_level(_deal(jobs, len(jobs)), level, profile))
        return runs


def _best(runs: list[dict[str, Any]], figure: str = "committed_tx_per_s") -> dict[str, Any]:
    best = max(runs, key=lambda run: run[figure])
    return {"in_flight": best["in_flight"], figure: best[figure], "limit": best["limit"]}


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
            runs = {
                "invoice_issue": bench.invoices(),
                "meter_readings": bench.readings(),
                "evidence_registration": bench.evidence(),
            }
            stack.close()
        finally:
            network.down()
    figures: dict[str, Any] = {
        "runs": runs,
        "best": {
            "invoice_issue": _best(runs["invoice_issue"]),
            "meter_readings": _best(runs["meter_readings"], "readings_per_s"),
            "evidence_registration": _best(runs["evidence_registration"]),
        },
    }
    figures["settings"] = {
        "topology": "pilot (7 orgs x 1 peer, 3 raft orderers)",
        "batch_timeout": topology.batch.timeout,
        "max_message_count": topology.batch.max_message_count,
        "in_flight": list(IN_FLIGHT),
        "transactions_per_level": TX_PER_LEVEL,
        "readings_per_batch": READINGS_PER_BATCH,
        "cpus": os.cpu_count(),
        "loadavg_1m_before_after": [round(load_before, 2), round(os.getloadavg()[0], 2)],
        "total_s": round(time.perf_counter() - started, 1),
        "note": "machine shared with other busy jobs; see the load average",
    }
    record("sectors", figures)


if __name__ == "__main__":
    main()
