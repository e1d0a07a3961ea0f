"""``fabric-pilot evidence`` (chaincode court_evidence).

Files never leave the machine: ``register`` and ``verify`` hash them locally (SHA-256) and
send only the hash, size, media type and the metadata given on the command line.
"""

from __future__ import annotations

import datetime
import json
import mimetypes
from contextlib import closing
from pathlib import Path
from typing import Any

import click

from . import _sdk
from ._context import get_settings, network_options, output_option, progress
from ._errors import EXIT_NOT_FOUND, EXIT_USAGE, CliError
from ._inputs import read_document, sha256_file
from ._sector import INT, JSON, Arg, Tx, add_tx, call, emit_result, group_path, pin

__all__ = ["EVIDENCE", "METHODS", "evidence_document", "register"]

EVIDENCE = "court_evidence"
METHODS = {  # command -> CourtEvidence method
    "register": "register_evidence",
    "verify": "verify_evidence",
    "verify_hash": "verify_evidence_hash",
    "transfer": "start_custody_transfer",
}
_ID = Arg("evidence_id")
_SEQ = Arg("seq", INT)
_EX = "EV-2026-0001"

EVIDENCE_TXS = (
    Tx(("evidence", "get"), "get_evidence", (_ID,), False, "Show an evidence record.", _EX),
    Tx(("evidence", "history"), "evidence_history", (_ID,), False,
       "Show every version of an evidence record.", _EX),
    Tx(("evidence", "list"), "list_evidence_by_case", (Arg("case_id"),), False,
       "List the evidence linked to a case.", "C-88", paged=True,
       columns=("evidence_id", "status", "media_type", "size_bytes", "content_hash")),
    Tx(("evidence", "batch"), "get_batch", (Arg("batch_id"),), False,
       "Show a Merkle batch.", "B-2026-01"),
    Tx(("evidence", "register-batch"), "register_evidence_batch", (Arg("batch", JSON),), True,
       "Register a batch of evidence records under a Merkle root.", "batch.json"),
    Tx(("evidence", "private"), "get_depositor_personal_data", (_ID,), False,
       "Show the depositor's private data.", _EX),
    Tx(("evidence", "link-case"), "link_case", (_ID, Arg("case_id")), True,
       "Link evidence to a case.", f"{_EX} C-88"),
    Tx(("evidence", "seal"), "seal_evidence", (_ID, Arg("note")), True, "Seal evidence.",
       f"{_EX} 'sealed by notary'"),
    Tx(("evidence", "submit"), "submit_evidence", (_ID, Arg("note")), True,
       "Submit evidence to the court (needs a linked case).", f"{_EX} 'for hearing'"),
    Tx(("evidence", "challenge"), "challenge_evidence", (_ID, Arg("reason")), True,
       "Challenge submitted evidence.", f"{_EX} 'tampered'"),
    Tx(("evidence", "rule"), "rule_evidence", (_ID, Arg("decision"), Arg("reasoning")), True,
       "Rule on evidence: admit or reject (judge).", f"{_EX} admit 'authentic'"),
    Tx(("evidence", "archive"), "archive_evidence", (_ID, Arg("note")), True,
       "Archive evidence (court).", f"{_EX} 'case closed'"),
    Tx(("evidence", "invalidate"), "invalidate_evidence", (_ID, Arg("reason")), True,
       "Invalidate evidence.", f"{_EX} 'wrong file'"),
    Tx(("evidence", "custody", "accept"), "accept_custody_transfer", (_ID, _SEQ), True,
       "Accept custody of an evidence item (the named receiver).", f"{_EX} 3"),
    Tx(("evidence", "custody", "cancel"), "cancel_custody_transfer",
       (_ID, _SEQ, Arg("reason")), True,
       "Cancel or decline a pending custody transfer.", f"{_EX} 3 'wrong court'"),
    Tx(("evidence", "custody", "check-out"), "check_out_evidence",
       (_ID, _SEQ, Arg("purpose")), True, "Check evidence out (custodian).",
       f"{_EX} 3 'lab analysis'"),
    Tx(("evidence", "custody", "check-in"), "check_in_evidence", (_ID, _SEQ, Arg("note")),
       True, "Check evidence back in (custodian).", f"{_EX} 4 'returned intact'"),
    Tx(("evidence", "custody", "access"), "record_access", (_ID, _SEQ, Arg("purpose")), True,
       "Record an access to evidence.", f"{_EX} 5 'review'"),
    Tx(("evidence", "custody", "history"), "list_custody", (_ID,), False,
       "Show the chain of custody of an evidence item.", _EX, paged=True,
       columns=("seq", "kind", "at", "details", "tx_id")),
)  # fmt: skip


