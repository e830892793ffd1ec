"""The Social Services Act (issue 19, item 7): every service type mapped to its kind under the Act (etl/data/
ssa_kinds.csv, with its legal source), the capacity chart's switch between the old types and the Act's kinds, and
the Act's start (1 July 2020) marked on every time axis.

Expected capacities are read from the sample plan data/plans/dupnitsa-2021.txt (Дупница 2021):
- residential care: line 20 (ЦНСТ за деца с увреждания, 14 места), 21 (Наблюдавано жилище, 4), 22 (ЦНСТ за деца
  без увреждания, 12), 24 (Преходно жилище, 8), 34 (ЦНСТ за стари хора, 15): 53;
- day care: line 17-19 (Дневен център за деца с увреждания, от 20 на 30 места: 30), 26 (Дневен център за пълнолетни
  лица с увреждания, 20), 36-38 (Дневен център за стари хора, 50), 39 (Дневен център за лица с увреждания, до 30):
  130;
- shelter: line 25 (Център за кризисно настаняване на бездомни лица, 12), 35 (Център за временно настаняване, 10):
  22;
- assistant support: line 40 (Домашен социален патронаж, 220); the social assistant, home helper and the centre of
  line 53 state no capacity;
- information and counselling: lines 12 and 13 (two ЦОП, от 20 на 30 места each): 60."""

from __future__ import annotations

import csv
from urllib.parse import parse_qs

import pytest

from dashboard import db
from dashboard.i18n import label
from dashboard.state import NARROW_VALUES
from tests.helpers import REPO

DATA = REPO / "etl" / "data"
KINDS = NARROW_VALUES["ssa_kind"] - {"none"}  # the Act's ten kinds (чл. 15, т. 1-10)


def rows(name: str) -> list[dict]:
    with (DATA / name).open(encoding="utf-8") as f:
        return list(csv.DictReader(line for line in f if not line.startswith("#")))


def test_the_crosswalk_maps_every_service_type_once_to_a_kind_of_the_act():
    types = [r["code"] for r in rows("service_types.csv")]
    crosswalk = rows("ssa_kinds.csv")
    assert sorted(r["code"] for r in crosswalk) == sorted(types)  # every type, once, and no other
    assert len(KINDS) == 10
    for row in crosswalk:
        assert row["ssa_kind"] in KINDS or row["ssa_kind"] == "", row
        if row["ssa_kind"] == "":  # no kind: the note says why
            assert row["note"].strip(), row
    source = (DATA / "ssa_kinds.csv").read_text(encoding="utf-8").splitlines()[0]
    assert source.startswith("#") and "Закон за социалните услуги" in source and "чл. 15" in source
    assert "ДВ бр. 24" in source and "01.07.2020" in source


def test_every_kind_has_a_label_in_both_languages():
    for kind in NARROW_VALUES["ssa_kind"]:
        for lang in ("bg", "en"):
            assert label("ssa_kind", kind, lang) != kind


def test_the_database_carries_the_crosswalk(sample_db):
    import duckdb

    want = {r["code"]: r["ssa_kind"] or None for r in rows("ssa_kinds.csv")}
    with duckdb.connect(str(sample_db), read_only=True) as con:
        got = dict(con.execute("select code, ssa_kind from service_types").fetchall())
    assert got == want


@pytest.fixture()
def sample(sample_db):
    db.set_database(sample_db)


def bars(fig: dict, name: str) -> dict:
    trace = next(tr for tr in fig["data"] if tr["name"] == name)
    return dict(zip(trace["y"], trace["x"], strict=True))


def test_the_switch_groups_the_capacity_by_the_acts_kinds(sample):
    import app  # noqa: F401  (registers the pages)
    from dashboard.pages import capacity

    filters = (None, ["Дупница"], ["2021"], None, None)
    fig = capacity.update(*filters, "service_type", "bg", "compare", "ssa")[0]
    got = bars(fig, "Дупница 2021")
    kind = lambda code: label("ssa_kind", code, "bg")  # noqa: E731
    assert got[kind("residential_care")] == 53
    assert got[kind("day_care")] == 130
    assert got[kind("shelter")] == 22
    assert got[kind("assistant_support")] == 220
    assert got[kind("information_consulting")] == 60
    # each bar opens /data narrowed to its kind
    trace = next(tr for tr in fig["data"] if tr["name"] == "Дупница 2021")
    links = dict(zip(trace["y"], trace["customdata"], strict=True))
    assert parse_qs(links[kind("residential_care")]) == {"municipality": ["Дупница"], "year": ["2021"],
                                                         "ssa_kind": ["residential_care"]}
    # the old types: the same places, by the types the plans name
    old = bars(capacity.update(*filters, "service_type", "bg", "compare", "old")[0], "Дупница 2021")
    assert old["Домашен социален патронаж"] == 220 and kind("assistant_support") not in old
    assert sum(old.values()) == sum(got.values())


