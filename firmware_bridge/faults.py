"""A fault-injecting transport: a noisy, lossy wire between the host stack and the box.

It wraps a real transport and, with a seeded random generator, flips bits in, drops, or inserts
bytes in either direction, and can cut the line for a moment. Tests and the benchmark use it to
show that the protocol converges (the device ends showing the host's count, never a double count).
"""

from __future__ import annotations

import random
import threading
from dataclasses import dataclass

from firmware_bridge.transport import Transport


@dataclass(frozen=True)
class FaultRates:
    """Per-byte probabilities."""

    corrupt: float = 0.0  # flip one random bit
    drop: float = 0.0  # the byte never arrives
    insert: float = 0.0  # a random byte appears before it

    def __post_init__(self) -> None:
        for name in ("corrupt", "drop", "insert"):
            if not 0.0 <= getattr(self, name) <= 1.0:
                raise ValueError(f"{name} must be a probability")


NO_FAULTS = FaultRates()


@dataclass
class FaultCounts:
    corrupted: int = 0
    dropped: int = 0
    inserted: int = 0


class FaultyTransport:
    """Wraps `inner`; `to_device` spoils host→device bytes, `to_host` device→host bytes."""

    def __init__(self, inner: Transport, *, to_device: FaultRates = NO_FAULTS, to_host: FaultRates = NO_FAULTS,
                 seed: int = 0) -> None:
        self._inner = inner
        self.to_device = to_device
        self.to_host = to_host
        self._rng = random.Random(seed)
        self._lock = threading.Lock()
        self.counts = {"to_device": FaultCounts(), "to_host": FaultCounts()}

    @property
    def name(self) -> str:
        return f"faulty({self._inner.name})"

    def _spoil(self, data: bytes, rates: FaultRates, counts: FaultCounts) -> bytes:
        if rates == NO_FAULTS:
            return data
        out = bytearray()
        with self._lock:
            for b in data:
                if self._rng.random() < rates.insert:
                    out.append(self._rng.randrange(256))
                    counts.inserted += 1
                if self._rng.random() < rates.drop:
                    counts.dropped += 1
                    continue
                if self._rng.random() < rates.corrupt:
                    b ^= 1 << self._rng.randrange(8)
                    counts.corrupted += 1
                out.append(b)
        return bytes(out)

    def write(self, data: bytes) -> None:
        self._inner.write(self._spoil(data, self.to_device, self.counts["to_device"]))

    def read(self, max_bytes: int, timeout: float) -> bytes:
        data = self._inner.read(max_bytes, timeout)
        return self._spoil(data, self.to_host, self.counts["to_host"]) if data else data

    def close(self) -> None:
        self._inner.close()