def evidence_document(path: Path, evidence_id: str, options: dict[str, Any]) -> dict[str, Any]:
    """The evidence record sent on-chain for ``path``: hash, size, media type, metadata only."""
    digest, size = sha256_file(path)
    modified = datetime.datetime.fromtimestamp(path.stat().st_mtime, datetime.UTC)
    media_type = options.get("media_type") or mimetypes.guess_type(path.name)[0]
    document: dict[str, Any] = {
        "evidence_id": evidence_id,
        "content_hash": digest,
        "hash_alg": "SHA-256",
        "size_bytes": size,
        "media_type": media_type or "application/octet-stream",
        "location": options.get("location") or f"local:{path.name}",
        "capture": {
            "captured_at": options.get("captured_at") or modified.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "device": options.get("device") or "unspecified",
            "source": options.get("source") or "file",
            "tool": "fabric-pilot",
        },
    }
    for key in ("case_id", "description"):
        if options.get(key):
            document[key] = options[key]
    if options.get("metadata"):
        document.update(read_document(str(options["metadata"])))
    return document


def _checked(check: Any, value: Any, what: str) -> Any:
    """Apply an SDK input check; its ValueError becomes a one-line usage error (exit 2)."""
    try:
        return check(value)
    except ValueError as exc:
        raise CliError(f"{what}: {exc}", EXIT_USAGE) from None


def _personal(source: str) -> Any:
    from fabric_pilot_gateway.sectors import canonical_json, check_personal_size

    document = read_document(source)
    _checked(check_personal_size, canonical_json(document), "--personal")
    return document


def _register_command() -> click.Command:
    @click.command("register")
    @click.argument("file", type=click.Path(exists=True, dir_okay=False))
    @click.option("--id", "evidence_id", required=True, help="Evidence ID.")
    @click.option("--case", "case_id", help="Case ID to link.")
    @click.option("--media-type", help="MIME type (default: guessed from the file name).")
    @click.option("--location", help="Where the original is kept (default: local:<name>).")
    @click.option("--description")
    @click.option(
        "--captured-at",
        help="RFC 3339 capture time, e.g. 2026-11-20T08:00:00Z (default: file mtime; a retry"
        " with a copy of the file returns the existing record).",
    )
    @click.option("--device", help="Capturing device (default: unspecified).")
    @click.option("--source", help="Source of the evidence (default: file).")
    @click.option("--metadata", help="JSON object (FILE, - or inline) merged into the record.")
    @click.option(
        "--personal",
        help="Depositor personal data (JSON, at most 4096 bytes), sent as private data.",
    )
    @network_options
    @click.pass_context
    def register_cmd(ctx: click.Context, /, file: str, evidence_id: str, **options: Any) -> None:
        """Register FILE as evidence: hashed locally, only hash/size/type/metadata are sent.

        \b
        Example:
          fabric-pilot evidence register contract.pdf --id EV-2026-0001 --case C-88
        """
        from fabric_pilot_gateway.sectors._limits import check_rfc3339

        if options.get("captured_at"):
            _checked(check_rfc3339, options["captured_at"], "--captured-at")
        document = evidence_document(Path(file), evidence_id, options)
        personal = _personal(str(options["personal"])) if options.get("personal") else None
        arguments = {"evidence": document, "depositor_personal": personal}
        emit_result(ctx, call(ctx, EVIDENCE, METHODS["register"], arguments))

    return register_cmd


