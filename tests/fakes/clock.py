"""An injectable sleep and monotonic clock: sleeping records the wait and advances fake time."""

from __future__ import annotations


class RecordingSleep:
    """Pass as `sleep=` (and `.clock` as `clock=`): nothing waits, every wait is recorded."""

    def __init__(self) -> None:
        self.calls: list[float] = []
        self.now = 1000.0

    async def __call__(self, seconds: float) -> None:
        self.calls.append(seconds)
        self.now += seconds

    def clock(self) -> float:
        """The fake monotonic time."""
        return self.now
