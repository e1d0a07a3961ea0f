"""Stop signals that wait until the event being printed is also checkpointed."""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType, TracebackType
from typing import Any

__all__ = ["EventGuard"]

_STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT, signal.SIGHUP)


class EventGuard:
    """While an event is printed and checkpointed (:meth:`handling`), SIGTERM, SIGINT and
    SIGHUP wait until both are done; otherwise they stop the listener at once. A listener
    stopped this way and started again with the same checkpoint neither repeats nor skips an
    event. (SIGKILL cannot wait: a kill between the print and the checkpoint repeats that one
    event on resume, never skips one.)"""

    def __init__(self) -> None:
        self._busy = False
        self._pending: int | None = None
        self._previous: dict[int, Any] = {}

    def __enter__(self) -> EventGuard:
        if threading.current_thread() is threading.main_thread():
            for signum in _STOP_SIGNALS:
                self._previous[signum] = signal.signal(signum, self._on_signal)
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        for signum, handler in self._previous.items():
            signal.signal(signum, handler)
        self._previous.clear()

    def _on_signal(self, signum: int, _frame: FrameType | None) -> None:
        if self._busy:
            self._pending = signum
            return
        _stop(signum)

    @contextmanager
    def handling(self) -> Iterator[None]:
        """Print and checkpoint one event inside this block."""
        self._busy = True
        try:
            yield
        finally:
            self._busy = False
            if self._pending is not None:
                _stop(self._pending)


def _stop(signum: int) -> None:
    if signum == signal.SIGINT:
        raise KeyboardInterrupt
    raise SystemExit(128 + signum)
