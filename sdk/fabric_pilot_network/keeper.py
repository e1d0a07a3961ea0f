"""A tiny supervisor: runs one command and starts it again whenever it dies unasked.

Usage: ``python -m fabric_pilot_network.keeper -- COMMAND [ARGS...]``. SIGTERM or SIGINT is
passed on to the child; the keeper then waits for it and exits. Restarts back off from 0.2 s
to 5 s and reset after the child has run for a minute.
"""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from types import FrameType

__all__ = ["main"]

_MAX_BACKOFF = 5.0
_STABLE_AFTER = 60.0


class _Keeper:
    def __init__(self, argv: list[str]) -> None:
        self.argv = argv
        self.stopping = False
        self.child: subprocess.Popen[bytes] | None = None

    def on_signal(self, signum: int, _frame: FrameType | None) -> None:
        self.stopping = True
        if self.child is not None and self.child.poll() is None:
            self.child.send_signal(signum)

    def run(self) -> int:
        backoff = 0.2
        while True:
            started = time.monotonic()
            self.child = subprocess.Popen(self.argv)
            code = self.child.wait()
            if self.stopping:
                return 0
            if time.monotonic() - started > _STABLE_AFTER:
                backoff = 0.2
            print(
                f"keeper: {self.argv[0]} exited with {code}; restarting in {backoff:.1f}s",
                file=sys.stderr,
                flush=True,
            )
            time.sleep(backoff)
            if self.stopping:
                return 0
            backoff = min(backoff * 2, _MAX_BACKOFF)


def main(argv: list[str] | None = None) -> int:
    """Run the keeper on ``argv`` (after ``--``)."""
    args = list(sys.argv[1:] if argv is None else argv)
    if args[:1] == ["--"]:
        args = args[1:]
    if not args:
        print("usage: python -m fabric_pilot_network.keeper -- COMMAND [ARGS...]", file=sys.stderr)
        return 2
    keeper = _Keeper(args)
    signal.signal(signal.SIGTERM, keeper.on_signal)
    signal.signal(signal.SIGINT, keeper.on_signal)
    return keeper.run()


if __name__ == "__main__":
    sys.exit(main())
