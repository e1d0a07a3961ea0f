"""Declarative access policy: who may run each transaction.

A :class:`Rule` names the MSP IDs, the NodeOU roles (``client``/``admin``) and the values of
the certificate attribute ``pilot.role`` (Fabric CA attribute extension 1.2.3.4.5.6.7.8.1)
admitted for an operation. Roles are denied by default: a rule that names roles admits only a
certificate whose ``pilot.role`` lists one of them, so a certificate without the attribute
(cryptogen's, an org admin's) gets no role-gated right. ``pilot.role`` holds one role or
several separated by spaces or commas (``"meter_operator generator"``). Record-specific checks
(the seller's own MSP, the current custodian, ...) are made by the contracts after
:func:`authorize` returned the caller.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from fabric_pilot_chaincode import Context
from fabric_pilot_contracts._common._errors import forbidden

ROLE_ATTRIBUTE = "pilot.role"
ANY_MSP = "*"


def _frozen(values: Iterable[str]) -> frozenset[str]:
    return frozenset(values)


@dataclass(frozen=True)
class Rule:
    """Who may run one operation.

    Attributes:
        msps: admitted MSP IDs (``"*"`` admits every MSP on the channel).
        roles: admitted ``pilot.role`` values; empty admits any caller, with or without a
            role. A certificate without ``pilot.role`` never satisfies a non-empty set.
        node_ous: admitted NodeOU roles.
    """

    msps: frozenset[str]
    roles: frozenset[str] = field(default_factory=frozenset)
    node_ous: frozenset[str] = frozenset({"client", "admin"})

    @classmethod
    def of(
        cls,
        msps: Iterable[str],
        roles: Iterable[str] = (),
        node_ous: Iterable[str] = ("client", "admin"),
    ) -> Rule:
        """Build a rule from plain iterables."""
        return cls(_frozen(msps), _frozen(roles), _frozen(node_ous))


@dataclass(frozen=True)
class Caller:
    """The identity that submitted the transaction, as far as the policy needs it."""

    msp_id: str
    id: str
    node_ou: str | None
    pilot_role: str | None

    @property
    def pilot_roles(self) -> frozenset[str]:
        """The roles listed in ``pilot.role`` (empty without the attribute)."""
        return parse_roles(self.pilot_role)

    def ref(self) -> dict[str, str]:
        """Return the canonical ``{"msp_id", "id"}`` reference stored in records."""
        return {"id": self.id, "msp_id": self.msp_id}

    def require_msp(self, allowed: Iterable[str], action: str) -> None:
        """Raise ``FORBIDDEN`` unless the caller's MSP is one of ``allowed``."""
        admitted = sorted(set(allowed))
        if self.msp_id not in admitted:
            raise forbidden(f"{self.msp_id} may not {action}", action=action, msp_id=self.msp_id)


def parse_roles(value: str | None) -> frozenset[str]:
    """The roles of a ``pilot.role`` value: separated by spaces or commas."""
    if not value:
        return frozenset()
    return frozenset(part for part in re.split(r"[\s,]+", value) if part)


def caller_of(ctx: Context) -> Caller:
    """Describe the transaction's creator."""
    identity = ctx.client_identity
    return Caller(
        identity.msp_id, identity.id, identity.role, identity.get_attribute(ROLE_ATTRIBUTE)
    )


def authorize(ctx: Context, policy: dict[str, Rule], action: str) -> Caller:
    """Check the creator against ``policy[action]`` and return it.

    Raises:
        ContractError: ``FORBIDDEN`` when MSP, NodeOU or ``pilot.role`` is not admitted.
    """
    rule = policy[action]
    caller = caller_of(ctx)
    if ANY_MSP not in rule.msps and caller.msp_id not in rule.msps:
        raise forbidden(f"{caller.msp_id} may not {action}", action=action, msp_id=caller.msp_id)
    if caller.node_ou not in rule.node_ous:
        raise forbidden(
            f"NodeOU {caller.node_ou} may not {action}", action=action, node_ou=caller.node_ou
        )
    if rule.roles and not caller.pilot_roles & rule.roles:
        shown = caller.pilot_role if caller.pilot_role else "(none)"
        raise forbidden(
            f"{ROLE_ATTRIBUTE}={shown} may not {action}",
            action=action,
            pilot_role=caller.pilot_role,
        )
    return caller
