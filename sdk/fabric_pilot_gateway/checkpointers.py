"""Checkpointers record event-processing progress so listening can resume.

Semantics follow fabric-gateway: :attr:`Checkpointer.block_number` is the block
to resume from; :attr:`Checkpointer.transaction_id` is the last transaction
processed in that block (events up to and including it are skipped on resume).
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Protocol

from .events import ChaincodeEvent

__all__ = ["Checkpointer", "FileCheckpointer", "InMemoryCheckpointer"]


class Checkpointer(Protocol):
    """Stores the position of the last processed event."""

    @property
    def block_number(self) -> int | None:
        """Block to resume from, or None if nothing was checkpointed."""
        ...

    @property
    def transaction_id(self) -> str | None:
        """Last processed transaction within :attr:`block_number`, if any."""
        ...

    def checkpoint_block(self, block_number: int) -> None:
        """Record that block ``block_number`` was fully processed."""
        ...

    def checkpoint_transaction(self, block_number: int, transaction_id: str) -> None:
        """Record that ``transaction_id`` in ``block_number`` was processed."""
        ...

    def checkpoint_chaincode_event(self, event: ChaincodeEvent) -> None:
        """Record that ``event`` was processed."""
        ...


class InMemoryCheckpointer:
    """Checkpointer held in memory (lost when the process exits)."""

    def __init__(self) -> None:
        self._block_number: int | None = None
        self._transaction_id: str | None = None

    @property
    def block_number(self) -> int | None:
        """Block to resume from, or None."""
        return self._block_number

    @property
    def transaction_id(self) -> str | None:
        """Last processed transaction in :attr:`block_number`, or None."""
        return self._transaction_id

    def _set(self, block_number: int, transaction_id: str | None) -> None:
        self._block_number = block_number
        self._transaction_id = transaction_id

    def checkpoint_block(self, block_number: int) -> None:
        """Resume from the next block."""
        self._set(block_number + 1, None)

    def checkpoint_transaction(self, block_number: int, transaction_id: str) -> None:
        """Resume after ``transaction_id`` in ``block_number``."""
        self._set(block_number, transaction_id)

    def checkpoint_chaincode_event(self, event: ChaincodeEvent) -> None:
        """Resume after ``event``'s transaction."""
        self.checkpoint_transaction(event.block_number, event.transaction_id)


class FileCheckpointer(InMemoryCheckpointer):
    """Checkpointer persisted as JSON; each update is written atomically."""

    def __init__(self, path: str | os.PathLike[str]) -> None:
        """Load the checkpoint from ``path`` if it exists.

        Raises:
            ValueError: If the file exists but is not a valid checkpoint.
        """
        super().__init__()
        self._path = Path(path)
        if self._path.exists():
            self._load()

    @property
    def path(self) -> Path:
        """Checkpoint file path."""
        return self._path

    def _load(self) -> None:
        try:
            data = json.loads(self._path.read_text(encoding="utf-8"))
            block_number = data["blockNumber"]
            transaction_id = data.get("transactionId")
        except (ValueError, KeyError, TypeError) as exc:
            raise ValueError(f"invalid checkpoint file {self._path}: {exc}") from exc
        if not isinstance(block_number, int) or block_number < 0:
            raise ValueError(f"invalid checkpoint file {self._path}: bad blockNumber")
        super()._set(block_number, transaction_id or None)

    def _set(self, block_number: int, transaction_id: str | None) -> None:
        text = json.dumps({"blockNumber": block_number, "transactionId": transaction_id or ""})
        self._path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp_name = tempfile.mkstemp(
            prefix=self._path.name, suffix=".tmp", dir=self._path.parent
        )
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                handle.write(text)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(tmp_name, self._path)
        except BaseException:
            Path(tmp_name).unlink(missing_ok=True)
            raise
        _sync_directory(self._path.parent)  # the rename itself survives a machine crash
        super()._set(block_number, transaction_id)


def _sync_directory(folder: Path) -> None:
    try:
        descriptor = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(descriptor)
    except OSError:
        pass  # some file systems cannot sync a directory; the rename is still atomic
    finally:
        os.close(descriptor)
