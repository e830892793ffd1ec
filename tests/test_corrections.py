"""Corrections as data (data/corrections/*.csv): applied after a plan is read, the parsed value kept beside the
corrected one, every correction that cannot be applied reported and not applied — never moved onto another row.
Expected values are read from data/plans/dupnitsa-2021.txt: line 12 is item 1 ("… от 20 на 30 места": capacity
30), line 13 is item 2 and line 15 its continuation, line 14 is empty, line 16 is item 3 (capacity 50 in
Дупница), line 17 item 4 (ДДД), line 73 the closing paragraph after the table."""

from __future__ import annotations

import csv
import hashlib
import json
import shutil
import subprocess
import sys

import duckdb
import pytest

from .helpers import REPO, reference_dir, until

PLAN = REPO / "data" / "plans" / "dupnitsa-2021.txt"
SHA = hashlib.sha256(PLAN.read_bytes()).hexdigest()
HEADER = ["source_sha256", "source_line", "field", "value", "reason", "author", "corrected_at"]
WHEN = "2026-12-07T18:00:00Z"


def etl(*args: str, check: bool = True) -> subprocess.CompletedProcess:
    env = {"SSP_REFERENCE_DIR": str(reference_dir()), "PATH": "/usr/bin:/bin"}
    done = subprocess.run([sys.executable, "-m", "etl", *args], cwd=REPO, env=env, capture_output=True, text=True,
                          timeout=120)
    if check:
        assert done.returncode == 0, done.stderr
    return done


def write(folder, rows, name="dupnitsa-2021.csv"):
    folder.mkdir(exist_ok=True)
    with open(folder / name, "w", encoding="utf-8", newline="") as f:
        out = csv.writer(f)
        out.writerow(HEADER)
        out.writerows(rows)


@pytest.fixture
def setup(tmp_path):
    plans = tmp_path / "plans"
    plans.mkdir()
    shutil.copy(PLAN, plans)
    shutil.copy(REPO / "data" / "plans" / "kresna-2020.txt", plans)
    return plans, tmp_path / "corrections", tmp_path / "db.duckdb"


def build(plans, corrections, db):
    return etl("build", "--plans", str(plans), "--corrections", str(corrections), "--db", str(db), "--quiet")


def query(db, sql, params=()):
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(sql, list(params)).fetchall()
    finally:
        con.close()


def test_a_correction_is_applied_and_the_parsed_value_kept(setup):
    plans, corrections, db = setup
    write(corrections, [
        [SHA, 12, "capacity", "35", "the decision of the council says 35", "ivan", WHEN],
        [SHA, 16, "settlements", "Крайници;Самораново", "delivered in two villages", "ivan", WHEN],
        [SHA, 17, "funding", "project;municipal", "wrong class", "ivan", WHEN],
        [SHA, 13, "_record", "drop", "a duplicate of item 1", "ivan", WHEN],
        [SHA, 73, "_record", "add", "a missed row", "ivan", WHEN],
        [SHA, 73, "name", "Added service", "its title", "ivan", WHEN],
    ])
    build(plans, corrections, db)
    assert query(db, "select capacity, corrected from items where item_id = 'dupnitsa-2021:12'") == [(35, "capacity")]
    assert query(db, "select parsed, value, status, author, reason from corrections where source_line = 12") == \
        [("30", "35", "applied", "ivan", "the decision of the council says 35")]
    # settlements and funding: the child tables follow
    assert query(db, "select name, ekatte from item_settlements where item_id = 'dupnitsa-2021:16' order by position") \
        == [("Крайници", "39339"), ("Самораново", "65245")]
    assert query(db, "select funding from items where item_id = 'dupnitsa-2021:17'") == [("municipal;project",)]
    assert sorted(query(db, "select funding_class from item_funding where item_id = 'dupnitsa-2021:17'")) == \
        [("municipal",), ("project",)]
    # a dropped record: gone, its lines listed as dropped (nothing lost)
    assert query(db, "select count(*) from items where item_id = 'dupnitsa-2021:13'") == [(0,)]
    assert query(db, "select line, disposition from line_dispositions where plan_id = 'dupnitsa-2021' "
                     "and line in (13, 15) order by line") == [(13, "dropped"), (15, "dropped")]
    # an added record: the line's text, the fields set by the corrections that follow
    assert query(db, "select name, corrected, source_text like 'Годишният план%' from items "
                     "where item_id = 'dupnitsa-2021:73'") == [("Added service", "_record;name", True)]
    assert query(db, "select items from plans where plan_id = 'dupnitsa-2021'") == \
        query(db, "select count(*) from items where plan_id = 'dupnitsa-2021'")


