"""/admin over HTTP (Flask's test client): who may do what, uploads, corrections, publishing and withdrawing.

Every test works in a temporary site (plans, corrections, admin folder and database of its own, set by the
SSP_* environment variables and dashboard.db.set_database): nothing under data/ is read or written but the
sample plans copied from data/plans.
"""

from __future__ import annotations

import csv
import io
import json
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import docx
import pytest

import app
from dashboard import db
from dashboard.admin import files, security
from etl import accounts

from .helpers import REPO, SAMPLE_PLANS, reference_dir

PASSWORD = "дълга парола 2021"
SITE_PLANS = ["dupnitsa-2021.txt", "lyubimets-2013.txt"]
# Дупница 2021, line 24 (row 8, Преходно жилище): its schedule cells are X X X X; the test copy has "?" in the
# first, which is neither a mark nor a "no" (docs/conventions.md: unknown_mark, q1-q4 left empty)
FLAGGED_LINE = 24
GET_ROUTES = ["/admin/", "/admin/audit", "/admin/staged/{stage}", "/admin/plans/dupnitsa-2021/report"]
POST_ROUTES = ["/admin/upload", "/admin/signout", "/admin/staged/{stage}/correct", "/admin/staged/{stage}/publish",
               "/admin/staged/{stage}/discard", "/admin/plans/dupnitsa-2021/open",
               "/admin/plans/dupnitsa-2021/withdraw"]


