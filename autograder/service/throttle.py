"""Failed sign-ins, counted: a script guessing passwords is refused before argon2 runs.

Per account id and per client address, failures within a window are counted; past the limit,
sign-ins for that id (or from that address) are refused with 429 until the oldest failure in
the window expires. A successful sign-in clears the id's count. The counts live in the
process (``course serve`` is one process): a restart forgets them, which costs an attacker a
restart of our server, not a bypass. Behind a proxy, the address is the proxy's unless uvicorn
is told to trust its headers (``--forwarded-allow-ips``); the per-id limit holds either way.
"""

from __future__ import annotations

import threading
import time
from collections import defaultdict, deque

PER_ID = 5                 # failed sign-ins for one id ...
PER_ADDRESS = 30           # ... or from one address ...
WINDOW_S = 15 * 60         # ... within this many seconds


class LoginThrottle:
    def __init__(self, per_id: int = PER_ID, per_address: int = PER_ADDRESS, window_s: float = WINDOW_S,
                 clock=time.monotonic):
        self.limits = {"id": per_id, "address": per_address}
        self.window_s, self.clock = window_s, clock
        self.failures: dict[tuple[str, str], deque] = defaultdict(deque)
        self.lock = threading.Lock()

    def _recent(self, key: tuple[str, str], now: float) -> deque:
        times = self.failures[key]
        while times and now - times[0] >= self.window_s:
            times.popleft()
        return times

    def wait_s(self, ident: str, address: str) -> float:
        """Seconds until a sign-in for ``ident`` from ``address`` may be tried; 0 when it may now."""
        now = self.clock()
        with self.lock:
            waits = [self.window_s - (now - times[0])
                     for kind, value in (("id", ident.lower()), ("address", address))
                     if len(times := self._recent((kind, value), now)) >= self.limits[kind]]
        return max(waits, default=0.0)

    def failed(self, ident: str, address: str) -> None:
        now = self.clock()
        with self.lock:
            for key in (("id", ident.lower()), ("address", address)):
                self._recent(key, now).append(now)

    def succeeded(self, ident: str) -> None:
        with self.lock:
            self.failures.pop(("id", ident.lower()), None)
