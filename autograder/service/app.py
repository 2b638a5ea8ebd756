"""The ``course serve`` web application (Starlette via FastAPI, served by uvicorn).

Routes, by role (the session says who; no route trusts a form field for identity):

* anyone: ``GET/POST /login`` (id + password, argon2), ``GET /login/token/<token>`` (a one-time
  sign-in link staff hand out), ``POST /logout``;
* students: ``GET /`` their submissions and receipts, upload forms; ``POST /submit/<id>`` an
  upload (a notebook, at most ``MAX_UPLOAD`` bytes) answered with a receipt once stored;
  ``GET /receipts/<n>`` and ``/receipts/<n>/file`` their own only (anyone else's: 404);
  ``GET /feedback/<id>`` their page once the assignment's feedback is released (``[serve]
  feedback`` in assignment.toml: by staff's hand, after the deadline, or at once);
* staff (ta, instructor): ``GET /staff`` every assignment's latest submissions; ``POST
  /staff/grade/<id>`` grades them with the receipt times as the late policy's times, then writes
  the reports; ``POST /staff/release/<id>`` releases feedback; ``GET /staff/reports/<id>/<page>``.

Every POST carries the session's CSRF token; sessions are signed cookies (``itsdangerous``),
``SameSite=Lax``, HTTP-only.
"""

from __future__ import annotations

import hmac
import secrets
import tempfile
import threading
from datetime import timezone
from pathlib import Path
from urllib.parse import quote

from fastapi import FastAPI, Query, Request
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse, RedirectResponse, Response
from jinja2 import ChoiceLoader, PackageLoader
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile
from starlette.middleware.sessions import SessionMiddleware

from autograder.reports.render import environment
from autograder.service.store import STAFF, ServiceStore
from autograder.service.throttle import LoginThrottle
from autograder.service.written import PageRefresher, progress, rows, written_questions
# imported with the app, not at the first upload: nbformat takes ~2 s to import, which the first
# students of a deadline would otherwise wait out together
from autograder.student.submit import SubmitError, read_notebook

MAX_UPLOAD = 50 * 1024 * 1024      # the grader's own limit on a notebook (grading/submissions.py)


class Refused(Exception):
    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status, self.message = status, message