def build(site: Path) -> None:
    done = subprocess.run([sys.executable, "-m", "etl", "build", "--plans", str(site / "plans"), "--corrections",
                           str(site / "corrections"), "--db", str(site / "plans.duckdb"), "--reference",
                           str(reference_dir()), "--quiet"], cwd=REPO, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr


@pytest.fixture(scope="module")
def built_site(tmp_path_factory) -> Path:
    site = tmp_path_factory.mktemp("site")
    (site / "plans").mkdir()
    (site / "corrections").mkdir()
    for name in SITE_PLANS:
        shutil.copyfile(SAMPLE_PLANS / name, site / "plans" / name)
    build(site)
    return site


@pytest.fixture()
def site(built_site, tmp_path, monkeypatch) -> Path:
    """A fresh copy of the built site (plans, corrections, database) for each test, with one editor."""
    here = tmp_path / "site"
    shutil.copytree(built_site, here)
    monkeypatch.setenv("SSP_ADMIN_DIR", str(here / "admin"))
    monkeypatch.setenv("SSP_PLANS_DIR", str(here / "plans"))
    monkeypatch.setenv("SSP_CORRECTIONS_DIR", str(here / "corrections"))
    monkeypatch.setenv("SSP_REFERENCE_DIR", str(reference_dir()))
    monkeypatch.delenv("SSP_USERS_FILE", raising=False)
    monkeypatch.delenv("SSP_SECRET_KEY", raising=False)
    accounts.add("ivana", PASSWORD)
    security.PER_ACCOUNT.clear("ivana")  # failures of earlier tests (the limiter lives as long as the process)
    db.set_database(here / "plans.duckdb")
    return here


_addresses = iter(range(1, 250))


@pytest.fixture()
def client(site):
    """A client from an address of its own (the sign-in limit counts per address)."""
    return client_from(f"10.0.0.{next(_addresses)}")


def client_from(address: str):
    made = app.server.test_client()
    made.environ_base["REMOTE_ADDR"] = address
    return made


def token(response) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', response.get_data(as_text=True)).group(1)


def sign_in(client, name: str = "ivana", password: str = PASSWORD):
    return client.post("/admin/signin", data={"csrf_token": token(client.get("/admin/signin")), "name": name,
                                              "password": password})


@pytest.fixture()
def editor(client):
    """A signed-in client and its CSRF token."""
    assert sign_in(client).status_code == 303
    return client, token(client.get("/admin/"))


def flawed_dupnitsa() -> bytes:
    text = (SAMPLE_PLANS / "dupnitsa-2021.txt").read_text(encoding="utf-8").split("\n")
    assert text[FLAGGED_LINE - 1].count("гр.Дупница\tX\tX\tX\tX\t") == 1
    text[FLAGGED_LINE - 1] = text[FLAGGED_LINE - 1].replace("гр.Дупница\tX\t", "гр.Дупница\t?\t")
    return "\n".join(text).encode("utf-8")


def upload(client, csrf: str, content: bytes, name: str):
    return client.post("/admin/upload", data={"csrf_token": csrf, "file": (io.BytesIO(content), name)},
                       content_type="multipart/form-data")


def staged_id(response) -> str:
    return re.fullmatch(r"/admin/staged/([0-9a-f]{32})", response.headers["Location"]).group(1)


@pytest.fixture()
def stage_id(editor) -> str:
    client, csrf = editor
    return staged_id(upload(client, csrf, flawed_dupnitsa(), "dupnitsa-2021.txt"))


# --- who may do what -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("route", GET_ROUTES)
def test_every_page_sends_anonymous_visitors_to_sign_in(client, stage_id, route):
    anonymous = app.server.test_client()
    response = anonymous.get(route.format(stage=stage_id))
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/admin/signin?next=")


@pytest.mark.parametrize("route", POST_ROUTES)
def test_every_write_refuses_anonymous_visitors(site, stage_id, route):
    anonymous = app.server.test_client()
    csrf = token(anonymous.get("/admin/signin"))  # a token of its own session does not make it an editor
    response = anonymous.post(route.format(stage=stage_id), data={"csrf_token": csrf, "reason": "x"})
    assert response.status_code == 401
    assert sorted(p.name for p in (site / "plans").iterdir()) == SITE_PLANS
    assert files.stage(stage_id) is not None


@pytest.mark.parametrize("route", POST_ROUTES)
@pytest.mark.parametrize("attack", ["no token", "wrong token", "foreign origin", "null origin", "cross-site fetch"])
def test_every_write_refuses_cross_site_requests(editor, site, stage_id, route, attack):
    client, csrf = editor
    data = {"csrf_token": {"no token": None, "wrong token": csrf[:-2] + "xx"}.get(attack, csrf), "reason": "x",
            "source_line": str(FLAGGED_LINE), "field": "q1", "value": "1"}
    headers = {"foreign origin": {"Origin": "https://evil.example"}, "null origin": {"Origin": "null"},
               "cross-site fetch": {"Sec-Fetch-Site": "cross-site"}}.get(attack, {})
    response = client.post(route.format(stage=stage_id), data={k: v for k, v in data.items() if v is not None},
                           headers=headers)
    assert response.status_code == 403
    assert sorted(p.name for p in (site / "plans").iterdir()) == SITE_PLANS
    assert files.correction_rows(files.stage(stage_id).corrections) == []
    assert client.get("/admin/").status_code == 200  # still signed in


def test_sign_in_needs_a_token_and_the_same_site_too(client):
    csrf = token(client.get("/admin/signin"))
    assert client.post("/admin/signin", data={"name": "ivana", "password": PASSWORD}).status_code == 403
    assert client.post("/admin/signin", data={"csrf_token": csrf, "name": "ivana", "password": PASSWORD},
                       headers={"Origin": "https://evil.example"}).status_code == 403
    assert client.get("/admin/").status_code == 302


def test_an_editor_signs_in_and_out(client):
    assert sign_in(client, password="не е паролата").status_code == 401
    response = sign_in(client)
    assert (response.status_code, response.headers["Location"]) == (303, "/admin/")
    assert "Влезли сте като ivana" in client.get("/admin/").get_data(as_text=True)
    assert client.post("/admin/signout", data={"csrf_token": token(client.get("/admin/"))}).status_code == 303
    assert client.get("/admin/").status_code == 302


def test_the_session_cookie_is_scoped_and_guarded(client):
    cookie = sign_in(client).headers["Set-Cookie"]
    assert {"Secure", "HttpOnly", "Path=/admin", "SameSite=Lax"} <= set(cookie.split("; "))
    assert app.server.permanent_session_lifetime.total_seconds() == 8 * 3600


def test_public_pages_set_no_cookie(client):
    assert client.get("/").headers.get("Set-Cookie") is None


def test_a_removed_account_is_signed_out(editor):
    client, _ = editor
    accounts.remove("ivana")
    assert client.get("/admin/").status_code == 302


def test_sign_in_attempts_are_limited_per_account(client):
    for _ in range(security.PER_ACCOUNT.limit):
        assert sign_in(client, password="не е паролата").status_code == 401
    other = client_from("10.1.0.1")
    assert sign_in(other).status_code == 429  # the right password from elsewhere: still refused
    security.PER_ACCOUNT.clear("ivana")


def test_sign_in_attempts_are_limited_per_address(client):
    for n in range(security.PER_ADDRESS.limit):
        assert sign_in(client, name=f"guess{n}", password="не е паролата").status_code == 401
    assert sign_in(client).status_code == 429
    for n in range(security.PER_ADDRESS.limit):
        security.PER_ACCOUNT.clear(f"guess{n}")


# --- upload ------------------------------------------------------------------------------------------------------


def staged_count() -> int:
    return len(files.staged())


@pytest.mark.parametrize("size", [20 * 1024 * 1024 + 1, 22 * 1024 * 1024])  # a file just over; a body over
def test_upload_refuses_a_file_over_20_mb(editor, size):
    client, csrf = editor
    response = upload(client, csrf, b"a" * size, "big.txt")
    assert response.status_code == 413
    assert staged_count() == 0
    assert not files.uploads_dir().exists() or list(files.uploads_dir().iterdir()) == []  # nothing left behind


def docx_like_zip(member: str) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr(member, "<x/>")
    return out.getvalue()


@pytest.mark.parametrize(("content", "name"), [
    (b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00", "plan.pdf"),  # a Windows program
    (docx_like_zip("payload.js"), "plan.docx"),  # a zip that is no Word document
    (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n", "plan.txt"),  # a PDF that says it is text
    ("План за 2021".encode(), "plan.pdf"),  # text that says it is a PDF
    ("План".encode() + b"\x00\x01\x02", "plan.txt"),  # binary bytes in text
    ("План".encode(), "plan.exe"),
])
def test_upload_refuses_a_disguised_type(editor, content, name):
    client, csrf = editor
    assert upload(client, csrf, content, name).status_code == 415
    assert staged_count() == 0


def test_upload_decides_the_type_by_content_and_sanitises_the_name(editor):
    client, csrf = editor
    document, out = docx.Document(), io.BytesIO()
    document.add_paragraph("Годишен план за развитие на социалните услуги в община Дупница за 2021 г.")
    document.save(out)
    response = upload(client, csrf, out.getvalue(), "../../Община Дупница 2021.DOCX")
    stage = files.stage(staged_id(response))
    assert stage.meta["file"] == "obshtina-dupnitsa-2021.docx"
    assert stage.document.parent == files.uploads_dir() / stage.id


def test_upload_shows_the_preview_with_the_flag_and_the_plan_it_replaces(editor, stage_id):
    client, _ = editor
    page = client.get(f"/admin/staged/{stage_id}").get_data(as_text=True)
    assert "Публикуването ще замени заредения план dupnitsa-2021 (dupnitsa-2021.txt)." in page
    row = re.search(rf'<tr id="line-{FLAGGED_LINE}" class="flagged">(.*?)</tr>', page, re.S).group(1)
    assert "unknown_mark" in row
    assert re.search(rf'class="col-8 bg-warning-subtle[^"]*" id="field-{FLAGGED_LINE}-q1"', row)
    assert not re.search(r'class="col-8 bg-warning-subtle[^"]*" id="field-\d+-capacity"', row)
    assert "Преходно жилище" in row  # the source line beside what was read


def test_the_preview_comes_in_english_too(editor, stage_id):
    client, _ = editor
    page = client.get(f"/admin/staged/{stage_id}?lang=en").get_data(as_text=True)
    assert "Publishing will replace the loaded plan dupnitsa-2021" in page
    assert "Публикуването" not in page


# --- corrections, publish, withdraw ------------------------------------------------------------------------------


def correct(client, csrf, stage_id, line, field, value, reason="в документа е X"):
    return client.post(f"/admin/staged/{stage_id}/correct",
                       data={"csrf_token": csrf, "source_line": line, "field": field, "value": value, "reason": reason})


def test_a_correction_is_appended_with_its_author_and_the_document_hash(editor, stage_id):
    client, csrf = editor
    assert correct(client, csrf, stage_id, str(FLAGGED_LINE), "q1", "1").status_code == 303
    rows = files.correction_rows(files.stage(stage_id).corrections)
    assert [{k: r[k] for k in ("source_line", "field", "value", "reason", "author")} for r in rows] == [
        {"source_line": "24", "field": "q1", "value": "1", "reason": "в документа е X", "author": "ivana"}]
    assert rows[0]["source_sha256"] == files.sha256(files.stage(stage_id).document)
    log = files.audit_entries()
    assert (log[0]["action"], log[0]["field"], log[0]["user"]) == ("correct", "q1", "ivana")


@pytest.mark.parametrize(("line", "field", "value", "reason"), [
    ("15", "q1", "1", "x"),  # line 15 starts no record (it continues the record of line 13)
    ("24", "no_such_field", "1", "x"),
    ("24", "_record", "add", "x"),  # a record already
    ("", "capacity", "5", "x"),  # only municipality and year are corrected for the whole plan
    ("", "year", "2020", "x"),  # Дупница's year is read from its heading, not guessed
])
def test_a_correction_must_name_what_the_review_shows(editor, stage_id, line, field, value, reason):
    client, csrf = editor
    assert correct(client, csrf, stage_id, line, field, value, reason).status_code == 400
    assert files.correction_rows(files.stage(stage_id).corrections) == []


def test_a_document_without_a_year_asks_for_it_and_is_published_once_given(editor, site):
    client, csrf = editor
    # Дупница 2021 without its heading (lines 1-8) and with every "2021" written "2O21", under a name that says
    # nothing: no year anywhere
    text = "\n".join((SAMPLE_PLANS / "dupnitsa-2021.txt").read_text(encoding="utf-8").split("\n")[8:])
    stage = staged_id(upload(client, csrf, text.replace("2021", "2O21").encode("utf-8"), "plan.txt"))
    page = client.get(f"/admin/staged/{stage}")
    assert page.status_code == 422
    html = page.get_data(as_text=True)
    assert "year cannot be determined" in html and 'id="plan-year"' in html
    assert correct(client, csrf, stage, "", "year", "2021", "годината е в решението на общинския съвет").status_code == 303
    assert [(r["source_line"], r["field"], r["value"]) for r in files.correction_rows(files.stage(stage).corrections)] \
        == [("", "year", "2021")]
    client.post(f"/admin/staged/{stage}/publish", data={"csrf_token": csrf})  # no municipality yet: refused
    assert sorted(p.name for p in (site / "plans").iterdir()) == SITE_PLANS
    # with the municipality too, the document is named after them (where the build takes what a heading lacks)
    assert correct(client, csrf, stage, "", "municipality", "Дупница", "общината на плана").status_code == 303
    assert files.stage(stage).document.name == "dupnitsa-2021.txt"
    assert client.get(f"/admin/staged/{stage}").status_code == 200
    response = client.post(f"/admin/staged/{stage}/publish", data={"csrf_token": csrf})
    assert (response.status_code, response.headers["Location"]) == (303, "/admin/plans/dupnitsa-2021/report")
    corrections = db.run_records("admin_plan_corrections", plan_id="dupnitsa-2021")
    assert [(c["field"], c["status"]) for c in corrections if c["field"] == "year"] == [("year", "applied")]


def test_a_record_of_several_starting_on_one_line_is_corrected_by_its_reference(editor, site):
    """A table written with each service as a column: its three records all start on line 8 (tests/test_corrections.py
    TRANSPOSED). The preview's form of the second writes '8.1'; a bare '8' is refused; the correction reaches that
    record only, in the preview and, once published, in the database and the build report."""
    from .test_corrections import TRANSPOSED

    client, csrf = editor
    stage = staged_id(upload(client, csrf, TRANSPOSED.encode("utf-8"), "velingrad-2024.txt"))
    page = client.get(f"/admin/staged/{stage}").get_data(as_text=True)
    form = re.search(r'<form [^>]*id="correct-8.1">(.*?)</form>', page, re.S).group(1)
    assert '<input type="hidden" name="source_line" value="8.1">' in form
    row = re.search(r'<tr id="line-8.1"[^>]*>(.*?)</tr>', page, re.S).group(1)
    assert "Приемна грижа" in row and "запис 8.1" in row
    assert '<tr id="line-8"' not in page  # no record is named by the bare line
    assert correct(client, csrf, stage, "8", "capacity", "14").status_code == 400
    assert correct(client, csrf, stage, "8.7", "capacity", "14").status_code == 400
    assert correct(client, csrf, stage, "8", "_record", "drop").status_code == 400
    assert files.correction_rows(files.stage(stage).corrections) == []
    response = correct(client, csrf, stage, "8.1", "capacity", "14", "решение на общинския съвет: 14 семейства")
    assert (response.status_code, response.headers["Location"]) == (303, f"/admin/staged/{stage}#line-8.1")
    rows = files.correction_rows(files.stage(stage).corrections)
    assert [(r["source_line"], r["field"], r["value"]) for r in rows] == [("8.1", "capacity", "14")]
    page = client.get(f"/admin/staged/{stage}").get_data(as_text=True)
    shown = {ref: re.search(rf'id="field-{ref}-capacity">\s*(\d+)', page).group(1) for ref in ("8.0", "8.1", "8.2")}
    assert shown == {"8.0": "35", "8.1": "14", "8.2": "20"}  # from the wording: 35 места, 8 → 12 семейства, 20 места
    assert client.post(f"/admin/staged/{stage}/publish", data={"csrf_token": csrf}).status_code == 303
    applied = db.run_records("admin_plan_corrections", plan_id="velingrad-2024")
    assert [(c["source_line"], c["source_record"], c["parsed"], c["value"], c["status"]) for c in applied] == [
        (8, 1, "12", "14", "applied")]
    report = client.get("/admin/plans/velingrad-2024/report").get_data(as_text=True)
    assert re.search(r'id="report-corrections".*?<td>8\.1</td>', report, re.S)


def test_a_correction_needs_a_reason(editor, stage_id):
    client, csrf = editor
    correct(client, csrf, stage_id, str(FLAGGED_LINE), "q1", "1", reason="  ")
    assert files.correction_rows(files.stage(stage_id).corrections) == []


def test_publish_replaces_the_plan_keeps_the_old_file_and_rebuilds(editor, site, stage_id):
    client, csrf = editor
    correct(client, csrf, stage_id, str(FLAGGED_LINE), "q1", "1")
    response = client.post(f"/admin/staged/{stage_id}/publish", data={"csrf_token": csrf})
    assert (response.status_code, response.headers["Location"]) == (303, "/admin/plans/dupnitsa-2021/report")
    assert (site / "plans" / "dupnitsa-2021.txt").read_bytes() == flawed_dupnitsa()
    archived = list((site / "admin" / "withdrawn").iterdir())
    assert [p.read_bytes() for p in archived] == [(SAMPLE_PLANS / "dupnitsa-2021.txt").read_bytes()]
    rows = list(csv.DictReader(io.StringIO((site / "corrections" / "dupnitsa-2021.csv").read_text(encoding="utf-8"))))
    assert [(r["source_line"], r["field"], r["value"]) for r in rows] == [("24", "q1", "1")]
    applied = db.run_records("admin_plan_corrections", plan_id="dupnitsa-2021")
    assert [(c["source_line"], c["field"], c["value"], c["status"], c["author"]) for c in applied] == [
        (24, "q1", "1", "applied", "ivana")]
    assert not applied[0]["parsed"]  # the "?" was read as no value
    assert [p["corrected"] for p in db.run_records("admin_plans") if p["plan_id"] == "dupnitsa-2021"] == [1]
    item = db.run_records("admin_plan", plan_id="dupnitsa-2021")
    assert item and item[0]["source_sha256"] == files.sha256(site / "plans" / "dupnitsa-2021.txt")
    entry = json.loads((site / "audit.jsonl").read_text(encoding="utf-8").splitlines()[-1])
    assert (entry["action"], entry["plan_id"], entry["user"], entry["corrections"]) == ("publish", "dupnitsa-2021",
                                                                                         "ivana", 1)
    assert files.stage(stage_id) is None


def test_withdraw_moves_the_file_to_the_archive_rebuilds_and_logs(editor, site):
    client, csrf = editor
    response = client.post("/admin/plans/lyubimets-2013/withdraw", data={"csrf_token": csrf, "reason": "грешна година"})
    assert response.status_code == 303
    assert sorted(p.name for p in (site / "plans").iterdir()) == ["dupnitsa-2021.txt"]
    archived = list((site / "admin" / "withdrawn").iterdir())
    assert len(archived) == 1 and archived[0].name.endswith("-withdrawn-lyubimets-2013.txt")
    assert archived[0].read_bytes() == (SAMPLE_PLANS / "lyubimets-2013.txt").read_bytes()
    assert [p["plan_id"] for p in db.run_records("admin_plans")] == ["dupnitsa-2021"]
    entry = files.audit_entries()[0]
    assert (entry["action"], entry["plan_id"], entry["user"], entry["reason"]) == (
        "withdraw", "lyubimets-2013", "ivana", "грешна година")
    assert "lyubimets-2013" in client.get("/admin/audit").get_data(as_text=True)


def test_a_published_plan_opens_with_its_corrections(editor, site):
    client, csrf = editor
    (site / "corrections" / "lyubimets-2013.csv").write_text(
        "source_sha256,source_line,field,value,reason,author,corrected_at\n"
        f"{files.sha256(site / 'plans' / 'lyubimets-2013.txt')},30,service_type,,not a service,ivana,"
        "2026-01-01T00:00:00+00:00\n", encoding="utf-8")
    response = client.post("/admin/plans/lyubimets-2013/open", data={"csrf_token": csrf})
    stage = files.stage(staged_id(response))
    assert stage.document.read_bytes() == (SAMPLE_PLANS / "lyubimets-2013.txt").read_bytes()
    assert [r["source_line"] for r in files.correction_rows(stage.corrections)] == ["30"]


def test_the_build_report_of_a_plan_is_a_page(editor):
    client, _ = editor
    page = client.get("/admin/plans/lyubimets-2013/report").get_data(as_text=True)
    # Любимец 2013, lines 30 and 31: "По ОП РЧР ..." rows in the social-services section, no service type
    assert page.count("no service type recognised in the social-services section") == 2
    assert client.get("/admin/plans/no-such-plan/report").status_code == 404


def test_the_report_shows_a_correction_not_applied_when_its_document_changed(editor, site):
    client, _ = editor
    (site / "corrections" / "lyubimets-2013.csv").write_text(
        "source_sha256,source_line,field,value,reason,author,corrected_at\n"
        f"{'0' * 64},27,capacity,40,от протокола,ivana,2026-01-01T00:00:00+00:00\n", encoding="utf-8")
    files.build()
    page = client.get("/admin/plans/lyubimets-2013/report").get_data(as_text=True)
    row = re.search(r'<tr class="table-danger">(.*?)</tr>', page, re.S).group(1)
    assert "от протокола" in row and "<td>не: " in row


def test_behind_a_proxy_the_limit_counts_the_forwarded_address(client, monkeypatch):
    monkeypatch.setenv("SSP_PROXY_HOPS", "1")
    for n in range(security.PER_ADDRESS.limit):
        response = client.post("/admin/signin", headers={"X-Forwarded-For": "203.0.113.7"}, data={
            "csrf_token": token(client.get("/admin/signin")), "name": f"proxied{n}", "password": "не е паролата"})
        assert response.status_code == 401
    assert client.post("/admin/signin", headers={"X-Forwarded-For": "203.0.113.7"}, data={
        "csrf_token": token(client.get("/admin/signin")), "name": "ivana", "password": PASSWORD}).status_code == 429
    assert client.post("/admin/signin", headers={"X-Forwarded-For": "198.51.100.2"}, data={
        "csrf_token": token(client.get("/admin/signin")), "name": "ivana", "password": PASSWORD}).status_code == 303
    for n in range(security.PER_ADDRESS.limit):
        security.PER_ACCOUNT.clear(f"proxied{n}")


def test_every_text_is_in_both_languages():
    from dashboard.admin import texts

    for table in (texts.TEXT, texts.ACTIONS, texts.FIELDS, texts.FLAGS):
        assert set(table["bg"]) == set(table["en"])


def test_a_published_plan_is_corrected_and_published_again_in_place(editor, site):
    client, csrf = editor
    stage = staged_id(client.post("/admin/plans/lyubimets-2013/open", data={"csrf_token": csrf}))
    # Любимец 2013, line 30: "По ОП РЧР „Подкрепа за заетост”, градинари и пазач-портиери" — employment, not a service
    assert correct(client, csrf, stage, "30", "section", "other", "заетост, не социална услуга").status_code == 303
    response = client.post(f"/admin/staged/{stage}/publish", data={"csrf_token": csrf})
    assert response.headers["Location"] == "/admin/plans/lyubimets-2013/report"
    assert sorted(p.name for p in (site / "plans").iterdir()) == SITE_PLANS  # the same file, not a copy beside it
    assert (site / "plans" / "lyubimets-2013.txt").read_bytes() == (SAMPLE_PLANS / "lyubimets-2013.txt").read_bytes()
    assert not (site / "admin" / "withdrawn").exists()
    applied = db.run_records("admin_plan_corrections", plan_id="lyubimets-2013")
    assert [(c["source_line"], c["field"], c["parsed"], c["value"], c["status"]) for c in applied] == [
        (30, "section", "social_service", "other", "applied")]