def test_corrections_that_cannot_be_applied_are_reported_and_not_applied(setup):
    plans, corrections, db = setup
    other = hashlib.sha256(b"another version of the document").hexdigest()
    write(corrections, [
        [SHA, 14, "capacity", "5", "line 14 is empty", "ivan", WHEN],
        [SHA, 16, "capacity", "1O", "a letter O typed for a zero", "ivan", WHEN],
        [SHA, 16, "settlements", "Нямаселище", "no such village", "ivan", WHEN],
        [SHA, 15, "_record", "add", "a continuation line", "ivan", WHEN],
        [SHA, "", "year", "2022", "the heading says 2021", "ivan", WHEN],
        [other, 12, "capacity", "99", "made on another version", "ivan", WHEN],
        [SHA, "x", "capacity", "1", "not a line", "ivan", WHEN],
        [SHA, 12, "source_file", "x", "not correctable", "ivan", WHEN],
    ])
    done = etl("build", "--plans", str(plans), "--corrections", str(corrections), "--db", str(db))
    assert "corrections: 0 applied, 6 not applied" in done.stdout
    assert query(db, "select capacity, settlements, corrected from items where item_id = 'dupnitsa-2021:16'") == \
        [(50, "Дупница", None)]
    assert query(db, "select capacity from items where item_id = 'dupnitsa-2021:12'") == [(30,)]
    assert query(db, "select count(*) from items where item_id = 'dupnitsa-2021:15'") == [(0,)]
    why = dict(query(db, "select correction_row, why from corrections where status = 'refused'"))
    assert "does not start a record" in why[2]
    assert "whole number" in why[3]
    assert "not a settlement of Дупница" in why[4]
    assert "continues a record" in why[5]
    assert "read from its heading" in why[6]
    assert "the document changed or was removed" in why[7]
    report = query(db, "select line, category, message from build_report where category like 'correction%' "
                       "order by category, line")
    categories = [r[1] for r in report]
    assert categories.count("correction_refused") == 6 and categories.count("correction_invalid") == 2
    assert any("line 8" in r[2] and "source_line 'x'" in r[2] for r in report)
    assert any("'source_file' cannot be corrected" in r[2] for r in report)


def test_corrections_survive_a_rebuild_and_go_when_their_document_changes(setup):
    plans, corrections, db = setup
    write(corrections, [[SHA, 12, "capacity", "35", "reason", "ivan", WHEN]])
    build(plans, corrections, db)
    build(plans, corrections, db)  # nothing changed: carried over
    assert query(db, "select capacity, corrected from items where item_id = 'dupnitsa-2021:12'") == [(35, "capacity")]
    assert query(db, "select status from corrections") == [("applied",)]
    write(corrections, [[SHA, 12, "capacity", "36", "reason", "ivan", WHEN]])  # the correction changed: read again
    build(plans, corrections, db)
    assert query(db, "select capacity from items where item_id = 'dupnitsa-2021:12'") == [(36,)]
    (corrections / "dupnitsa-2021.csv").unlink()  # withdrawn: the parsed value again
    build(plans, corrections, db)
    assert query(db, "select capacity, corrected from items where item_id = 'dupnitsa-2021:12'") == [(30, None)]
    write(corrections, [[SHA, 12, "capacity", "35", "reason", "ivan", WHEN]])
    text = PLAN.read_text(encoding="utf-8")
    (plans / PLAN.name).write_text(text.replace("Планов период", "Плановият период"), encoding="utf-8")
    build(plans, corrections, db)  # the document changed: the correction is not applied, and it is said
    assert query(db, "select capacity, corrected from items where item_id = 'dupnitsa-2021:12'") == [(30, None)]
    assert query(db, "select status from corrections") == [("refused",)]
    assert query(db, "select count(*) from build_report where category = 'correction_refused'") == [(1,)]


