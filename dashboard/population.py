"""Query stage helpers: population and neighbours of the municipalities, read from the reference directory.

`population/settlements.csv` holds NSI's estimates of each settlement's population on 31.12.2013
(columns ekatte, municipality, name_bg, name_en, area, population); a municipality's population is the sum
of its settlements' rows. `geo/municipalities-neighbours.geojson` gives each municipality (`nuts4`) the
municipalities it borders (`neighbors`). Both files come from the reference directory the build uses
(SSP_REFERENCE_DIR, see etl/reference.py) and are optional: without them the functions return empty
results and the pages show counts with a notice instead of per-capita figures or peers.

The figures are handed to the SQL as bound lists (queries/municipality_metrics.sql and others): the
population never enters the database, so a database built without the file gains per-capita figures
as soon as the file is there, and the year of the estimate is always POPULATION_YEAR below.
"""

from __future__ import annotations

import csv
import json
import math
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from dashboard.db import reference_dir

POPULATION_FILE = Path("population") / "settlements.csv"
NEIGHBOURS_FILE = Path("geo") / "municipalities-neighbours.geojson"
POPULATION_DATE = "31.12.2013"  # the date of NSI's estimates in the file (reference SOURCES.md)
POPULATION_YEAR = 2013
PER = 1000  # places per this many inhabitants
SIMILAR_PEERS = 3  # municipalities of similar population in the oblast offered as peers


@dataclass(frozen=True)
class Population:
    """Population by settlement (EKATTE) and by municipality (EKATTE municipality code)."""

    path: Path
    settlements: dict[str, int] = field(default_factory=dict)
    municipalities: dict[str, int] = field(default_factory=dict)

    @property
    def available(self) -> bool:
        return bool(self.municipalities)

    def bound(self) -> dict[str, list]:
        """The municipalities' population as the bound parameters $codes / $people of the queries."""
        codes = sorted(self.municipalities)
        return {"codes": codes, "people": [self.municipalities[c] for c in codes]}

    def bound_settlements(self) -> dict[str, list]:
        """The settlements' population as the bound parameters $ekattes / $settlement_people."""
        codes = sorted(self.settlements)
        return {"ekattes": codes, "settlement_people": [self.settlements[c] for c in codes]}


def population_path() -> Path:
    return reference_dir() / POPULATION_FILE


def neighbours_path() -> Path:
    return reference_dir() / NEIGHBOURS_FILE


def population() -> Population:
    """The population file of the reference directory (empty when it is missing or unreadable)."""
    return _read_population(population_path())


@cache
def _read_population(path: Path) -> Population:
    settlements: dict[str, int] = {}
    municipalities: dict[str, int] = {}
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            for row in csv.DictReader(handle):
                ekatte = (row.get("ekatte") or "").strip().zfill(5)
                code = (row.get("municipality") or "").strip()
                value = (row.get("population") or "").strip()
                if not code or not value.isdigit():
                    continue  # a row without a number adds nothing (never a guessed 0)
                people = int(value)
                settlements[ekatte] = people
                municipalities[code] = municipalities.get(code, 0) + people
    except (OSError, UnicodeError, csv.Error):
        return Population(path)
    return Population(path, settlements, municipalities)


def neighbours() -> dict[str, list[str]]:
    """Municipality code -> the codes of the municipalities it borders (empty without the file)."""
    return _read_neighbours(neighbours_path())


@cache
def _read_neighbours(path: Path) -> dict[str, list[str]]:
    try:
        features = json.loads(path.read_text(encoding="utf-8")).get("features", [])
    except (OSError, ValueError, AttributeError):
        return {}
    found = {}
    for feature in features:
        props = feature.get("properties") or {}
        code = props.get("nuts4")
        if isinstance(code, str) and code:
            found[code] = sorted(c for c in props.get("neighbors") or [] if isinstance(c, str) and c != code)
    return found


def similar_population(code: str, oblast_of: dict[str, str], people: dict[str, int],
                       count: int = SIMILAR_PEERS) -> list[str]:
    """The `count` other municipalities of `code`'s oblast whose population is closest to its own (by ratio,
    so 5 000 is as close to 10 000 as 20 000 is); ties by code. Empty without population or oblast."""
    own = people.get(code)
    oblast = oblast_of.get(code)
    if not own or not oblast:
        return []
    others = [c for c, o in oblast_of.items() if o == oblast and c != code and people.get(c)]
    return sorted(others, key=lambda c: (abs(math.log(people[c] / own)), c))[:count]


def per_thousand(places, people) -> float | None:
    """Places per PER inhabitants; None when either is unknown or there are no inhabitants."""
    if places is None or people is None or (isinstance(places, float) and math.isnan(places)) or not people:
        return None
    return float(places) * PER / float(people)