def test_a_kind_narrows_the_data_grid_to_its_records(sample):
    import app  # noqa: F401
    from dashboard.pages import data

    request = {"startRow": 0, "endRow": 100, "sortModel": [], "filterModel": {}}
    response, _, _ = data.rows_page(request, None, ["Дупница"], ["2021"], None, None, "bg",
                                    {"ssa_kind": ["residential_care"]})
    assert sorted(r["source_line"] for r in response["rowData"]) == [20, 21, 22, 24, 34]
    assert sum(r["capacity"] for r in response["rowData"]) == 53


def break_positions(fig: dict) -> list[tuple[float, list[str]]]:
    """(x of each Social Services Act marker, the years of the x axis in its order)."""
    layout = fig["layout"]
    trace = fig["data"][0]
    x = trace["x"]
    years = [str(v) for v in (x[0] if x and isinstance(x[0], list) else x)]
    order = layout["xaxis"].get("categoryarray") or years
    return [(s["x0"], list(order)) for s in layout.get("shapes", []) if s.get("name") == "ssa-break"]


def between_2020_and_2021(fig: dict) -> None:
    (x, years), = break_positions(fig)
    before = [i for i, y in enumerate(years) if int(y) < 2021]
    after = [i for i, y in enumerate(years) if int(y) >= 2021]
    assert before and after and max(before) < x < min(after)
    note = [a for a in fig["layout"]["annotations"] if a.get("name") == "ssa-break"]
    assert note and note[0]["x"] == x


def test_the_act_is_marked_on_the_capacity_and_changes_time_axes(sample):
    """Every sample plan (2013, 2015, 2020, 2021): the marker between 2020 and 2021."""
    import app  # noqa: F401
    from dashboard.pages import capacity, changes

    di = capacity.update(None, None, None, None, None, "setting", "bg", "compare", "old")[3]
    between_2020_and_2021(di)
    assert any(a.get("text") == "Закон за социалните услуги, 1.07.2020" for a in di["layout"]["annotations"])
    for combine in ("compare", "sum"):
        timeline = changes.update(None, None, None, None, None, "en", combine)[0]
        between_2020_and_2021(timeline)
        assert any(a.get("text") == "Social Services Act, 1 July 2020" for a in timeline["layout"]["annotations"])
    # plans of one side only: no marker
    only_2021 = capacity.update(None, ["Дупница"], None, None, None, "setting", "bg", "compare", "old")[3]
    assert break_positions(only_2021) == []


def test_the_act_is_marked_on_the_municipality_pages_time_axes(synthetic_db):
    """A synthetic municipality with plans for 2018-2025: each of its time charts marks the Act."""
    import duckdb

    import app  # noqa: F401
    from dashboard.pages import municipality

    with duckdb.connect(str(synthetic_db), read_only=True) as con:
        code = con.execute("select municipality_code from plans where municipality_code is not null "
                           "group by 1 having min(year) < 2021 and max(year) >= 2021 order by 1 limit 1").fetchone()[0]
    db.set_database(synthetic_db)
    graphs = [c for c in walk(municipality.body(code, "bg")) if type(c).__name__ == "Graph"]
    timed = [g.figure for g in graphs if g.figure["layout"].get("xaxis", {}).get("type") == "category"]
    assert len(timed) == 4  # capacity by setting and by group, services by group, funding
    for fig in timed:
        between_2020_and_2021(fig)


def walk(node):
    if isinstance(node, list | tuple):
        for child in node:
            yield from walk(child)
        return
    if node is None or isinstance(node, str | int | float):
        return
    yield node
    yield from walk(getattr(node, "children", None))
