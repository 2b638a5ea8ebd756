"""A client of ``course serve`` for scripts (the durability test and ``benchmarks/serve_load.py``):
sign in, then upload notebooks and get their receipts as JSON."""

from __future__ import annotations

import re

import httpx

CSRF = re.compile(r'name="csrf" value="([^"]+)"')


class ServiceClient:
    def __init__(self, base_url: str, timeout: float = 60.0):
        self.http = httpx.Client(base_url=base_url, timeout=timeout, follow_redirects=False)

    def _csrf(self, path: str) -> str:
        m = CSRF.search(self.http.get(path).text)
        if not m:
            raise RuntimeError(f"{path}: no form token (signed in?)")
        return m.group(1)

    def sign_in(self, ident: str, password: str) -> None:
        r = self.http.post("/login", data={"id": ident, "password": password, "csrf": self._csrf("/login")})
        if r.status_code != 303:
            raise RuntimeError(f"sign-in as {ident} refused ({r.status_code})")
        self.csrf = self._csrf("/")

    def upload(self, assignment: str, data: bytes, name: str) -> httpx.Response:
        return self.http.post(f"/submit/{assignment}", data={"csrf": self.csrf}, files={"notebook": (name, data)},
                              headers={"accept": "application/json"})

    def close(self) -> None:
        self.http.close()
