"""Presentation stage: the pages and actions of /admin (a Flask blueprint of server-rendered pages).

Every route but the sign-in page needs a signed-in editor: anonymous GETs are sent to the sign-in page,
anonymous writes get 401; every write must also pass the same-site checks (security.cross_site_problem),
else 403. Reading and building run in a subprocess (files.review, files.build).
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

from flask import (
    Blueprint,
    abort,
    flash,
    g,
    redirect,
    render_template,
    request,
    session,
    url_for,
)

from etl import accounts
from etl.transliteration import slug

from .. import db, i18n
from . import files, security
from .texts import ACTIONS, field_label, flag_label, texts

bp = Blueprint("admin", __name__, url_prefix=security.PREFIX, template_folder="templates")
OPEN_ENDPOINTS = {"admin.signin"}
# the plan as a whole, corrected when the parser guessed it (an empty source_line)
PLAN_FIELDS = ("municipality", "year")
# review fields that are not a record's to correct (they come from the plan or locate the record)
NOT_CORRECTABLE = {"plan_id", "municipality", "year", "source_line", "corrected"}
MAX_VALUE, MAX_REASON = 2000, 500


@bp.before_request
def _guard():
    request.max_content_length = files.MAX_UPLOAD + 1024 * 1024  # the form's other fields fit in the extra MB
    if request.args.get("lang") in ("bg", "en"):
        session["lang"] = request.args["lang"]
    g.lang = session.get("lang", "bg")
    g.user = security.current_user()
    writes = request.method not in ("GET", "HEAD", "OPTIONS")
    if request.endpoint not in OPEN_ENDPOINTS and g.user is None:
        if writes:
            abort(401)
        return redirect(url_for("admin.signin", next=request.path))
    if writes:
        problem = security.cross_site_problem()
        if problem:
            abort(403, problem)
    return None


@bp.after_request
def _headers(response):
    # the app's "no-referrer" would make browsers send `Origin: null` with our own forms (Fetch standard)
    response.headers["Referrer-Policy"] = "same-origin"
    response.headers["Cache-Control"] = "no-store"
    return response


def page(template: str, status: int = 200, **context):
    T = texts(g.lang)
    return render_template(f"admin/{template}", T=T, lang=g.lang, user=g.user, actions=ACTIONS[g.lang],
                           field_label=lambda code: field_label(g.lang, code),
                           flag_label=lambda code: flag_label(g.lang, code), value_label=value_label,
                           csrf=security.csrf_token(),
                           **context), status


CODED = {"section": "section", "status": "status", "funding": "funding"}  # fields whose values are codes


def value_label(field: str, value: str) -> str:
    """A field's value as a reader says it (a code's label in the page's language; `;`-joined codes each)."""
    kind = CODED.get(field)
    if not kind or not value:
        return value
    return "; ".join(i18n.label(kind, code, g.lang) for code in value.split(";"))


def client_address() -> str:
    """The client's address for the sign-in limit: behind $SSP_PROXY_HOPS trusted proxies, the address the
    outermost of them saw (X-Forwarded-For, counted from the right), else the connection's."""
    hops = int(os.environ.get("SSP_PROXY_HOPS") or 0)
    forwarded = [a.strip() for a in request.headers.get("X-Forwarded-For", "").split(",") if a.strip()]
    if hops and len(forwarded) >= hops:
        return forwarded[-hops]
    return request.remote_addr or "?"


# --- sign-in ------------------------------------------------------------------------------------------------