def test_the_export_says_which_fields_were_corrected(setup, tmp_path):
    plans, corrections, db = setup
    write(corrections, [[SHA, 12, "amount_bgn", "64800,50", "the budget line", "ivan", WHEN]])
    build(plans, corrections, db)
    etl("export", "--db", str(db), "--out", str(tmp_path / "export"))
    with open(tmp_path / "export" / "items.csv", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    header = list(rows[0])
    assert header[-2:] == ["review", "corrected"]  # appended after the contract's columns
    row = next(r for r in rows if r["plan_id"] == "dupnitsa-2021" and r["source_line"] == "12")
    assert (row["amount_bgn"], row["corrected"]) == ("64800.50", "amount_bgn")
    assert all(r["corrected"] == "" for r in rows if r is not row)


def test_review_prints_what_would_be_read_without_a_database(tmp_path):
    corrections = tmp_path / "corrections"
    write(corrections, [[SHA, 12, "capacity", "35", "reason", "ivan", WHEN]])
    done = etl("review", str(PLAN), "--json", "--corrections", str(corrections))
    result = json.loads(done.stdout)
    assert (result["plan_id"], result["municipality"], result["oblast"], result["year"]) == \
        ("dupnitsa-2021", "Дупница", "Кюстендил", 2021)
    assert result["source_sha256"] == SHA and result["guessed"] == []
    first = result["records"][0]
    assert first["source_line"] == 12 and first["fields"]["capacity"] == "35"
    assert first["corrected"]["capacity"]["parsed"] == "30"
    second = result["records"][1]
    assert second["source_lines"] == [13, 15] and second["fields"]["item_no"] == "2"
    assert {(u["line"], u["reason"]) for u in result["unused_lines"]} >= {(9, "table header"), (11, "section heading")}
    # every non-empty line is in a record or listed as not used
    used = {n for r in result["records"] for n in r["source_lines"]} | {u["line"] for u in result["unused_lines"]}
    nonempty = {i for i, line in enumerate(PLAN.read_text(encoding="utf-8").splitlines(), 1) if line.strip()}
    assert used == nonempty
    text = etl("review", str(PLAN), "--corrections", str(corrections)).stdout
    assert "corrected capacity: 30 → 35" in text and "lines not used:" in text
    assert not list(tmp_path.glob("*.duckdb"))


def test_review_of_a_file_that_is_no_plan_says_so(tmp_path):
    junk = tmp_path / "notes.txt"
    junk.write_text("nothing here\n", encoding="utf-8")
    done = etl("review", str(junk), check=False)
    assert done.returncode == 1 and done.stderr.startswith("error: notes.txt") and not done.stdout


def test_a_guessed_year_is_confirmed(tmp_path):
    plans = tmp_path / "plans"
    plans.mkdir()
    text = PLAN.read_text(encoding="utf-8").replace("2021", "")
    (plans / "dupnitsa-2021.txt").write_text(text, encoding="utf-8")
    sha = hashlib.sha256((plans / "dupnitsa-2021.txt").read_bytes()).hexdigest()
    write(tmp_path / "corrections", [[sha, "", "year", "2021", "the council's decision is for 2021", "ivan", WHEN]])
    build(plans, tmp_path / "corrections", tmp_path / "db.duckdb")
    assert query(tmp_path / "db.duckdb", "select distinct corrected, review like '%guessed_year%' from items") == \
        [("year", True)]


@pytest.mark.browser
def test_data_marks_a_corrected_cell_with_its_original_value(dash_duo, setup):
    """On /data a corrected cell is marked and its tooltip gives the parsed value, the reason, author and date."""
    from dashboard import db

    plans, corrections, path = setup
    write(corrections, [[SHA, 12, "capacity", "35", "the council's decision", "ivan", WHEN]])
    build(plans, corrections, path)
    import app

    db.set_database(path)
    dash_duo.start_server(app.app)
    dash_duo.driver.set_window_size(1800, 1000)
    dash_duo.wait_for_page(f"{dash_duo.server_url}/data")
    dash_duo.wait_for_element(".ag-row[row-id='dupnitsa-2021:12']", timeout=20)
    # the grid draws only the columns in view
    dash_duo.driver.execute_script("dash_ag_grid.getApi('data-grid').ensureColumnVisible('capacity')")
    cell = dash_duo.wait_for_element(".ag-row[row-id='dupnitsa-2021:12'] .ag-cell[col-id='capacity']", timeout=20)
    until(dash_duo, lambda: "cell-corrected" in cell.get_attribute("class"))
    assert cell.text == "35"
    other = dash_duo.find_element(".ag-row[row-id='dupnitsa-2021:16'] .ag-cell[col-id='capacity']")
    assert "cell-corrected" not in other.get_attribute("class") and other.text == "50"
    note = dash_duo.driver.execute_script(
        "const api = dash_ag_grid.getApi('data-grid'); return api.getRowNode('dupnitsa-2021:12').data.correction_note;")
    assert note == f"capacity: 30 → 35 (the council's decision; ivan, {WHEN})"
    dash_duo.driver.execute_script("dash_ag_grid.getApi('data-grid').ensureColumnVisible('corrected')")
    until(dash_duo, lambda: dash_duo.find_element(".ag-row[row-id='dupnitsa-2021:12'] .ag-cell[col-id='corrected']"
                                                  ).text == "capacity")


@pytest.mark.browser
def test_pages_say_how_many_records_are_flagged_or_corrected_and_link_to_them(dash_duo, setup):
    """Under the filter bar: the records of the selection, how many carry a review flag or a corrected value, and a
    link that opens /data on exactly those records."""
    from dashboard import db

    plans, corrections, path = setup
    write(corrections, [[SHA, 12, "capacity", "35", "the council's decision", "ivan", WHEN],
                        [SHA, 16, "provider", "Сдружение", "the provider changed", "ivan", WHEN]])
    build(plans, corrections, path)
    flagged = query(path, "select count(*) from items where municipality = 'Дупница' and review is not null")[0][0]
    import app

    db.set_database(path)
    dash_duo.start_server(app.app)
    dash_duo.wait_for_page(f"{dash_duo.server_url}/capacity?municipality=Дупница")
    link = dash_duo.wait_for_element("#review-notice-corrected", timeout=20)
    assert link.text == "2 с коригирана стойност"
    assert ("с флаг за проверка" in dash_duo.find_element("#review-notice").text) == bool(flagged)
    link.click()
    until(dash_duo, lambda: "check=corrected" in dash_duo.driver.current_url)
    until(dash_duo, lambda: len(dash_duo.find_elements(".ag-center-cols-container .ag-row")) == 2, timeout=20)
    rows = {r.get_attribute("row-id") for r in dash_duo.find_elements(".ag-center-cols-container .ag-row")}
    assert rows == {"dupnitsa-2021:12", "dupnitsa-2021:16"}


def test_every_review_flag_is_documented_and_points_at_export_fields():
    """etl/data/review_flags.csv (what the review command and /data mark) and the table in docs/conventions.md name
    the same flags; every field a flag points at is an export column."""
    from etl.review import EXPORT_FIELDS
    from etl.vocabulary import review_flag_fields

    text = (REPO / "docs" / "conventions.md").read_text(encoding="utf-8")
    table = text[text.index("## Review flags"):text.index("## Corrections")]
    documented = {line.split("`")[1] for line in table.splitlines() if line.startswith("| `")}
    assert set(review_flag_fields()) == documented
    assert {f for fields in review_flag_fields().values() for f in fields} <= set(EXPORT_FIELDS)


def test_a_correction_file_that_is_not_one_is_reported_and_the_rest_load(setup):
    """Bytes that are not UTF-8, a file missing columns, a huge file: each named in the build report; the valid
    file beside them is applied."""
    plans, corrections, db = setup
    write(corrections, [[SHA, 12, "capacity", "35", "reason", "ivan", WHEN]])
    (corrections / "binary.csv").write_bytes(b"\xff\xfe\x00garbage")
    (corrections / "columns.csv").write_text("a,b\n1,2\n", encoding="utf-8")
    with open(corrections / "huge.csv", "wb") as f:
        f.truncate(11 << 20)
    build(plans, corrections, db)
    report = dict(query(db, "select source_file, message from build_report where category = 'correction_invalid'"))
    assert set(report) == {"binary.csv", "columns.csv", "huge.csv"}
    assert "UTF-8" in report["binary.csv"] and "missing columns" in report["columns.csv"]
    assert "larger than 10 MB" in report["huge.csv"]
    assert query(db, "select capacity from items where item_id = 'dupnitsa-2021:12'") == [(35,)]


# --- several records starting on one line (a table written with each service as a column) -----------------------

# Written for these tests: three services, one a column, all starting on the 'Наименование' line (8); read from
# its wording: the centre holds 35 places, foster care goes from 8 to 12 families, the day centre holds 20 places.
TRANSPOSED = "\n".join([
    "ОБЩИНА ВЕЛИНГРАД",                                                                                  # 1
    "",
    "ГОДИШЕН ПЛАН ЗА РАЗВИТИЕ НА СОЦИАЛНИТЕ УСЛУГИ В ОБЩИНА ВЕЛИНГРАД ЗА 2024 Г.",                       # 3
    "",
    "Таблица 1. Социални услуги",                                                                        # 5
    "Показател\tУслуга 1\tУслуга 2\tУслуга 3",                                                            # 6
    "№\t1\t2\t3",                                                                                        # 7
    "Наименование\tЦентър за обществена подкрепа\tПриемна грижа\tДневен център за стари хора",            # 8
    "Населено място\tгр. Велинград\tОбщина Велинград\tс. Драгиново",                                     # 9
    "Капацитет\t35 места\tот 8 на 12 приемни семейства\t20 места",                                        # 10
    "Финансиране\tДДД\tДДД\tобщински бюджет",                                                             # 11
    "Тримесечия\tI – IV\tI, II, III, IV\tIII и IV",                                                       # 12
    "Промяна през 2024 г.\tпродължава\tувеличаване на броя на приемните семейства\tразкриване от 01.07.2024 г.",  # 13
]) + "\n"
CENTRE, FOSTER, DAY = "velingrad-2024:8", "velingrad-2024:8.1", "velingrad-2024:8.2"


@pytest.fixture
def transposed(setup):
    plans, corrections, db = setup
    (plans / "velingrad-2024.txt").write_text(TRANSPOSED, encoding="utf-8")
    return plans, corrections, db, hashlib.sha256((plans / "velingrad-2024.txt").read_bytes()).hexdigest()


def capacities(db):
    return query(db, "select item_id, capacity, corrected from items where plan_id = 'velingrad-2024' order by seq")


def test_a_correction_names_one_of_several_records_starting_on_one_line(transposed):
    plans, corrections, db, sha = transposed
    write(corrections, [[sha, "8.1", "capacity", "14", "the council decided 14 families", "ivan", WHEN]],
          "velingrad-2024.csv")
    write(corrections, [[SHA, 12, "capacity", "35", "an ordinary plan: a bare line as before", "ivan", WHEN]])
    build(plans, corrections, db)
    # the three records as read (ids told apart by column), and only the second service corrected
    assert capacities(db) == [(CENTRE, 35, None), (FOSTER, 14, "capacity"), (DAY, 20, None)]
    assert query(db, "select item_id, source_line, source_record, parsed, value, status from corrections "
                     "where plan_id = 'velingrad-2024'") == [(FOSTER, 8, 1, "12", "14", "applied")]
    assert query(db, "select capacity, corrected from items where item_id = 'dupnitsa-2021:12'") == [(35, "capacity")]
    build(plans, corrections, db)  # nothing changed: carried over as it was
    assert capacities(db) == [(CENTRE, 35, None), (FOSTER, 14, "capacity"), (DAY, 20, None)]
    # the same correction made for the third service instead: the plan is read again, the second is as read
    write(corrections, [[sha, "8.2", "capacity", "14", "the council decided 14", "ivan", WHEN]], "velingrad-2024.csv")
    build(plans, corrections, db)
    assert capacities(db) == [(CENTRE, 35, None), (FOSTER, 12, None), (DAY, 14, "capacity")]
    assert query(db, "select count(*) from corrections where status = 'refused'") == [(0,)]


def test_a_bare_line_where_several_records_start_is_refused(transposed):
    plans, corrections, db, sha = transposed
    write(corrections, [
        [sha, 8, "capacity", "14", "made for foster care, but which?", "ivan", WHEN],
        [sha, "8.5", "capacity", "14", "there is no sixth service", "ivan", WHEN],
        [sha, "12.1", "capacity", "14", "line 12 starts no record", "ivan", WHEN],
        [sha, "8.0", "provider", "Община Велинград", "the first service, named", "ivan", WHEN],
    ], "velingrad-2024.csv")
    done = etl("build", "--plans", str(plans), "--corrections", str(corrections), "--db", str(db))
    assert "corrections: 1 applied, 3 not applied" in done.stdout
    assert capacities(db) == [(CENTRE, 35, "provider"), (FOSTER, 12, None), (DAY, 20, None)]  # no number moved
    why = dict(query(db, "select correction_row, why from corrections where status = 'refused'"))
    assert why[2] == "line 8 starts 3 records (8.0, 8.1, 8.2): name one, e.g. 8.1"
    assert why[3].startswith("line 8 starts no record 8.5")
    assert "starts no record 12.1" in why[4]
    assert query(db, "select item_id, value from corrections where status = 'applied'") == \
        [(CENTRE, "Община Велинград")]
    report = [m for (m,) in query(db, "select message from build_report where category = 'correction_refused'")]
    assert any("at line 8.5 is not applied" in m for m in report)


def test_dropping_one_of_several_records_on_a_line_keeps_the_others_and_their_lines(transposed):
    plans, corrections, db, sha = transposed
    write(corrections, [
        [sha, "8.0", "_record", "drop", "the centre closed before the plan", "ivan", WHEN],
        [sha, 8, "_record", "add", "a record on the name line", "ivan", WHEN],
        [sha, "9.1", "_record", "add", "a record named like one of several", "ivan", WHEN],
        [sha, "8.1", "capacity", "14", "after the drop, still the second service", "ivan", WHEN],
    ], "velingrad-2024.csv")
    build(plans, corrections, db)
    assert capacities(db) == [(FOSTER, 14, "capacity"), (DAY, 20, None)]
    assert query(db, "select items from plans where plan_id = 'velingrad-2024'") == [(2,)]
    # the lines the dropped record shared stay the records still standing, not 'dropped'
    assert query(db, "select count(*) from line_dispositions where plan_id = 'velingrad-2024' "
                     "and disposition = 'dropped'") == [(0,)]
    assert query(db, "select disposition, item_id from line_dispositions where plan_id = 'velingrad-2024' "
                     "and line = 8") == [("record", FOSTER)]
    why = dict(query(db, "select correction_row, why from corrections where status = 'refused'"))
    assert "line 8 starts 3 records (8.0, 8.1, 8.2)" in why[3] and "not added" in why[3]
    assert "write source_line 9, not 9.1" in why[4]


def test_review_gives_each_of_several_records_on_a_line_its_reference(transposed, tmp_path):
    plans, corrections, _, sha = transposed
    write(corrections, [[sha, "8.1", "capacity", "14", "reason", "ivan", WHEN],
                        [sha, 8, "capacity", "15", "which one?", "ivan", WHEN]], "velingrad-2024.csv")
    result = json.loads(etl("review", str(plans / "velingrad-2024.txt"), "--json", "--corrections",
                            str(corrections)).stdout)
    assert [(r["ref"], r["fields"]["name"], r["fields"]["capacity"]) for r in result["records"]] == [
        ("8.0", "Център за обществена подкрепа", "35"), ("8.1", "Приемна грижа", "14"),
        ("8.2", "Дневен център за стари хора", "20")]
    assert result["records"][1]["corrected"]["capacity"]["parsed"] == "12"
    assert [(c["ref"], c["field"]) for c in result["corrections_refused"]] == [("8", "capacity")]
    ordinary = json.loads(etl("review", str(PLAN), "--json").stdout)
    assert all(r["ref"] == str(r["source_line"]) for r in ordinary["records"])  # one record a line: the bare line
