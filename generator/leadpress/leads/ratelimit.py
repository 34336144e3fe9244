"""Submissions per client: a token bucket for each client address, kept in memory.

A visitor who fills in two forms is far below the limit; a script posting in a loop is
stopped after the burst. The buckets live in the process, so the limit is per service
process, which is what one machine needs.
"""

from __future__ import annotations

import ipaddress
import math
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class RateLimit:
    per_minute: float = 10
    burst: int = 20

    @classmethod
    def parse(cls, text: str, burst: int | None = None) -> RateLimit:
        """`10/minute`, `600/hour` or `5/second`."""
        count, _, unit = text.partition("/")
        seconds = {"second": 1, "s": 1, "minute": 60, "min": 60, "m": 60, "hour": 3600, "h": 3600}
        try:
            per_minute = float(count) * 60 / seconds[unit.strip().lower() or "minute"]
        except (KeyError, ValueError):
            raise ValueError(f"{text!r} is not a rate; write e.g. 10/minute or 600/hour") from None
        if per_minute <= 0:
            raise ValueError("the rate must be above 0")
        return cls(per_minute, burst if burst is not None else max(1, math.ceil(per_minute * 2)))


def client_key(host: str) -> str:
    """The bucket of a client: its IPv4 address, or its IPv6 /64 (one home or office gets a
    whole /64, so one address each would let a single client take any number of buckets)."""
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return host
    if address.version == 6:
        return str(ipaddress.ip_network(f"{address}/64", strict=False))
    return str(address)


class RateLimiter:
    """Buckets start full (`burst` tokens) and refill at `per_minute`."""

    def __init__(self, limit: RateLimit, clock: Callable[[], float], max_clients: int = 100_000):
        self.limit = limit
        self.clock = clock
        self.max_clients = max_clients
        self._rate = limit.per_minute / 60  # tokens per second
        self._buckets: dict[str, tuple[float, float]] = {}  # key: (tokens, when)

    def take(self, key: str) -> float:
        """0 when the client may submit now; else the seconds until it may."""
        now = self.clock()
        tokens, when = self._buckets.get(key, (self.limit.burst, now))
        tokens = min(self.limit.burst, tokens + max(0.0, now - when) * self._rate)
        if tokens < 1:
            self._buckets[key] = (tokens, now)
            return (1 - tokens) / self._rate
        if len(self._buckets) >= self.max_clients and key not in self._buckets:
            self._forget_full(now)
        self._buckets[key] = (tokens - 1, now)
        return 0.0

    def _forget_full(self, now: float) -> None:
        # A bucket that has refilled is the same as no bucket: drop those to bound memory.
        refill = self.limit.burst / self._rate
        kept = {key: value for key, value in self._buckets.items() if now - value[1] < refill}
        if len(kept) > self.max_clients // 2:
            # A flood from very many addresses: keep the most recent half, so that memory stays
            # bounded and this clean-up runs once per max_clients / 2 new clients at most.
            newest = sorted(kept.items(), key=lambda item: item[1][1])[len(kept) // 2 :]
            kept = dict(newest)
        self._buckets = kept
