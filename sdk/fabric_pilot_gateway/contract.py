"""Smart contract (chaincode) client."""

from __future__ import annotations

import os
import time
from collections.abc import Mapping, Sequence

from ._context import GatewayContext, now
from ._proposals import NONCE_LENGTH, build_proposal, qualified_name, to_bytes_args
from ._protos import gateway_pb2, proposal_pb2
from .commit import SubmittedTransaction
from .errors import EndorsementMismatchError, SubmitError
from .options import DEFAULT, Timeout
from .proposal import Proposal
from .transaction import Transaction

__all__ = ["Arg", "Contract"]

_SUBMIT_RESENDS = 3
"""Times an unavailable Submit sends the same signed transaction again."""
_SUBMIT_BACKOFF = 0.5
"""Seconds before the first resend of an unavailable Submit; doubles each time."""
_RESEND_CODES = ("UNAVAILABLE", "DEADLINE_EXCEEDED")


def _submit_resending(transaction: Transaction) -> SubmittedTransaction:
    """Submit; when the orderers were unavailable, send the same envelope again."""
    for resend in range(_SUBMIT_RESENDS + 1):
        try:
            return transaction.submit()
        except SubmitError as error:
            if error.code not in _RESEND_CODES or resend == _SUBMIT_RESENDS:
                raise
            time.sleep(_SUBMIT_BACKOFF * 2**resend)
    raise AssertionError("unreachable")


_MISMATCH_BACKOFF = 0.2
"""Seconds before the second proposal after an endorsement mismatch; doubles each time."""

Arg = str | bytes
"""A transaction argument; strings are UTF-8 encoded."""


class Contract:
    """A chaincode (optionally one named contract within it) on a channel."""

    def __init__(
        self,
        context: GatewayContext,
        channel: str,
        chaincode: str,
        contract_name: str | None = None,
    ) -> None:
        self._context = context
        self._channel = channel
        self._chaincode = chaincode
        self._contract_name = contract_name

    @property
    def chaincode_name(self) -> str:
        """Chaincode name."""
        return self._chaincode

    @property
    def contract_name(self) -> str | None:
        """Contract name within the chaincode, if any."""
        return self._contract_name

    def new_proposal(
        self,
        name: str,
        args: Sequence[Arg] = (),
        *,
        transient: Mapping[str, Arg] | None = None,
        endorsing_organizations: Sequence[str] | None = None,
    ) -> Proposal:
        """Build an (unsigned) proposal for transaction ``name``.

        Args:
            name: Transaction function name.
            args: Transaction arguments.
            transient: Private data passed to the chaincode only.
            endorsing_organizations: MSP IDs that must endorse; default: Gateway decides.
        """
        creator = self._context.creator()
        transient_bytes = {
            key: value.encode() if isinstance(value, str) else bytes(value)
            for key, value in (transient or {}).items()
        }
        tx_id, proposal = build_proposal(
            channel=self._channel,
            chaincode=self._chaincode,
            function=qualified_name(name, self._contract_name),
            args=to_bytes_args(args),
            transient=transient_bytes,
            creator=creator,
            nonce=os.urandom(NONCE_LENGTH),
            timestamp=now(),
        )
        proposed = gateway_pb2.ProposedTransaction(
            transaction_id=tx_id,
            proposal=proposal_pb2.SignedProposal(proposal_bytes=proposal.SerializeToString()),
            endorsing_organizations=list(endorsing_organizations or ()),
        )
        return Proposal(self._context, proposed)

    def evaluate(
        self,
        name: str,
        args: Sequence[Arg] = (),
        *,
        transient: Mapping[str, Arg] | None = None,
        endorsing_organizations: Sequence[str] | None = None,
        timeout: Timeout = DEFAULT,
    ) -> bytes:
        """Evaluate (query) a transaction function and return its result.

        Raises:
            EvaluateError: If the Evaluate call fails.
        """
        proposal = self.new_proposal(
            name, args, transient=transient, endorsing_organizations=endorsing_organizations
        )
        return proposal.evaluate(timeout=timeout)

    def submit_async(
        self,
        name: str,
        args: Sequence[Arg] = (),
        *,
        transient: Mapping[str, Arg] | None = None,
        endorsing_organizations: Sequence[str] | None = None,
    ) -> SubmittedTransaction:
        """Endorse and submit a transaction without waiting for it to commit.

        When the endorsers return different results (one peer a block behind), a new
        proposal (new transaction ID) is endorsed, up to the Gateway's
        ``endorsement_attempts``, with a short, doubling pause in between.

        When the orderers do not take the transaction (no Raft leader while a new one is
        elected, an orderer unreachable), the same signed transaction is sent again, up to
        three times over about 3.5 s: a transaction ID commits at most once.

        Raises:
            EndorsementMismatchError: If every attempt's endorsers disagreed.
            EndorseError: If endorsement fails otherwise.
            SubmitError: If submission to the orderer fails (for the last resend, if it
                was unavailable).
        """
        attempts = self._context.endorsement_attempts
        for attempt in range(1, attempts + 1):
            proposal = self.new_proposal(
                name, args, transient=transient, endorsing_organizations=endorsing_organizations
            )
            try:
                transaction = proposal.endorse()
            except EndorsementMismatchError as error:
                if attempt >= attempts:
                    raise EndorsementMismatchError.from_error(
                        error, attempt, transaction_id=proposal.transaction_id
                    ) from error
                time.sleep(_MISMATCH_BACKOFF * 2 ** (attempt - 1))
                continue
            return _submit_resending(transaction)
        raise AssertionError("unreachable: endorsement_attempts is at least 1")

    def submit(
        self,
        name: str,
        args: Sequence[Arg] = (),
        *,
        transient: Mapping[str, Arg] | None = None,
        endorsing_organizations: Sequence[str] | None = None,
    ) -> bytes:
        """Submit a transaction and wait for it to commit.

        Equivalent to :meth:`submit_async` followed by ``committed().result``; use those two
        to get the commit status and block number as well.

        Returns:
            The transaction function's result.

        Raises:
            EndorsementMismatchError: If the endorsers disagreed on every attempt.
            EndorseError: If endorsement fails otherwise.
            SubmitError: If submission to the orderer fails.
            CommitTimeoutError: If no commit status came in time (the transaction may have
                been lost by a crashing orderer; see the error for what is safe).
            CommitStatusError: If the commit status cannot be obtained.
            CommitError: If the transaction committed as invalid.
        """
        submitted = self.submit_async(
            name, args, transient=transient, endorsing_organizations=endorsing_organizations
        )
        return submitted.committed().result