def create_app(store: ServiceStore, dist: Path, gradebook_url: str, data: Path, secret: str,
               backend: str | None = None, https_only: bool = False,
               throttle: LoginThrottle | None = None) -> FastAPI:
    """``data``: where the service writes ``reports/<id>/`` and ``results/<id>/``; ``throttle``:
    the failed sign-in limits (the defaults of ``service/throttle.py`` when not given)."""
    reports = Path(data) / "reports"
    throttle = throttle or LoginThrottle()
    app = FastAPI(docs_url=None, redoc_url=None, openapi_url=None)
    app.add_middleware(SessionMiddleware, secret_key=secret, same_site="lax", https_only=https_only,
                       session_cookie="course_session", max_age=12 * 3600)
    env = environment()
    env.loader = ChoiceLoader([PackageLoader("autograder.service", "templates"), env.loader])
    grading: dict[str, str] = {}          # assignment -> what the last staff-started grade says
    lock = threading.Lock()

    def assignments() -> list[str]:
        return sorted(p.parent.parent.name for p in Path(dist).glob("*/autograder/tests.json"))

    def config_of(assignment: str):
        from autograder.authoring.config import load_config

        return load_config(Path(dist) / assignment / "autograder" / "assignment.toml")

    checks = None           # public tests on upload: started with the first assignment that asks

    def public_checks():
        nonlocal checks
        with lock:
            if checks is None:
                from autograder.service.checks import PublicChecks

                checks = PublicChecks(Path(dist), Path(data) / "checks", backend)
            return checks

    def check_status(receipt):
        return public_checks().status(receipt.receipt_id) if config_of(receipt.assignment).public_tests_on_upload \
            else None

    def released(assignment: str) -> bool:
        """Whether students may see their graded page: by the assignment's ``[serve] feedback``."""
        from datetime import datetime

        config = config_of(assignment)
        if config.feedback_release == "immediately":
            return True
        if config.feedback_release == "after_deadline" and datetime.now(timezone.utc) >= config.deadline:
            return True
        return store.feedback_released(assignment)

    def known(assignment: str) -> None:
        if assignment not in assignments():
            raise Refused(404, f"there is no assignment {assignment!r}")

    def page(request: Request, template: str, status: int = 200, **ctx) -> HTMLResponse:
        ctx.setdefault("user", _user(request))
        return HTMLResponse(env.get_template(template).render(csrf=_csrf(request), **ctx), status_code=status)

    def _user(request: Request):
        ident = request.session.get("user")
        return store.account(ident) if ident else None

    def user_or_login(request: Request):
        user = _user(request)
        if user is None:
            raise Refused(303, "/login")
        return user

    def staff(request: Request):
        user = user_or_login(request)
        if user.role not in STAFF:
            raise Refused(403, "this page is for course staff")
        return user

    async def checked_form(request: Request):
        form = await request.form()
        sent = str(form.get("csrf") or "")
        if not sent or not hmac.compare_digest(sent, request.session.get("csrf", "")):
            raise Refused(403, "the form is stale or was not sent from this site (no valid CSRF token); reload and try again")
        return form

    @app.exception_handler(Refused)
    async def refused(request: Request, exc: Refused):
        if exc.status == 303:
            return RedirectResponse(exc.message, status_code=303)
        if "application/json" in request.headers.get("accept", ""):
            return JSONResponse({"error": exc.message}, status_code=exc.status)
        return page(request, "service_error.html", status=exc.status, message=exc.message)

    @app.get("/favicon.ico")
    async def favicon():
        return Response(status_code=204)        # browsers ask for it; the pages need none

    @app.get("/login")
    def login_form(request: Request):
        return page(request, "service_login.html", error=None)

    @app.post("/login")
    async def login(request: Request):
        form = await checked_form(request)
        ident, address = str(form.get("id") or ""), request.client.host if request.client else ""
        wait = throttle.wait_s(ident, address)
        if wait:            # refused before argon2 runs: guessing costs the guesser, not our CPUs
            minutes = max(1, round(wait / 60))
            raise Refused(429, f"too many failed sign-ins for this id or from this address; try again in "
                               f"{minutes} minute{'s' if minutes > 1 else ''}, or ask course staff for a sign-in link")
        # argon2 costs tens of milliseconds of CPU: off the event loop, as every blocking call here
        account = await run_in_threadpool(store.check_password, ident, str(form.get("password") or ""))
        if account is None:
            throttle.failed(ident, address)
            return page(request, "service_login.html", status=401, error="unknown id or wrong password")
        throttle.succeeded(ident)
        return _signed_in(request, account.id)

    @app.get("/login/token/{token}")
    def token_login(request: Request, token: str):
        account = store.spend_token(token)
        if account is None:
            raise Refused(403, "this sign-in link was used already or is not valid; ask course staff for a new one")
        return _signed_in(request, account.id)

    def _signed_in(request: Request, ident: str) -> RedirectResponse:
        request.session.clear()                 # a new session: no fixation
        request.session["user"] = ident
        request.session["csrf"] = secrets.token_urlsafe(24)
        return RedirectResponse("/", status_code=303)

    @app.post("/logout")
    async def logout(request: Request):
        await checked_form(request)
        request.session.clear()
        return RedirectResponse("/login", status_code=303)

    @app.get("/")
    def home(request: Request):
        user = user_or_login(request)
        if user.role in STAFF:
            return RedirectResponse("/staff", status_code=303)
        mine = store.receipts(student=user.id)
        return page(request, "service_student.html", assignments=assignments(), receipts=mine,
                    released={a for a in assignments() if released(a)}, max_mb=MAX_UPLOAD >> 20)

    @app.post("/submit/{assignment}")
    async def submit(request: Request, assignment: str):
        bearer = request.headers.get("authorization", "")
        token = bearer[7:].strip() if bearer.lower().startswith("bearer ") else None
        if token is not None:      # `course submit --to URL --token T`: uploads only
            user = await run_in_threadpool(store.upload_token_owner, token)
            if user is None:
                raise Refused(401, "this upload token is not valid (a newer one replaced it, or it was mistyped); "
                                   "make a new one on your page of the course service; nothing was stored")
        else:
            user = user_or_login(request)
        known(assignment)
        length = request.headers.get("content-length")
        if length and length.isdigit() and int(length) > MAX_UPLOAD + 65536:
            raise Refused(413, f"the upload is larger than {MAX_UPLOAD >> 20} MB; nothing was stored")
        # a token is not a cookie: no browser sends it on its own, so no CSRF token is needed with it
        form = await request.form() if token is not None else await checked_form(request)
        upload = form.get("notebook")
        if not isinstance(upload, UploadFile):
            raise Refused(400, "no file in the upload; choose your notebook (.ipynb) and submit again")
        data = await upload.read(MAX_UPLOAD + 1)
        if len(data) > MAX_UPLOAD:
            raise Refused(413, f"the upload is larger than {MAX_UPLOAD >> 20} MB; nothing was stored")
        name = Path(upload.filename or "notebook.ipynb").name
        await run_in_threadpool(_check_notebook, data, name, assignment)
        stored = await run_in_threadpool(store.store, assignment, user.id, data, name)    # fsyncs
        check = None
        if config_of(assignment).public_tests_on_upload:
            public_checks().submit(stored.receipt_id, assignment, store.file_path(stored.sha256))
            check = public_checks().status(stored.receipt_id)
        if "application/json" in request.headers.get("accept", ""):
            return JSONResponse(receipt_json(stored), status_code=201)
        return page(request, "service_receipt.html", status=201, receipt=stored, check=check)

    @app.post("/upload-token")
    async def new_upload_token(request: Request):
        user = user_or_login(request)
        await checked_form(request)
        token = await run_in_threadpool(store.issue_upload_token, user.id)
        return page(request, "service_upload_token.html", token=token, base=str(request.base_url).rstrip("/"))

    def own_receipt(request: Request, rid: int):
        user = user_or_login(request)
        r = store.receipt(rid)
        if r is None or (r.student != user.id and user.role not in STAFF):
            raise Refused(404, "no such receipt")       # the same answer whether it exists or not
        return r

    @app.get("/receipts/{rid}")
    def receipt(request: Request, rid: int):
        r = own_receipt(request, rid)
        return page(request, "service_receipt.html", receipt=r, check=check_status(r))

    @app.get("/receipts/{rid}/file")
    def receipt_file(request: Request, rid: int):
        r = own_receipt(request, rid)
        return FileResponse(store.file_path(r.sha256), media_type="application/x-ipynb+json",
                            filename=f"{r.assignment}-{r.student}-{r.receipt_id}.ipynb")

    @app.get("/feedback/{assignment}")
    def feedback(request: Request, assignment: str):
        user = user_or_login(request)
        if assignment not in assignments() or not released(assignment):
            raise Refused(404, "no feedback for this assignment yet")
        from autograder.reports.model import page_name

        path = reports / assignment / page_name(user.id)
        if not path.is_file():
            raise Refused(404, "no feedback for you on this assignment (nothing of yours was graded)")
        return HTMLResponse(path.read_text(encoding="utf-8"))

    @app.get("/staff")
    def staff_home(request: Request):
        staff(request)
        rows = [{"id": a, "latest": store.latest(a), "released": released(a),
                 "grading": grading.get(a, "")} for a in assignments()]
        return page(request, "service_staff.html", rows=rows)

    async def staff_action(request: Request, assignment: str):
        """A staff POST about ``assignment``: the role, the form's CSRF token, a released assignment;
        returns (the staff account, the form)."""
        user = staff(request)
        form = await checked_form(request)
        known(assignment)
        return user, form

    @app.post("/staff/grade/{assignment}")
    async def grade(request: Request, assignment: str):
        user, _ = await staff_action(request, assignment)
        _start_grading(assignment, user.id)
        return RedirectResponse("/staff", status_code=303)

    def _start_grading(assignment: str, who: str, students: set[str] | None = None) -> None:
        with lock:
            if grading.get(assignment, "").startswith("grading"):
                raise Refused(409, f"{assignment} is being graded already")
            grading[assignment] = f"grading{' ' + ', '.join(sorted(students)) if students else ''}, started by {who}"
        threading.Thread(target=_grade, args=(assignment, students), daemon=True).start()

    def _grade(assignment: str, students: set[str] | None) -> None:
        try:
            grading[assignment] = grade_latest(store, assignment, Path(dist), gradebook_url, Path(data), backend,
                                               students)
        except Exception as e:  # noqa: BLE001 - shown to staff on the page, never a dead thread
            grading[assignment] = f"failed: {type(e).__name__}: {e}"

    @app.post("/staff/release/{assignment}")
    async def release_feedback(request: Request, assignment: str):
        user, _ = await staff_action(request, assignment)
        await run_in_threadpool(store.release_feedback, assignment, user.id)
        return RedirectResponse("/staff", status_code=303)

    # -- written answers, overrides and regrades -----------------------------------------------
    book = None

    def gradebook():
        """The one Gradebook (and connection pool) of this service, made on first use."""
        nonlocal book
        with lock:
            if book is None:
                from autograder.gradebook import Gradebook

                book = Gradebook(gradebook_url)
            return book

    def written_spec(assignment: str, question: str | None = None):
        known(assignment)
        questions = written_questions(Path(dist) / assignment / "autograder")
        if question is not None and question not in questions:
            raise Refused(404, f"{assignment} has no written question {question!r}")
        return questions

    @app.get("/staff/written/{assignment}")
    def written_index(request: Request, assignment: str):
        staff(request)
        questions = written_spec(assignment)
        return page(request, "service_written_index.html", assignment=assignment, questions=questions,
                    progress=progress(gradebook(), assignment, questions))

    @app.get("/staff/written/{assignment}/{question}")
    def written_question(request: Request, assignment: str, question: str):
        staff(request)
        spec = written_spec(assignment, question)[question]
        answers = rows(gradebook(), store, assignment, question)
        ungraded = request.query_params.get("ungraded") == "1"      # a long class: what is left to grade
        return page(request, "service_written.html", assignment=assignment, q=spec, total=len(answers),
                    rows=[r for r in answers if not (ungraded and r.latest)], ungraded=ungraded,
                    graded=sum(1 for r in answers if r.latest), saved=request.query_params.get("saved", ""),
                    rewriting=refresher.busy(assignment))

    @app.post("/staff/written/{assignment}/{question}")
    async def save_written(request: Request, assignment: str, question: str):
        user, form = await staff_action(request, assignment)
        written_spec(assignment, question)
        student, anchor = str(form.get("student") or ""), str(form.get("next") or "")
        filtered = "&ungraded=1" if form.get("ungraded") == "1" else ""
        points = _points(form.get("points"))
        await run_in_threadpool(_save_and_refresh, assignment, student, lambda gb: gb.save_written_grade(
            assignment, student, question, points, str(form.get("comment") or ""), user.id), question)
        return RedirectResponse(f"/staff/written/{assignment}/{question}?saved={quote(student)}{filtered}"
                                f"#{quote(anchor)}",
                                status_code=303)

    @app.post("/staff/override/{assignment}")
    async def override(request: Request, assignment: str):
        user, form = await staff_action(request, assignment)
        student, question = str(form.get("student") or ""), str(form.get("question") or "")
        points = _points(form.get("points"))
        await run_in_threadpool(_save_and_refresh, assignment, student, lambda gb: gb.add_override(
            assignment, student, question, points, str(form.get("reason") or ""), user.id))
        return RedirectResponse("/staff", status_code=303)

    refresher = PageRefresher(gradebook, Path(dist), reports)

    def _save_and_refresh(assignment: str, student: str, save, written: str | None = None) -> None:
        """``save(gradebook)``, then the pages it changes; ``written``: the written question graded."""
        from autograder.gradebook import OverrideError

        gb = gradebook()
        # a written question's first grade adds its points to every total's maximum: every page
        first = written is not None and written not in {o.question for o in gb.overrides(assignment)}
        try:
            save(gb)
        except OverrideError as e:
            raise Refused(400, f"{e}; nothing was saved") from None
        refresher.refresh(assignment, None if first else student)

    @app.post("/staff/regrade/{assignment}")
    async def regrade(request: Request, assignment: str):
        user, form = await staff_action(request, assignment)
        student = str(form.get("student") or "")
        if student not in store.latest(assignment):
            raise Refused(400, f"{student!r} has no submission of {assignment}; nothing to grade again")
        _start_grading(assignment, user.id, {student})
        return RedirectResponse("/staff", status_code=303)

    @app.get("/staff/export/{assignment}.csv")
    def export_csv(request: Request, assignment: str, fmt: str = Query("csv", alias="format")):
        """The gradebook as ``course export`` writes it (``?format=canvas`` and the others too)."""
        from autograder.reports.lms_export import ExportError, export
        from autograder.reports.model import AssignmentInfo, load_class

        staff(request)
        known(assignment)
        view = load_class(gradebook(), AssignmentInfo.load(assignment, Path(dist) / assignment / "autograder"))
        try:
            text, _ = export(view, fmt)
        except ExportError as e:
            raise Refused(400, str(e)) from None
        return Response(text, media_type="text/csv; charset=utf-8", headers={
            "Content-Disposition": f'attachment; filename="{assignment}-{fmt}.csv"'})

    @app.get("/staff/reports/{assignment}/{name}")
    def staff_report(request: Request, assignment: str, name: str):
        staff(request)
        folder = (reports / assignment).resolve()
        path = (folder / name).resolve()
        if path.parent != folder or not path.is_file() or path.suffix != ".html":
            raise Refused(404, "no such page")
        return Response(path.read_bytes(), media_type="text/html")

    # whether students' pages of an assignment are being rewritten (the staff page says so; tests wait)
    app.state.pages_busy = refresher.busy
    return app