def _verify_command() -> click.Command:
    @click.command("verify")
    @click.argument("file", type=click.Path(exists=True, dir_okay=False))
    @click.option("--id", "evidence_id", help="Evidence ID to compare with (default: any).")
    @network_options
    @click.pass_context
    def verify_cmd(ctx: click.Context, /, file: str, evidence_id: str | None) -> None:
        """Check FILE's SHA-256 against an evidence item (or any item); exit 3 on no match.

        \b
        Example:
          fabric-pilot evidence verify contract.pdf --id EV-2026-0001
          fabric-pilot evidence verify contract.pdf -o json
        """
        digest, _size = sha256_file(Path(file))
        arguments: dict[str, Any] = {"content_hash": digest}
        if evidence_id:
            result = call(
                ctx, EVIDENCE, METHODS["verify"], {**arguments, "evidence_id": evidence_id}
            )
        else:
            arguments.update(hash_alg="SHA-256", page_size=50)
            result = call(ctx, EVIDENCE, METHODS["verify_hash"], arguments)
        emit_result(ctx, result)
        if isinstance(result, dict) and result.get("match") is False:
            ctx.exit(EXIT_NOT_FOUND)

    return verify_cmd


def _transfer_command() -> click.Command:
    @click.command("transfer")
    @click.argument("evidence_id")
    @click.argument("seq", type=int)
    @click.option("--to", "to_msp", required=True, help="MSP ID of the next custodian.")
    @click.option("--to-id", default="", help="Identity of the next custodian (optional).")
    @click.option("--reason", required=True)
    @network_options
    @click.pass_context
    def transfer_cmd(
        ctx: click.Context, /, *, evidence_id: str, seq: int, to_msp: str, to_id: str, reason: str
    ) -> None:
        """Start a custody transfer (SEQ is the next custody sequence number).

        \b
        Example:
          fabric-pilot evidence custody transfer EV-2026-0001 2 --to CourtMSP --reason trial
        """
        receiver = {"msp_id": to_msp, **({"id": to_id} if to_id else {})}
        arguments = {"evidence_id": evidence_id, "seq": seq, "receiver": receiver, "reason": reason}
        emit_result(ctx, call(ctx, EVIDENCE, METHODS["transfer"], arguments))

    return transfer_cmd


def _anchors(
    anchors_file: str | None, genesis_hash: str | None, fingerprints: tuple[str, ...]
) -> dict[str, Any]:
    """The verifier's pins as ``{genesis_block_hash?, root_fingerprints?}``."""
    document = read_document(anchors_file) if anchors_file else {}
    if not isinstance(document, dict):
        raise CliError(f"{anchors_file}: trust anchors must be a JSON object", EXIT_USAGE)
    if genesis_hash:
        document["genesis_block_hash"] = genesis_hash
    prints: dict[str, list[str]] = dict(document.get("root_fingerprints") or {})
    for item in fingerprints:
        msp, _, digest = item.partition("=")
        if not msp or not digest:
            raise CliError(f"--root-fingerprint expects MSP=SHA256, not {item!r}", EXIT_USAGE)
        prints.setdefault(msp, []).append(digest)
    if prints:
        document["root_fingerprints"] = prints
    return {
        key: document[key] for key in ("genesis_block_hash", "root_fingerprints") if key in document
    }