@bp.route("/signin", methods=["GET", "POST"])
def signin():
    T = texts(g.lang)
    target = request.values.get("next", "")
    if not target.startswith(security.PREFIX + "/") or target.startswith("//"):
        target = url_for("admin.index")
    if request.method == "GET":
        return page("signin.html", next=target)
    name, password = request.form.get("name", "").strip(), request.form.get("password", "")
    wait = max(security.PER_ACCOUNT.wait(name.lower()), security.PER_ADDRESS.wait(client_address()))
    if wait > 0:
        minutes = int(wait // 60) + 1
        return page("signin.html", 429, next=target, error=T["signin_limited"].format(minutes=minutes))
    if not accounts.verify(name, password):
        security.PER_ACCOUNT.fail(name.lower())
        security.PER_ADDRESS.fail(client_address())
        return page("signin.html", 401, next=target, error=T["signin_failed"])
    security.PER_ACCOUNT.clear(name.lower())
    lang = g.lang
    security.sign_in(name)
    session["lang"] = lang
    files.audit(name, "signin")
    return redirect(target, 303)


@bp.route("/signout", methods=["POST"])
def signout():
    files.audit(g.user, "signout")
    security.sign_out()
    return redirect(url_for("admin.signin"), 303)


# --- the start page: upload, reviews in progress, plans loaded ------------------------------------------------


def loaded_plans() -> list[dict]:
    try:
        return db.run_records("admin_plans")
    except db.DatabaseMissing:
        return []


def index_page(status: int = 200, error: str | None = None):
    return page("index.html", status, plans=loaded_plans(), staged=files.staged(), error=error)


@bp.route("/")
def index():
    return index_page()


@bp.route("/upload", methods=["POST"])
def upload():
    T = texts(g.lang)
    sent = request.files.get("file")
    if sent is None or not sent.filename:
        return index_page(400, T["err_empty"])
    files.uploads_dir().mkdir(parents=True, exist_ok=True)
    fd, incoming = tempfile.mkstemp(dir=files.uploads_dir(), prefix=".incoming-")
    os.close(fd)
    try:
        sent.save(incoming)
        path = Path(incoming)
        if path.stat().st_size > files.MAX_UPLOAD:
            return index_page(413, T["err_size"])
        with path.open("rb") as f:
            head = f.read(16)
        kind = files.sniff(head, path)
        if kind is None:
            return index_page(415, T["err_type"].format(detail=sent.filename))
        claimed = files.claimed_kind(sent.filename)
        if claimed != kind:
            return index_page(415, T["err_mismatch"].format(claimed=claimed or "—", actual=kind))
        name = files.safe_name(sent.filename, kind)
        staged = files.new_stage(name, g.user, "upload")
        shutil.move(incoming, staged.document)
    finally:
        if os.path.exists(incoming):
            os.unlink(incoming)
    files.audit(g.user, "upload", file=name, original_name=sent.filename, stage=staged.id,
                source_sha256=files.sha256(staged.document))
    return redirect(url_for("admin.preview", stage_id=staged.id), 303)


# --- the preview: what was read, beside its source ------------------------------------------------------------


def staged_or_404(stage_id: str) -> files.Stage:
    found = files.stage(stage_id)
    if found is None:
        abort(404)
    return found


def replaced_plans(read: dict) -> list[dict]:
    if not read.get("municipality") or not read.get("year"):
        return []
    try:
        return db.run_records("admin_plans_same", municipalities=[read["municipality"]], years=[int(read["year"])])
    except db.DatabaseMissing:
        return []


@bp.route("/staged/<stage_id>")
def preview(stage_id: str):
    staged = staged_or_404(stage_id)
    try:
        read = files.review(staged)
    except files.EtlFailed as exc:
        return page("preview.html", 422, stage=staged, meta=staged.meta, read=None, plan_fields=PLAN_FIELDS,
                    error=texts(g.lang)["review_failed"].format(message=exc))
    fields = sorted({f for r in read.get("records", []) for f in r.get("fields", {})} - NOT_CORRECTABLE)
    flagged = sum(1 for r in read.get("records", []) if r.get("review"))
    return page("preview.html", stage=staged, meta=staged.meta, read=read, fields=fields, flagged=flagged,
                replaced=replaced_plans(read), corrections=files.correction_rows(staged.corrections))


@bp.route("/staged/<stage_id>/correct", methods=["POST"])
def correct(stage_id: str):
    staged = staged_or_404(stage_id)
    T = texts(g.lang)
    form = request.form
    line_text, field = form.get("source_line", "").strip(), form.get("field", "")
    value, reason = form.get("value", "").strip()[:MAX_VALUE], form.get("reason", "").strip()[:MAX_REASON]
    if not reason:
        flash(T["err_reason"], "danger")
        return redirect(url_for("admin.preview", stage_id=stage_id), 303)
    try:
        read = files.review(staged)
    except files.EtlFailed:
        read = None  # unreadable as it stands: only the plan's municipality and year can be given
    if not correction_fits(read, line_text, field, value):
        abort(400, T["err_field"])
    # a bare line as a number (as before); a record of several starting on one line as written ('24.2')
    source_line = (int(line_text) if line_text.isdigit() else line_text) if line_text else None
    files.add_correction(staged, line_text or None, field, value, reason, g.user)
    if field in PLAN_FIELDS:
        name_after_plan(staged, read)
    files.audit(g.user, "correct", file=staged.meta["file"], plan_id=(read or {}).get("plan_id"), stage=staged.id,
                source_line=source_line, field=field, value=value, reason=reason)
    anchor = f"#line-{line_text}" if line_text else ""
    return redirect(url_for("admin.preview", stage_id=stage_id) + anchor, 303)


def name_after_plan(staged: files.Stage, read: dict | None) -> None:
    """A plan's municipality and year given by a person go into the staged document's name (`dupnitsa-2021.txt`):
    the file name is where the build takes what a heading lacks, and the plan-level corrections confirm it
    (docs/conventions.md#corrections). Nothing happens until both are known."""
    given = {r["field"]: r["value"] for r in files.correction_rows(staged.corrections) if not r["source_line"]}
    municipality = given.get("municipality") or (read or {}).get("municipality")
    year = given.get("year") or (read or {}).get("year")
    if municipality and year:
        files.rename_document(staged, f"{slug(municipality)}-{year}")


def correction_fits(read: dict | None, line_text: str, field: str, value: str) -> bool:
    """Whether a correction names something the review shows: the plan's municipality or year when they were
    guessed (or the document could not be read without them: `read` None), a field of a record by the reference
    the review gives it (its first line, or '24.2' where several records start on line 24), a record to drop, or
    a line not used to make a record of."""
    if not line_text:
        guessed = PLAN_FIELDS if read is None else read.get("guessed", [])
        return field in guessed and bool(value) and (field != "year" or (value.isdigit() and len(value) == 4))
    if read is None or not line_text.replace(".", "", 1).isdigit() or not line_text.isascii():
        return False
    starts = {r["ref"]: r for r in read.get("records", [])}
    if field == "_record":
        unused = {str(u["line"]) for u in read.get("unused_lines", [])}
        return (value == "drop" and line_text in starts) or (value == "add" and line_text in unused)
    record = starts.get(line_text)
    return record is not None and field in record.get("fields", {}) and field not in NOT_CORRECTABLE


@bp.route("/staged/<stage_id>/discard", methods=["POST"])
def discard(stage_id: str):
    staged = staged_or_404(stage_id)
    files.audit(g.user, "discard", file=staged.meta["file"], stage=staged.id)
    shutil.rmtree(staged.dir)
    return redirect(url_for("admin.index"), 303)


# --- publish, reopen, withdraw ------------------------------------------------------------------------------


@bp.route("/staged/<stage_id>/publish", methods=["POST"])
def publish(stage_id: str):
    staged = staged_or_404(stage_id)
    T = texts(g.lang)
    try:
        read = files.review(staged)
    except files.EtlFailed as exc:
        flash(T["review_failed"].format(message=exc), "danger")
        return redirect(url_for("admin.preview", stage_id=stage_id), 303)
    plan_id = read.get("plan_id")
    if not plan_id:
        flash(T["err_no_plan"], "danger")
        return redirect(url_for("admin.preview", stage_id=stage_id), 303)
    replaced = replaced_plans(read)
    placed = files.place(staged, plan_id, replaced)
    try:
        seconds = files.build()
    except files.BuildBusy:
        flash(T["build_busy"], "warning")
        return redirect(url_for("admin.preview", stage_id=stage_id), 303)
    except files.EtlFailed as exc:
        flash(T["build_failed"].format(message=exc), "danger")
        return redirect(url_for("admin.preview", stage_id=stage_id), 303)
    files.audit(g.user, "publish", plan_id=plan_id, replaced=[o["plan_id"] for o in replaced], **placed)
    shutil.rmtree(staged.dir)
    flash(T["published"].format(plan=plan_id, seconds=f"{seconds:.1f}"), "success")
    return redirect(url_for("admin.report", plan_id=plan_id), 303)


def loaded_or_404(plan_id: str) -> dict:
    try:
        found = db.run_records("admin_plan", plan_id=plan_id)
    except db.DatabaseMissing:
        found = []
    if not found:
        abort(404)
    return found[0]


@bp.route("/plans/<plan_id>/open", methods=["POST"])
def reopen(plan_id: str):
    plan = loaded_or_404(plan_id)
    document = files.plans_dir() / plan["source_file"]
    if not document.is_file():
        abort(404)
    staged = files.new_stage(document.name, g.user, "published", files.corrections_dir() / f"{plan_id}.csv")
    staged.save_meta({**staged.meta, "replaces": plan_id})
    shutil.copyfile(document, staged.document)
    files.audit(g.user, "open", plan_id=plan_id, file=document.name, stage=staged.id)
    return redirect(url_for("admin.preview", stage_id=staged.id), 303)


@bp.route("/plans/<plan_id>/withdraw", methods=["POST"])
def withdraw(plan_id: str):
    plan = loaded_or_404(plan_id)
    T = texts(g.lang)
    reason = request.form.get("reason", "").strip()[:MAX_REASON]
    archived = []
    for path in (files.plans_dir() / plan["source_file"], files.corrections_dir() / f"{plan_id}.csv"):
        if path.is_file():
            archived.append(files.archive(path, "withdrawn").name)
    try:
        files.build()
    except files.EtlFailed as exc:
        flash(T["build_failed"].format(message=exc), "danger")
    files.audit(g.user, "withdraw", plan_id=plan_id, file=plan["source_file"], archived=archived, reason=reason)
    flash(T["withdrawn"].format(plan=plan_id), "success")
    return redirect(url_for("admin.index"), 303)


# --- the build report and the audit log ------------------------------------------------------------------------


@bp.route("/plans/<plan_id>/report")
def report(plan_id: str):
    plan = loaded_or_404(plan_id)
    return page("report.html", plan=plan, issues=db.run_records("admin_plan_issues", plan_id=plan_id),
                unused=db.run_records("admin_plan_unused_lines", plan_id=plan_id),
                corrections=db.run_records("admin_plan_corrections", plan_id=plan_id),
                log=files.audit_entries(plan_id=plan_id))


@bp.route("/audit")
def audit():
    return page("audit.html", log=files.audit_entries())