def _points(value) -> float:
    try:
        points = float(str(value or "").strip())
    except ValueError:
        raise Refused(400, f"points must be a number, not {str(value)[:40]!r}; nothing was saved") from None
    if points != points or points in (float("inf"), float("-inf")):
        raise Refused(400, "points must be a finite number; nothing was saved")
    return points


def receipt_json(r) -> dict:
    return {"receipt": r.receipt_id, "assignment": r.assignment, "student": r.student, "sha256": r.sha256,
            "size": r.size, "filename": r.filename, "received_at": r.received_at.isoformat()}


def _csrf(request: Request) -> str:
    if "csrf" not in request.session:
        request.session["csrf"] = secrets.token_urlsafe(24)
    return request.session["csrf"]


def _check_notebook(data: bytes, name: str, assignment: str) -> None:
    """Refuse (400, nothing stored) what cannot be graded: not a notebook, or another assignment's."""
    try:
        nb = read_notebook(data, name)
    except SubmitError as e:
        raise Refused(400, f"{e}; nothing was stored") from None
    found = nb.metadata.get("course", {}).get("assignment")
    if found and found != assignment:
        raise Refused(400, f"{name} is a notebook for {found!r}, not {assignment!r}; nothing was stored")


def grade_latest(store: ServiceStore, assignment: str, dist: Path, gradebook_url: str, data: Path,
                 backend: str | None, students: set[str] | None = None) -> str:
    """Grade each student's latest upload, late penalty from the receipt time, then write the reports.
    ``students``: only these, graded again even when unchanged (a regrade from the staff page)."""
    from autograder.gradebook import Gradebook
    from autograder.grading.bundle import check_same_zoo
    from autograder.grading.class_grading import grade_class
    from autograder.isolation.registry import get_backend
    from autograder.reports.model import AssignmentInfo, load_class
    from autograder.reports.render import write_reports

    bundle = dist / assignment / "autograder"
    check_same_zoo(bundle)
    latest = {s: r for s, r in store.latest(assignment).items() if students is None or s in students}
    gb = Gradebook(gradebook_url)
    with tempfile.TemporaryDirectory(prefix="serve-grade-") as tmp:
        for student, r in latest.items():
            (Path(tmp) / f"{student}.ipynb").write_bytes(store.file_path(r.sha256).read_bytes())
        received = {s: r.received_at.astimezone(timezone.utc) for s, r in latest.items()}
        summary = grade_class(bundle, Path(tmp), get_backend(backend), gb, data / "results" / assignment,
                              progress=False, received=received, regrade=students is not None)
    write_reports(load_class(gb, AssignmentInfo.load(assignment, bundle)), data / "reports" / assignment)
    return f"graded {len(summary.graded)}, failed {len(summary.failed)}, unchanged {len(summary.skipped)}"
