"""The whole /admin flow in real Chromium (dash_duo; run with `pytest --headless`): sign in, upload a plan with a
deliberate error, see it flagged, correct it, publish, find the corrected value on /data with its provenance,
sign out. The site (plans, corrections, admin folder, database) is a temporary one set up here.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import time
from urllib.parse import quote

import pytest
from selenium.common.exceptions import ElementClickInterceptedException

from dashboard import db
from etl import accounts
from tests.helpers import REPO, SAMPLE_PLANS, reference_dir, until

pytestmark = pytest.mark.browser

PASSWORD = "дълга парола 2021"
# Любимец 2013, line 31 (row 4, ОП РЧР „Развитие и реализация”): "Обща сума- 91200 лв". The uploaded copy says
# "912ОО лв" (two Cyrillic letters О for zeros): an amount that cannot be read completely, so amount_bgn is left
# empty and the record flagged unparsed_number (docs/conventions.md). The editor corrects it to 91200.
LINE = 31
WRITTEN, FLAWED = "Обща сума- 91200 лв", "Обща сума- 912ОО лв"


def click(driver, element) -> None:
    """Click an element of a long page once it is scrolled into view (at once: Bootstrap makes scrolling smooth).
    Tried again while the page still moves (a page opened at an anchor may scroll to it after this scroll)."""
    for _ in range(25):
        driver.execute_script("arguments[0].scrollIntoView({block: 'center', behavior: 'instant'});", element)
        try:
            element.click()
            return
        except ElementClickInterceptedException:
            time.sleep(0.2)
    element.click()


@pytest.fixture()
def site(tmp_path, monkeypatch):
    for folder in ("plans", "corrections", "admin"):
        (tmp_path / folder).mkdir()
    for name in ("dupnitsa-2021.txt", "lyubimets-2013.txt"):
        shutil.copyfile(SAMPLE_PLANS / name, tmp_path / "plans" / name)
    done = subprocess.run([sys.executable, "-m", "etl", "build", "--plans", str(tmp_path / "plans"), "--corrections",
                           str(tmp_path / "corrections"), "--db", str(tmp_path / "plans.duckdb"), "--reference",
                           str(reference_dir()), "--quiet"], cwd=REPO, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    monkeypatch.setenv("SSP_ADMIN_DIR", str(tmp_path / "admin"))
    monkeypatch.setenv("SSP_PLANS_DIR", str(tmp_path / "plans"))
    monkeypatch.setenv("SSP_CORRECTIONS_DIR", str(tmp_path / "corrections"))
    monkeypatch.setenv("SSP_REFERENCE_DIR", str(reference_dir()))
    monkeypatch.delenv("SSP_USERS_FILE", raising=False)
    accounts.add("ivana", PASSWORD)
    db.set_database(tmp_path / "plans.duckdb")
    lines = (SAMPLE_PLANS / "lyubimets-2013.txt").read_text(encoding="utf-8").split("\n")
    assert lines[LINE - 1].count(WRITTEN) == 1
    lines[LINE - 1] = lines[LINE - 1].replace(WRITTEN, FLAWED)
    upload = tmp_path / "upload" / "Любимец 2013.txt"
    upload.parent.mkdir()
    upload.write_text("\n".join(lines), encoding="utf-8")
    return tmp_path, upload


def test_sign_in_upload_correct_publish_and_find_it_on_data(dash_duo, site):
    import app

    root, upload = site
    dash_duo.start_server(app.app)
    driver = dash_duo.driver
    driver.set_window_size(1400, 1000)

    # sign in: /admin sends an anonymous visitor to the sign-in page
    driver.get(dash_duo.server_url + "/admin/")
    dash_duo.wait_for_element("#signin-name").send_keys("ivana")
    dash_duo.find_element("#signin-password").send_keys(PASSWORD)
    dash_duo.find_element("#signin-submit").click()
    dash_duo.wait_for_contains_text("#admin-user", "ivana")

    # upload: the preview says which plan it replaces and shows the record of line 31 flagged, its amount highlighted
    dash_duo.find_element("#upload-file").send_keys(str(upload))
    dash_duo.find_element("#upload-submit").click()
    row = dash_duo.wait_for_element(f"#line-{LINE}", timeout=15)
    assert "flagged" in row.get_attribute("class")
    assert "unparsed_number" in row.text and "912ОО лв" in row.text
    amount = dash_duo.find_element(f"#field-{LINE}-amount_bgn")
    assert "bg-warning-subtle" in amount.get_attribute("class")
    assert amount.text == "—"  # left empty
    assert "lyubimets-2013" in dash_duo.find_element("#preview-plan").text
    assert "lyubimets-2013 (lyubimets-2013.txt)" in dash_duo.find_element("#preview-replaces").text

    # correct the amount in place (the flagged field is chosen already), with a reason
    click(driver, dash_duo.find_element(f"#line-{LINE} details summary"))
    form = dash_duo.find_element(f"#correct-{LINE}")
    assert form.find_element("css selector", "select[name=field]").get_attribute("value") == "amount_bgn"
    form.find_element("css selector", "input[name=value]").send_keys("91200")
    form.find_element("css selector", "input[name=reason]").send_keys("буква О вместо нула")
    click(driver, form.find_element("css selector", "button"))
    until(dash_duo, lambda: "поправено" in dash_duo.find_element(f"#field-{LINE}-amount_bgn").text, timeout=15)
    assert "91200" in dash_duo.find_element(f"#field-{LINE}-amount_bgn").text
    assert "ivana" in dash_duo.find_element(f"#field-{LINE}-amount_bgn").text

    # publish: the document, its corrections and the rebuilt database
    click(driver, dash_duo.find_element("#preview-publish"))
    dash_duo.wait_for_contains_text(".alert-success", "lyubimets-2013", timeout=60)
    assert FLAWED in (root / "plans" / "lyubimets-2013.txt").read_text(encoding="utf-8")
    assert "91200" in (root / "corrections" / "lyubimets-2013.csv").read_text(encoding="utf-8")

    # /data shows the corrected value, marked, with the parsed value, reason, author and date
    driver.get(dash_duo.server_url + "/data?municipality=" + quote("Любимец"))
    record = until(dash_duo, lambda: driver.execute_script(
        "const api = window.dash_ag_grid && dash_ag_grid.getApi('data-grid');"
        "const node = api && api.getRowNode('lyubimets-2013:' + arguments[0]);"
        "return node && node.data;", LINE), timeout=20)
    assert record["amount_bgn"] == 91200 and record["corrected"] == "amount_bgn"
    assert "буква О вместо нула" in record["correction_note"] and "ivana" in record["correction_note"]
    assert FLAWED in record["source_text"]
    driver.execute_script("dash_ag_grid.getApi('data-grid').ensureColumnVisible('amount_bgn');")
    cell = until(dash_duo, lambda: dash_duo.find_element(
        f".ag-row[row-id='lyubimets-2013:{LINE}'] .ag-cell[col-id='amount_bgn']"))
    assert "cell-corrected" in cell.get_attribute("class")

    # sign out: /admin asks for a sign-in again
    driver.get(dash_duo.server_url + "/admin/")
    dash_duo.wait_for_element("#admin-signout").click()
    dash_duo.wait_for_element("#signin-name")
    driver.get(dash_duo.server_url + "/admin/audit")
    dash_duo.wait_for_element("#signin-name")
