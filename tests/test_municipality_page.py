"""The municipality page (/municipality/<EKATTE code>), places per 1,000 inhabitants, peers and the two Бяла.

Golden values are read from the documents: data/plans/dupnitsa-2021.txt lists 27 social services (rows 1-27);
the capacities in places of rows 1-20 are 30, 30, 50, 30, 14, 4, 12, 8, 12, 20, 40, 30, 30, 15, 10, 50, 30, 220,
120, 40 = 795 places (row 26 is 20 foster families, not places; rows 21-25 and 27 state no capacity).
The population is read here from the reference file itself, row by row.
"""

from __future__ import annotations

import csv
import json

import pytest

from dashboard import db
from etl.reading import read_plan
from etl.reference import load_reference
from etl.synth import generate
from tests.helpers import reference_dir, until

DUPNITSA_PLACES = [30, 30, 50, 30, 14, 4, 12, 8, 12, 20, 40, 30, 30, 15, 10, 50, 30, 220, 120, 40]
DUPNITSA_SERVICES = 27

needs_reference = pytest.mark.skipif(not (reference_dir() / "population" / "settlements.csv").is_file(),
                                     reason="reference population file not available")


def population_by_hand(code: str) -> int:
    with (reference_dir() / "population" / "settlements.csv").open(encoding="utf-8") as handle:
        return sum(int(r["population"]) for r in csv.DictReader(handle) if r["municipality"] == code)


@needs_reference
def test_per_capita_of_dupnitsa_by_hand(sample_db):
    from dashboard.population import population

    people = population_by_hand("KNL48")
    assert people == 43263  # the figure SOURCES.md gives for Дупница
    db.set_database(sample_db)
    areas = db.run_query("per_capita_areas", code="KNL48", **population().bound())
    own = areas[areas["area"] == "municipality"].iloc[0]
    assert own["places"] == sum(DUPNITSA_PLACES) == 795
    assert own["population"] == people
    assert own["per_1000"] == pytest.approx(795 * 1000 / 43263)  # 18.38
    metrics = db.run_query("municipality_metrics", oblasts=[], municipalities=[], years=[], target_groups=[],
                           service_types=[], **population().bound())
    row = metrics[metrics["municipality_code"] == "KNL48"].iloc[0]
    assert row["services"] == DUPNITSA_SERVICES and row["places"] == 795
    assert row["per_1000"] == pytest.approx(795 * 1000 / 43263)
    # Кресна 2020 states no places: no figure per 1,000 inhabitants (never a 0 that is not in the plan)
    assert metrics[metrics["municipality_code"] == "BLG28"]["per_1000"].isna().all()


def test_without_population_file_no_per_capita(sample_db):
    db.set_database(sample_db)
    metrics = db.run_query("municipality_metrics", oblasts=[], municipalities=[], years=[], target_groups=[],
                           service_types=[], codes=[], people=[])
    assert metrics["per_1000"].isna().all()
    assert metrics["services"].sum() > 0  # counts stay


@needs_reference
def test_peers_come_from_the_geojson():
    from dashboard.population import neighbours, population, similar_population

    geo = json.loads((reference_dir() / "geo" / "municipalities-neighbours.geojson").read_text(encoding="utf-8"))
    stated = {f["properties"]["nuts4"]: sorted(f["properties"]["neighbors"]) for f in geo["features"]}
    assert neighbours()["KNL48"] == stated["KNL48"]
    assert len(neighbours()) == 265
    people = population().municipalities
    similar = similar_population("KNL48", {c: c[:3] for c in people}, people)
    assert len(similar) == 3 and all(c.startswith("KNL") and c != "KNL48" for c in similar)
    # the closest by ratio: no other municipality of the oblast is nearer to Дупница's 43 263
    ratio = {c: max(people[c], 43263) / min(people[c], 43263) for c in people if c.startswith("KNL") and c != "KNL48"}
    assert max(ratio[c] for c in similar) <= min(r for c, r in ratio.items() if c not in similar)


def test_two_municipalities_named_byala(tmp_path, sample_db):
    reference = load_reference(reference_dir())
    if not reference.available:
        pytest.skip("EKATTE reference not available")
    generate(tmp_path, reference, 265, (2021, 2021), seed=3)
    files = sorted((tmp_path / "plans").glob("*.txt"))
    assert len(files) == 265  # every municipality has its own plan file
    plans = {f.name: read_plan(f, reference).plan for f in files if f.name.startswith("byala-") and "slatina" not in f.name}
    assert {(p.plan_id, p.municipality, p.municipality_code, p.oblast) for p in plans.values()} == {
        ("byala-varna-2021", "Бяла", "VAR05", "Варна"), ("byala-ruse-2021", "Бяла", "RSE04", "Русе")}
    db.set_database(sample_db)
    for code, oblast in (("VAR05", "Варна"), ("RSE04", "Русе")):
        me = db.run_query("municipality_identity", code=code).iloc[0]
        assert bool(me["shared_name"]) and me["oblast"] == oblast
    from dashboard.municipality_figures import display_name

    assert display_name("Бяла", "Варна", True) == "Бяла (Варна)"
    assert display_name("Дупница", "Кюстендил", False) == "Дупница"


@pytest.fixture()
def dash_app(sample_db):
    import app

    db.set_database(sample_db)
    return app.app


@needs_reference
def test_municipality_page_in_the_browser(dash_duo, dash_app):
    dash_duo.start_server(dash_app)
    dash_duo.driver.set_window_size(1400, 1000)
    dash_duo.wait_for_page(dash_duo.server_url + "/municipality/KNL48")
    dash_duo.wait_for_element("#municipality-title", timeout=15)
    assert dash_duo.find_element("#municipality-title").text == "Община Дупница"
    text = until(dash_duo, lambda: dash_duo.find_element("#municipality-per-capita-text").text)
    assert "795 места" in text and "43 263 жители" in text and "31.12.2013" in text and "18,4 места на 1 000" in text
    plans = until(dash_duo, lambda: dash_duo.find_element("#municipality-plans table").text)
    assert "dupnitsa-2021.txt" in plans and "27" in plans and "795" in plans
    # settlements: гр. Дупница reached; the 16 villages are not named by any service of the plan
    assert "Дупница" in dash_duo.find_element("#municipality-reached").text
    assert "Яхиново" in dash_duo.find_element("#municipality-not-reached").text
    neighbours = dash_duo.find_element("#municipality-neighbours").text
    assert "Сапарева баня" in neighbours or "Бобов дол" in neighbours
    # English, and an unknown code: a 404 in the UI's language
    dash_duo.wait_for_page(dash_duo.server_url + "/municipality/XXX99?lang=en")
    until(dash_duo, lambda: "no such municipality" in dash_duo.find_element("#municipality-not-found").text)
    dash_duo.wait_for_page(dash_duo.server_url + "/municipality/XXX99")
    until(dash_duo, lambda: "няма такава община" in dash_duo.find_element("#municipality-not-found").text)
