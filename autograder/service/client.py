"""A client of ``course serve``: sign in (or use an upload token), then upload notebooks and get
their receipts as JSON.

Used by ``course submit --to URL`` (it ships in the student package) and by scripts (the
durability test, ``benchmarks/serve_load.py``)."""

from __future__ import annotations

import re

import httpx

from autograder.errors import CourseError

CSRF = re.compile(r'name="csrf" value="([^"]+)"')


class ServiceError(CourseError):
    """The service cannot be reached or refuses to sign in: one line with the address and why."""


class ServiceClient:
    def __init__(self, base_url: str, timeout: float = 60.0):
        self.base_url = base_url
        self.http = httpx.Client(base_url=base_url, timeout=timeout, follow_redirects=False)
        self.csrf, self.token = "", ""

    def _get(self, path: str) -> httpx.Response:
        try:
            return self.http.get(path)
        except httpx.HTTPError as e:
            raise ServiceError(f"{self.base_url}: cannot reach the course service ({e})") from None

    def _csrf(self, path: str) -> str:
        m = CSRF.search(self._get(path).text)
        if not m:
            raise ServiceError(f"{self.base_url}{path}: no form on the page (is this the course service?)")
        return m.group(1)

    def sign_in(self, ident: str, password: str) -> None:
        try:
            r = self.http.post("/login", data={"id": ident, "password": password, "csrf": self._csrf("/login")},
                               headers={"accept": "application/json"})
        except httpx.HTTPError as e:
            raise ServiceError(f"{self.base_url}: cannot reach the course service ({e})") from None
        if r.status_code == 429:
            raise ServiceError(f"{self.base_url}: signing in as {ident} was refused: {self.reason(r)}")
        if r.status_code != 303:
            raise ServiceError(f"{self.base_url}: signing in as {ident} was refused (unknown id or wrong password)")
        self.csrf = self._csrf("/")

    def use_token(self, token: str) -> None:
        """Upload with a student's upload token instead of a signed-in session."""
        self.token = token

    def upload(self, assignment: str, data: bytes, name: str) -> httpx.Response:
        headers = {"accept": "application/json"}
        form = {"csrf": self.csrf}
        if self.token:
            headers["authorization"], form = f"Bearer {self.token}", {}
        try:
            return self.http.post(f"/submit/{assignment}", data=form, files={"notebook": (name, data)}, headers=headers)
        except httpx.HTTPError as e:
            raise ServiceError(f"{self.base_url}: the upload did not complete ({e}); no receipt, submit again") from None

    @staticmethod
    def reason(r: httpx.Response) -> str:
        try:
            return str(r.json().get("error") or r.text[:200])
        except ValueError:
            return r.text[:200]

    def close(self) -> None:
        self.http.close()
