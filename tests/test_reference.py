"""Reference stage: EKATTE loading and name matching.

Expected codes are taken from ../shared/reference/SOURCES.md and the EKATTE JSON, never from the code under test.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from etl import reference as ref_module
from etl.reference import (
    ALIASES_CSV,
    REFERENCE_ENV,
    Reference,
    SettlementMatch,
    load_reference,
    resolve_reference_dir,
)


@pytest.fixture(scope="module")
def ref() -> Reference:
    directory = resolve_reference_dir()
    if directory is None:
        pytest.skip("EKATTE reference directory not available (set SSP_REFERENCE_DIR)")
    loaded = load_reference(directory)
    assert loaded.available, loaded.notice
    return loaded


# --------------------------------------------------------------------------- loading


def test_counts(ref: Reference) -> None:
    assert len(ref.oblasts) == 28
    assert len(ref.municipalities) == 265
    assert len(ref.settlements) == 5256


def test_metadata_record_dropped_and_leading_zeros_kept(ref: Reference) -> None:
    assert "" not in ref.settlements
    abl = ref.settlements["00014"]  # first record of ek_atte.json
    assert (abl.name, abl.kind, abl.municipality_code, abl.oblast_code) == ("Абланица", "с.", "BLG52", "BLG")
    assert all(len(code) == 5 and code.isdigit() for code in ref.settlements)


def test_canonical_oblast_names(ref: Reference) -> None:
    assert ref.oblasts["BLG"].name == "Благоевград"
    assert ref.oblasts["SFO"].name == "София"
    assert ref.oblasts["SOF"].name == "София (столица)"
    assert ref.oblasts["BLG"].centre_ekatte == "04279"


def test_geo_paths(ref: Reference) -> None:
    assert (
        ref.geo_municipalities_path is not None
        and ref.geo_municipalities_path.name == "municipalities.geojson"
    )
    assert ref.geo_provinces_path is not None and ref.geo_provinces_path.name == "provinces.geojson"


def test_loaded_once_per_directory(ref: Reference) -> None:
    assert load_reference(resolve_reference_dir()) is ref


# --------------------------------------------------------------------------- municipalities


@pytest.mark.parametrize(
    ("name", "code", "oblast", "centre"),
    [
        ("Кресна", "BLG28", "Благоевград", "14492"),
        ("Дупница", "KNL48", "Кюстендил", "68789"),
        ("Стара Загора", "SZR31", "Стара Загора", "68850"),
        ("Ихтиман", "SFO20", "София", "32901"),
        ("Любимец", "HKV17", "Хасково", "44570"),
    ],
)
def test_target_municipalities(ref: Reference, name: str, code: str, oblast: str, centre: str) -> None:
    municipality = ref.find_municipality(name)
    assert municipality is not None
    assert (municipality.code, municipality.centre_ekatte) == (code, centre)
    found_oblast = ref.oblast_of(code)
    assert found_oblast is not None and found_oblast.name == oblast


@pytest.mark.parametrize(
    ("spelling", "code"),
    [
        ("СТАРА ЗАГОРА", "SZR31"),
        ("  Стара   Загора ", "SZR31"),
        ("Стара-Загора", "SZR31"),
        ("община Ихтиман", "SFO20"),
        ("Община Кресна", "BLG28"),
        ("общ. Дупница", "KNL48"),
        ("Общ.Любимец", "HKV17"),
        ("Добрич - селска", "DOB15"),
        ("Кpесна", "BLG28"),  # Latin 'p' from OCR
    ],
)
def test_municipality_spellings(ref: Reference, spelling: str, code: str) -> None:
    municipality = ref.find_municipality(spelling)
    assert municipality is not None and municipality.code == code


def test_ambiguous_or_unknown_municipality(ref: Reference) -> None:
    assert ref.find_municipality("Бяла") is None  # VAR05 and RSE04
    assert ref.find_municipality("Несъществуваща") is None
    assert ref.find_municipality("") is None
    assert ref.oblast_of("XXX99") is None


@pytest.mark.parametrize(
    ("code", "count"), [("BLG28", 7), ("SZR31", 52), ("SFO20", 28), ("KNL48", 17), ("HKV17", 10)]
)
def test_settlements_of(ref: Reference, code: str, count: int) -> None:
    settlements = ref.settlements_of(code)
    assert len(settlements) == count
    assert {s.municipality_code for s in settlements} == {code}


# --------------------------------------------------------------------------- settlements


@pytest.mark.parametrize(
    ("name", "code", "expected"),
    [
        ("Сливница", "BLG28", SettlementMatch("Сливница", "67369", "exact")),
        ("с. Сливница", "BLG28", SettlementMatch("Сливница", "67369", "exact")),
        ("гр. Сливница", "SFO45", SettlementMatch("Сливница", "67372", "exact")),
        ("Петрово", "SZR31", SettlementMatch("Петрово", "56188", "exact")),
        ("Петрово", "BLG40", SettlementMatch("Петрово", "56174", "exact")),
        ("С. Лясково", "SZR31", SettlementMatch("Лясково", "44851", "exact")),
        ("с.Долна Градешница", "BLG28", SettlementMatch("Долна Градешница", "22068", "exact")),
        ("ДОЛНА  ГРАДЕШНИЦА", "BLG28", SettlementMatch("Долна Градешница", "22068", "exact")),
    ],
)
def test_exact_within_municipality(ref: Reference, name: str, code: str, expected: SettlementMatch) -> None:
    assert ref.match_settlement(name, code) == expected


@pytest.mark.parametrize(
    ("name", "code", "expected"),
    [
        ("Старозагорски минерални бани", "SZR31", SettlementMatch("Старозагорски бани", "68970", "alias")),
        ("Старозагорски мин. бани", "SZR31", SettlementMatch("Старозагорски бани", "68970", "alias")),
        ("С. Старозагорски мин. бани", "SZR31", SettlementMatch("Старозагорски бани", "68970", "alias")),
        ("Сл. кладенец", "SZR31", SettlementMatch("Сладък кладенец", "67154", "alias")),
        ("С. Сл. Кладенец", "SZR31", SettlementMatch("Сладък кладенец", "67154", "alias")),
        ("Опава", "BLG28", SettlementMatch("Ощава", "54537", "alias")),
    ],
)
def test_aliases(ref: Reference, name: str, code: str, expected: SettlementMatch) -> None:
    assert ref.match_settlement(name, code) == expected


@pytest.mark.parametrize(
    ("name", "code", "expected"),
    [
        # Not in the alias file: the abbreviation rule expands dotted first words generically.
        ("Д. Градешница", "BLG28", SettlementMatch("Долна Градешница", "22068", "alias")),
        ("Г.Брезница", "BLG28", SettlementMatch("Горна Брезница", "16136", "alias")),
        ("Ст. Кресна", "BLG28", SettlementMatch("Стара Кресна", "39699", "alias")),
    ],
)
def test_generic_abbreviations(ref: Reference, name: str, code: str, expected: SettlementMatch) -> None:
    assert ref.match_settlement(name, code) == expected


def test_alias_file_targets_exist(ref: Reference) -> None:
    with ALIASES_CSV.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert rows and set(rows[0]) == {"municipality_code", "alias", "name"}
    for row in rows:
        names = {s.name for s in ref.settlements_of(row["municipality_code"])}
        assert row["name"] in names, row


def test_fuzzy_ocr_slip(ref: Reference) -> None:
    assert ref.match_settlement("Долна Градешнца", "BLG28") == SettlementMatch(
        "Долна Градешница", "22068", "fuzzy"
    )


def test_unmatched(ref: Reference) -> None:
    assert ref.match_settlement("Несъществуващо село", "BLG28") == SettlementMatch(
        "Несъществуващо село", None, "unmatched"
    )
    assert ref.match_settlement("", "BLG28").match == "unmatched"
    assert ref.match_settlement("Кресна", "XXX99").match == "unmatched"


def test_never_outside_the_municipality(ref: Reference) -> None:
    assert ref.match_settlement("Сливница", "KNL48").match == "unmatched"
    assert ref.match_settlement("Старозагорски бани", "BLG28").match == "unmatched"
    assert ref.match_settlement("Опава", "SZR31").match == "unmatched"  # the alias is Kresna's only


def test_without_municipality_only_unique_exact(ref: Reference) -> None:
    assert ref.match_settlement("Сливница", None) == SettlementMatch("Сливница", None, "unmatched")
    assert ref.match_settlement("Лясково", None).match == "unmatched"  # six in the country
    assert ref.match_settlement("гр. Ихтиман", None) == SettlementMatch("Ихтиман", "32901", "exact")
    assert ref.match_settlement("Сл. кладенец", None).match == "unmatched"


# --------------------------------------------------------------------------- unavailable reference


def test_unavailable_directory(tmp_path: Path) -> None:
    empty = load_reference(tmp_path)
    assert not empty.available
    assert empty.notice is not None and str(tmp_path) in empty.notice
    assert empty.oblasts == {} and empty.municipalities == {} and empty.settlements == {}
    assert empty.find_municipality("Кресна") is None
    assert empty.oblast_of("BLG28") is None
    assert empty.settlements_of("BLG28") == []
    assert empty.match_settlement("с. Сливница", "BLG28") == SettlementMatch("Сливница", None, "no_reference")


def test_missing_and_broken_directories(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere"
    assert resolve_reference_dir(missing) is None
    gone = load_reference(missing)
    assert not gone.available and gone.notice is not None and str(missing) in gone.notice
    assert not load_reference(None).available

    (tmp_path / "ekatte").mkdir()
    (tmp_path / "ekatte" / "ek_obl.json").write_text("{not json", encoding="utf-8")
    broken = load_reference(tmp_path)
    assert not broken.available and broken.notice is not None and str(tmp_path) in broken.notice


def test_metadata_only_files_are_unusable(tmp_path: Path) -> None:
    meta = [{"Дата и час на изготвяне на справката": "x", "Данните са актуални към": "y"}]
    (tmp_path / "ekatte").mkdir()
    for name in ("ek_obl.json", "ek_obst.json", "ek_atte.json"):
        (tmp_path / "ekatte" / name).write_text(json.dumps(meta), encoding="utf-8")
    assert not load_reference(tmp_path).available


def test_resolve_precedence(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cli_dir, env_dir = tmp_path / "cli", tmp_path / "env"
    cli_dir.mkdir()
    env_dir.mkdir()
    monkeypatch.setenv(REFERENCE_ENV, str(env_dir))
    assert resolve_reference_dir(cli_dir) == cli_dir.resolve()
    assert resolve_reference_dir(str(cli_dir)) == cli_dir.resolve()
    assert resolve_reference_dir() == env_dir.resolve()
    monkeypatch.setenv(REFERENCE_ENV, str(tmp_path / "absent"))
    assert resolve_reference_dir() is None
    monkeypatch.delenv(REFERENCE_ENV)
    default = Path(ref_module.__file__).resolve().parents[1].parent / "shared" / "reference"
    assert resolve_reference_dir() == (default.resolve() if default.is_dir() else None)


def test_a_name_shared_by_a_town_and_a_village_is_told_apart_by_its_prefix(ref: Reference) -> None:
    # EKATTE (ek_atte.json): SFO25 has гр. Костенец 38902 and с. Костенец 38916
    assert ref.match_settlement("гр. Костенец", "SFO25").ekatte == "38902"
    assert ref.match_settlement("с. Костенец", "SFO25").ekatte == "38916"
    assert ref.match_settlement("Костенец", "SFO25").match == "unmatched"
