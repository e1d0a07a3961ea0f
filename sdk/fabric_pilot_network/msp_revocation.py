"""Publish a CA's certificate revocation list in an organisation's channel MSP definitions.

Peers check every identity against the ``revocation_list`` of its organisation's
``FabricMSPConfig`` in the channel configuration, so a certificate revoked at the CA is refused
only once that list carries the CA's new CRL. :func:`publish_revocation_list` puts it there on
every channel the organisation is on (through :mod:`.channel_config`), replacing an older CRL of
the same CA rather than adding to it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from fabric_protos.common import configtx_pb2
from fabric_protos.msp import msp_config_pb2

from .channel_config import ChannelConfigError, ChannelUpdate, apply_config, fetch_config
from .errors import NodeNotRunningError

if TYPE_CHECKING:
    from .network import FabricNetwork

__all__ = [
    "check_ready",
    "load_crl",
    "org_msp_config",
    "publish_revocation_list",
    "with_revocation_list",
]

Progress = Callable[[str], None]


def _quiet(_message: str) -> None:
    pass


def load_crl(data: bytes) -> x509.CertificateRevocationList:
    """A CRL from PEM or DER bytes.

    Raises:
        ChannelConfigError: ``data`` is not a CRL.
    """
    try:
        if data.lstrip().startswith(b"-----BEGIN"):
            return x509.load_pem_x509_crl(data)
        return x509.load_der_x509_crl(data)
    except ValueError as exc:
        raise ChannelConfigError(f"not a certificate revocation list: {exc}") from exc


def _issuer_key(crl: x509.CertificateRevocationList) -> bytes:
    """What identifies the CA that signed ``crl``: its key identifier, else its name."""
    try:
        aki = crl.extensions.get_extension_for_class(x509.AuthorityKeyIdentifier).value
    except x509.ExtensionNotFound:
        aki = None
    if aki is not None and aki.key_identifier:
        return b"aki:" + aki.key_identifier
    return b"name:" + crl.issuer.public_bytes()


def _serials(crl: x509.CertificateRevocationList) -> set[int]:
    return {entry.serial_number for entry in crl}


def _org_group(config: Any, org: str) -> Any:
    groups = config.channel_group.groups["Application"].groups
    if org not in groups:
        known = ", ".join(sorted(groups)) or "none"
        raise ChannelConfigError(f"{org} is not an application organisation here (known: {known})")
    return groups[org]


def org_msp_config(config: Any, org: str) -> Any:
    """The ``FabricMSPConfig`` of application organisation ``org`` in a channel ``Config``.

    Raises:
        ChannelConfigError: no such organisation, or its MSP is not an X.509 (Fabric) MSP.
    """
    msp = msp_config_pb2.MSPConfig.FromString(_org_group(config, org).values["MSP"].value)
    if msp.type != 0:
        raise ChannelConfigError(f"{org}'s MSP is of type {msp.type}, not an X.509 Fabric MSP")
    return msp_config_pb2.FabricMSPConfig.FromString(msp.config)


def _signed_by_org_ca(crl: x509.CertificateRevocationList, fabric_msp: Any) -> bool:
    for pem in [*fabric_msp.root_certs, *fabric_msp.intermediate_certs]:
        try:
            key = x509.load_pem_x509_certificate(pem).public_key()
        except ValueError:
            continue
        if isinstance(key, (ec.EllipticCurvePublicKey, rsa.RSAPublicKey)) and (
            crl.is_signature_valid(key)
        ):
            return True
    return False


def with_revocation_list(config: Any, org: str, crl_data: bytes) -> Any | None:
    """A copy of ``config`` whose ``org`` MSP carries ``crl_data`` (as PEM) in place of any CRL
    of the same CA; None when it already carries a CRL of that CA revoking the same serials.

    Raises:
        ChannelConfigError: no such organisation, the CRL is not signed by a CA of its MSP, or
            the MSP carries a newer CRL of that CA.
    """
    crl = load_crl(crl_data)
    fabric_msp = org_msp_config(config, org)
    if not _signed_by_org_ca(crl, fabric_msp):
        raise ChannelConfigError(
            f"the CRL of {crl.issuer.rfc4514_string()} is not signed by a CA of {org}'s MSP"
        )
    kept: list[bytes] = []
    for existing in fabric_msp.revocation_list:
        try:
            old = load_crl(existing)
        except ChannelConfigError:
            kept.append(existing)
            continue
        if _issuer_key(old) != _issuer_key(crl):
            kept.append(existing)
        elif _serials(old) == _serials(crl):
            return None
        elif old.last_update_utc > crl.last_update_utc:
            raise ChannelConfigError(
                f"{org}'s MSP carries a newer CRL of {crl.issuer.rfc4514_string()}"
                f" (of {old.last_update_utc:%Y-%m-%d %H:%M:%S} UTC)"
            )
    updated = configtx_pb2.Config()
    updated.CopyFrom(config)
    fabric_msp.ClearField("revocation_list")
    fabric_msp.revocation_list.extend([*kept, crl.public_bytes(serialization.Encoding.PEM)])
    value = _org_group(updated, org).values["MSP"]
    msp = msp_config_pb2.MSPConfig.FromString(value.value)
    msp.config = fabric_msp.SerializeToString()
    value.value = msp.SerializeToString()
    return updated


def check_ready(network: FabricNetwork, org: str) -> None:
    """Check that the nodes a config update of ``org`` goes through are running.

    Raises:
        KeyError: ``org`` is not an organisation of the network.
        NodeNotRunningError: the org's first peer, or a majority of the orderers, is not running.
    """
    peer = network.topology.org(org).peer_names[0]
    if not network.node_running(peer):
        raise NodeNotRunningError(f"{peer} is not running (run 'fabric-pilot network start' first)")
    orderers = network.topology.orderer_org.orderer_names
    running = [name for name in orderers if network.node_running(name)]
    if len(running) <= len(orderers) // 2:  # a Raft channel needs a majority
        raise NodeNotRunningError(
            f"only {len(running)} of {len(orderers)} orderers are running, no Raft quorum"
            " (run 'fabric-pilot network start' first)"
        )


def publish_revocation_list(
    network: FabricNetwork, org: str, crl: bytes, progress: Progress = _quiet
) -> list[ChannelUpdate]:
    """Put ``crl`` into ``org``'s MSP on every channel ``org`` is on, one config update per
    channel signed by the org's admin; return the config block in force on each channel.

    Every channel's change is worked out before the first update is sent, so a CRL a channel
    would not take changes nothing.

    Raises:
        NodeNotRunningError: a node the update needs is not running.
        ChannelConfigError: a channel's config could not be read, changed or updated.
    """
    check_ready(network, org)
    name = network.topology.org(org).name
    load_crl(crl)
    plans = []
    for channel in network.topology.channels_of_org(name):
        current = fetch_config(network, name, channel)
        try:
            plans.append((channel, current, with_revocation_list(current.config, name, crl)))
        except ChannelConfigError as exc:
            raise ChannelConfigError(f"{channel}: {exc}") from exc
    results = []
    for channel, current, updated in plans:
        if updated is None:
            progress(f"{channel}: config block {current.number} already carries this CRL")
            results.append(ChannelUpdate(channel, current.number, updated=False))
            continue
        progress(f"{channel}: updating {name}'s MSP, signed by its admin")
        block = apply_config(network, name, channel, current, updated)
        progress(f"{channel}: config block {block.number} is on every running peer")
        results.append(ChannelUpdate(channel, block.number, updated=True))
    return results
