"""Client identity of the transaction submitter (like Go's ``pkg/cid``)."""

from __future__ import annotations

import json
from functools import cached_property

from cryptography import x509
from cryptography.x509.oid import NameOID, ObjectIdentifier

from ._errors import ContractError
from ._protos import identities_pb2

__all__ = ["FABRIC_CA_ATTRS_OID", "NODE_OU_ROLES", "ClientIdentity", "distinguished_name"]

FABRIC_CA_ATTRS_OID = ObjectIdentifier("1.2.3.4.5.6.7.8.1")
NODE_OU_ROLES = ("client", "admin", "peer", "orderer")

# Go's pkix.Name.ToRDNSequence order (reversed when printed); one RDN per type.
_RDN_ORDER: tuple[tuple[ObjectIdentifier, str], ...] = (
    (NameOID.COUNTRY_NAME, "C"),
    (NameOID.STATE_OR_PROVINCE_NAME, "ST"),
    (NameOID.LOCALITY_NAME, "L"),
    (NameOID.STREET_ADDRESS, "STREET"),
    (NameOID.POSTAL_CODE, "POSTALCODE"),
    (NameOID.ORGANIZATION_NAME, "O"),
    (NameOID.ORGANIZATIONAL_UNIT_NAME, "OU"),
    (NameOID.COMMON_NAME, "CN"),
    (NameOID.SERIAL_NUMBER, "SERIALNUMBER"),
)
_SINGLE_VALUED = {NameOID.COMMON_NAME, NameOID.SERIAL_NUMBER}
_ESCAPED = frozenset(',+"\\<>;')


def _escape(value: str) -> str:
    out: list[str] = []
    last = len(value) - 1
    for index, char in enumerate(value):
        edge = (index == 0 and char in " #") or (index == last and char == " ")
        out.append("\\" + char if edge or char in _ESCAPED else char)
    return "".join(out)


def _values_by_type(name: x509.Name) -> dict[ObjectIdentifier, list[str]]:
    values: dict[ObjectIdentifier, list[str]] = {}
    for attribute in name:
        if not isinstance(attribute.value, str):
            continue
        if attribute.oid in _SINGLE_VALUED:
            values[attribute.oid] = [attribute.value]
        else:
            values.setdefault(attribute.oid, []).append(attribute.value)
    return values


def distinguished_name(name: x509.Name) -> str:
    """Format a name exactly like fabric-chaincode-go ``cid`` (CN first, known types only)."""
    values = _values_by_type(name)
    rdns: list[str] = []
    for oid, label in _RDN_ORDER:
        if values.get(oid):
            rdns.append("+".join(f"{label}={_escape(v)}" for v in values[oid]))
    return ",".join(reversed(rdns))


class ClientIdentity:
    """The identity that created the proposal, parsed from its serialized form.

    Args:
        creator: Serialized ``msp.SerializedIdentity`` bytes (``stub.get_creator()``).

    Raises:
        ContractError: ``BAD_IDENTITY`` when the creator is not an X.509 identity.
    """

    def __init__(self, creator: bytes) -> None:
        try:
            serialized = identities_pb2.SerializedIdentity.FromString(creator)
            self.certificate: x509.Certificate = x509.load_pem_x509_certificate(serialized.id_bytes)
        except Exception as exc:  # protobuf DecodeError or ValueError from cryptography
            raise ContractError(
                "BAD_IDENTITY", f"creator is not a serialized X.509 identity ({type(exc).__name__})"
            ) from None
        self.msp_id: str = serialized.mspid
        self.id: str = (
            "x509::"
            + distinguished_name(self.certificate.subject)
            + "::"
            + distinguished_name(self.certificate.issuer)
        )

    @cached_property
    def role(self) -> str | None:
        """The NodeOU role taken from the subject OU values, if any."""
        units = self.certificate.subject.get_attributes_for_oid(NameOID.ORGANIZATIONAL_UNIT_NAME)
        for unit in units:
            if isinstance(unit.value, str) and unit.value.lower() in NODE_OU_ROLES:
                return unit.value.lower()
        return None

    @cached_property
    def attributes(self) -> dict[str, str]:
        """Fabric CA attributes from extension 1.2.3.4.5.6.7.8.1 (empty when absent)."""
        try:
            extension = self.certificate.extensions.get_extension_for_oid(FABRIC_CA_ATTRS_OID)
        except x509.ExtensionNotFound:
            return {}
        raw = extension.value
        data = raw.value if isinstance(raw, x509.UnrecognizedExtension) else b""
        try:
            attrs = json.loads(data).get("attrs", {})
        except (ValueError, AttributeError):
            return {}
        if not isinstance(attrs, dict):
            return {}
        return {str(k): str(v) for k, v in attrs.items()}

    @property
    def has_ca_attributes(self) -> bool:
        """True when the certificate carries a Fabric CA attributes extension."""
        return bool(self.attributes)

    def get_attribute(self, name: str) -> str | None:
        """Return the Fabric CA attribute ``name`` or None."""
        return self.attributes.get(name)

    def assert_attribute_value(self, name: str, value: str) -> None:
        """Require attribute ``name`` to equal ``value``.

        Raises:
            ContractError: ``FORBIDDEN`` when the attribute is missing or differs.
        """
        actual = self.attributes.get(name)
        if actual is None:
            raise ContractError("FORBIDDEN", f"identity has no attribute '{name}'")
        if actual != value:
            raise ContractError(
                "FORBIDDEN", f"attribute '{name}' of the identity does not have the required value"
            )

    def __repr__(self) -> str:
        return f"ClientIdentity(msp_id={self.msp_id!r}, id={self.id!r})"
