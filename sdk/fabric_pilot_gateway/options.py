"""Option value objects."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Final

__all__ = ["DEFAULT", "Default", "Timeout", "Timeouts"]


class Default(enum.Enum):
    """Type of the :data:`DEFAULT` sentinel."""

    DEFAULT = "DEFAULT"

    def __repr__(self) -> str:
        return "DEFAULT"


DEFAULT: Final = Default.DEFAULT
"""Per-call timeout sentinel meaning "use the Gateway's configured default"."""

Timeout = float | None | Default
"""Per-call timeout in seconds; ``None`` means no deadline, ``DEFAULT`` the default."""


@dataclass(frozen=True)
class Timeouts:
    """Default deadlines, in seconds, for each Gateway call (``None``: no deadline).

    ``commit_resubmit``: while waiting for a commit status, if none came within this many
    seconds the SDK sends the same signed transaction again (an orderer that crashed with it
    in flight loses it; a copy that arrives twice is committed once, the second copy is
    marked ``DUPLICATE_TXID``). ``None`` waits for the whole ``commit_status`` deadline.
    """

    evaluate: float | None = 5.0
    endorse: float | None = 15.0
    submit: float | None = 5.0
    commit_status: float | None = 60.0
    commit_resubmit: float | None = 5.0


def resolve(timeout: Timeout, default: float | None) -> float | None:
    """Return ``default`` if ``timeout`` is :data:`DEFAULT`, else ``timeout``."""
    return default if isinstance(timeout, Default) else timeout