def _receipt_group() -> click.Group:
    @click.group("receipt")
    def receipt() -> None:
        """Evidence receipts that can be verified offline.

        \b
        Example:
          fabric-pilot evidence receipt export EV-2026-0001 > receipt.json
        """

    @receipt.command("export")
    @click.argument("evidence_id")
    @network_options
    @click.pass_context
    def export(ctx: click.Context, /, *, evidence_id: str) -> None:
        """Export a receipt for EVIDENCE_ID: record, tx ID, block, header chain, endorsements.

        \b
        Example:
          fabric-pilot evidence receipt export EV-2026-0001 > receipt.json
        """
        with closing(_sdk.open_session(get_settings(ctx), EVIDENCE)) as session:
            document = session.export_receipt(EVIDENCE, evidence_id)
        click.echo(json.dumps(document, indent=2, sort_keys=True))

    @receipt.command("anchors")
    @network_options
    @click.pass_context
    def anchors(ctx: click.Context, /) -> None:
        """Print the channel's trust anchors to publish for receipt verifiers.

        The genesis block hash and the SHA-256 fingerprints of every org's root CA; a
        verifier must get them from you (not from a receipt) and pass them to verify.

        \b
        Example:
          fabric-pilot --as Court/Judge1 evidence receipt anchors > justice-anchors.json
        """
        with closing(_sdk.open_session(get_settings(ctx), EVIDENCE)) as session:
            document = session.trust_anchors()
        click.echo(json.dumps(document, indent=2, sort_keys=True))

    @receipt.command("verify")
    @click.argument("file", type=click.Path(exists=True, dir_okay=False))
    @click.option(
        "--anchors",
        "anchors_file",
        type=click.Path(exists=True, dir_okay=False),
        help="Trust anchors (JSON, as 'receipt anchors' prints them) from a source you trust.",
    )
    @click.option("--genesis-hash", help="Pin the channel's genesis block hash (hex).")
    @click.option(
        "--root-fingerprint",
        multiple=True,
        metavar="MSP=SHA256",
        help="Pin an org's root CA by its SHA-256 fingerprint (repeat for each org).",
    )
    @output_option
    @click.pass_context
    def verify(
        ctx: click.Context, /, *, file: str, anchors_file: str | None, genesis_hash: str | None,
        root_fingerprint: tuple[str, ...],
    ) -> None:  # fmt: skip
        """Verify a receipt offline (no network); exit 3 when it does not verify.

        Pin what you trust with --anchors, --genesis-hash or --root-fingerprint: without any,
        the receipt is only checked to be self-consistent (a network with the same org names
        could have minted it), and a warning says so.

        \b
        Example:
          fabric-pilot evidence receipt verify receipt.json --anchors justice-anchors.json
        """
        pins = _anchors(anchors_file, genesis_hash, root_fingerprint)
        proof = _sdk.verify_receipt(read_document(file), pins)
        if proof["trust"] == "none":
            progress(
                "warning: no trust anchors given: the receipt is only self-consistent; pin"
                " --anchors, --genesis-hash or --root-fingerprint"
            )
        emit_result(ctx, proof)

    return receipt


def register(cli: click.Group) -> None:
    """Add the ``evidence`` group to ``cli``."""
    group = click.Group(
        "evidence",
        short_help="Court evidence (chaincode court_evidence).",
        help="Court evidence (chaincode court_evidence); files are hashed locally.\n\n\b\n"
        "Example:\n  fabric-pilot evidence register scan.pdf --id EV-2026-0001",
    )
    cli.add_command(group)
    group.add_command(_register_command())
    group.add_command(_verify_command())
    custody = group_path(cli, ("evidence", "custody"))
    custody.help = "Chain of custody.\n\n\b\nExample:\n  fabric-pilot evidence custody history EV-1"
    custody.add_command(_transfer_command())
    pin(("evidence", "register"), EVIDENCE, METHODS["register"])
    pin(("evidence", "verify"), EVIDENCE, METHODS["verify"], METHODS["verify_hash"])
    pin(("evidence", "custody", "transfer"), EVIDENCE, METHODS["transfer"])
    for tx in EVIDENCE_TXS:
        add_tx(cli, EVIDENCE, tx)
    group.add_command(_receipt_group())
