"""Reference stage: EKATTE oblasts, municipalities and settlements, read from a configurable directory.

The directory holds NSI's EKATTE JSON export (``ekatte/ek_obl.json``, ``ek_obst.json``, ``ek_atte.json``)
and optionally simplified boundaries (``geo/municipalities.geojson``, ``geo/provinces.geojson``); see
``../shared/reference/SOURCES.md``. The data is not redistributed with the code, so every caller must cope
with ``Reference.available`` being False: lookups then return None / ``no_reference`` instead of raising.
"""

from __future__ import annotations

import csv
import functools
import json
import os
import re
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rapidfuzz import fuzz

REFERENCE_ENV = "SSP_REFERENCE_DIR"

_PACKAGE_DIR = Path(__file__).resolve().parent
_REPO_ROOT = _PACKAGE_DIR.parent
_DEFAULT_DIR = _REPO_ROOT.parent / "shared" / "reference"
ALIASES_CSV = _PACKAGE_DIR / "data" / "settlement_aliases.csv"

FUZZY_MIN_RATIO = 90.0


# --------------------------------------------------------------------------- records


@dataclass(frozen=True)
class Oblast:
    code: str  # e.g. 'BLG'
    name: str  # ek_obl.json `name`: 'Благоевград', 'София', 'София (столица)'
    name_en: str
    centre_ekatte: str


@dataclass(frozen=True)
class Municipality:
    code: str  # e.g. 'BLG28'
    name: str
    name_en: str
    oblast_code: str
    centre_ekatte: str


@dataclass(frozen=True)
class Settlement:
    ekatte: str  # 5 digits, leading zeros kept
    kind: str  # 'гр.' | 'с.' | 'ман.'
    name: str
    name_en: str
    municipality_code: str
    oblast_code: str


@dataclass(frozen=True)
class SettlementMatch:
    name: str  # canonical EKATTE name, or the cleaned input when unmatched
    ekatte: str | None
    match: str  # 'exact' | 'alias' | 'fuzzy' | 'unmatched' | 'no_reference'


# --------------------------------------------------------------------------- normalisation

# OCR and copy-paste put Latin look-alikes into Cyrillic words ('Кpесна' with a Latin p); map them back,
# but only in strings that are Cyrillic at all, so English names stay searchable.
_LATIN_TO_CYRILLIC = str.maketrans("aceopxykABCEHKMOPTXY", "асеорхукАВСЕНКМОРТХУ")
_CYRILLIC_RE = re.compile(r"[\u0400-\u04FF]")
_QUOTES_RE = re.compile(r"[\"'„“”«»‘’‚`´]")
_DASHES_RE = re.compile(r"\s*[-‐‑‒–—―]\s*")
_SPACES_RE = re.compile(r"\s+")
_SETTLEMENT_PREFIX_RE = re.compile(r"^(?:град|село|гр|с|ман)(?:\.\s*|\s+)", re.IGNORECASE)
_MUNICIPALITY_PREFIX_RE = re.compile(r"^(?:община\b|общ\.|общ\b)\s*:?\s*", re.IGNORECASE)


def normalise(text: str) -> str:
    """Comparison key: lower case, ё→е, no quotes, hyphens as spaces, one space after a dot, single spaces."""
    text = text.replace("\u00a0", " ").strip()
    if _CYRILLIC_RE.search(text):
        text = text.translate(_LATIN_TO_CYRILLIC)
    text = text.lower().replace("ё", "е").replace("ѝ", "и")
    text = _QUOTES_RE.sub("", text)
    text = _DASHES_RE.sub(" ", text)
    text = text.replace(".", ". ")  # 'Сл.кладенец' and 'Сл. кладенец' compare equal
    return _SPACES_RE.sub(" ", text).strip()


def strip_settlement_prefix(name: str) -> str:
    """Drop a leading 'гр.', 'с.', 'ман.', 'град', 'село' and tidy spaces; keeps the original case."""
    cleaned = _SPACES_RE.sub(" ", name.replace("\u00a0", " ")).strip()
    return _SETTLEMENT_PREFIX_RE.sub("", cleaned, count=1).strip()


def _municipality_key(name: str) -> str:
    cleaned = _SPACES_RE.sub(" ", name.replace("\u00a0", " ")).strip()
    return normalise(_MUNICIPALITY_PREFIX_RE.sub("", cleaned, count=1))


def _expands(abbreviated: list[str], words: list[str]) -> bool:
    """True when each word equals its counterpart or is an abbreviation ('сл.') of it ('сладък')."""
    if len(abbreviated) != len(words):
        return False
    for short, word in zip(abbreviated, words, strict=True):
        if short.endswith("."):
            stem = short[:-1]
            if not stem or not word.startswith(stem) or word == stem:
                return False
        elif short != word:
            return False
    return True


# --------------------------------------------------------------------------- aliases


@functools.lru_cache(maxsize=4)
def load_aliases(path: Path = ALIASES_CSV) -> dict[tuple[str, str], str]:
    """(municipality_code, normalised alias) → canonical EKATTE name, from the expert-editable CSV."""
    aliases: dict[tuple[str, str], str] = {}
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            for row in csv.DictReader(handle):
                code = (row.get("municipality_code") or "").strip()
                alias = (row.get("alias") or "").strip()
                name = (row.get("name") or "").strip()
                if code and alias and name and not code.startswith("#"):
                    aliases[(code, normalise(strip_settlement_prefix(alias)))] = name
    except OSError:
        pass  # no alias file means no aliases; exact/abbreviation/fuzzy matching still work
    return aliases


# --------------------------------------------------------------------------- reference


@dataclass(eq=False)
class Reference:
    available: bool
    directory: Path | None
    notice: str | None = None
    # Large tables stay out of repr so a logged Reference is one readable line.
    oblasts: dict[str, Oblast] = field(default_factory=dict, repr=False)
    municipalities: dict[str, Municipality] = field(default_factory=dict, repr=False)
    settlements: dict[str, Settlement] = field(default_factory=dict, repr=False)
    geo_municipalities_path: Path | None = None
    geo_provinces_path: Path | None = None
    aliases: dict[tuple[str, str], str] = field(default_factory=dict, repr=False)
    # Indexes built once from the dicts above.
    _municipalities_by_key: dict[str, set[str]] = field(init=False, repr=False)
    _settlements_by_municipality: dict[str, list[Settlement]] = field(init=False, repr=False)
    _settlements_by_key: dict[str, list[Settlement]] = field(init=False, repr=False)
    _match_cache: dict[tuple[str, str | None], SettlementMatch] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self._match_cache = {}
        self._municipalities_by_key = defaultdict(set)
        for m in self.municipalities.values():
            self._municipalities_by_key[normalise(m.name)].add(m.code)
            if m.name_en:
                self._municipalities_by_key[normalise(m.name_en)].add(m.code)
        self._settlements_by_municipality = defaultdict(list)
        self._settlements_by_key = defaultdict(list)
        for s in sorted(self.settlements.values(), key=lambda s: (s.name, s.ekatte)):
            self._settlements_by_municipality[s.municipality_code].append(s)
            self._settlements_by_key[normalise(s.name)].append(s)

    # -- municipalities / oblasts

    def find_municipality(self, name: str) -> Municipality | None:
        """Municipality by name ('Стара Загора', 'СТАРА ЗАГОРА', 'община Ихтиман'); None if unknown or ambiguous."""
        codes = self._municipalities_by_key.get(_municipality_key(name or ""), set())
        return self.municipalities[next(iter(codes))] if len(codes) == 1 else None

    def municipalities_named(self, name: str) -> list[str]:
        """The codes of every municipality called `name` (two for Бяла: Varna and Ruse oblasts), sorted."""
        return sorted(self._municipalities_by_key.get(_municipality_key(name or ""), ()))

    def oblast_of(self, municipality_code: str) -> Oblast | None:
        municipality = self.municipalities.get(municipality_code)
        return self.oblasts.get(municipality.oblast_code) if municipality else None

    def settlements_of(self, municipality_code: str) -> list[Settlement]:
        return list(self._settlements_by_municipality.get(municipality_code, []))

    # -- settlements

    def match_settlement(self, name: str, municipality_code: str | None) -> SettlementMatch:
        """Settlement by name, within the municipality when its code is given (names repeat nationally)."""
        key = (name, municipality_code)
        if key not in self._match_cache:  # plans repeat the same few places; matching is the costly part
            self._match_cache[key] = self._match_settlement(name, municipality_code)
        return self._match_cache[key]

    def _match_settlement(self, name: str, municipality_code: str | None) -> SettlementMatch:
        cleaned = strip_settlement_prefix(name or "")
        if not self.available:
            return SettlementMatch(cleaned, None, "no_reference")
        key = normalise(cleaned)
        if not key:
            return SettlementMatch(cleaned, None, "unmatched")
        if municipality_code is None:
            return self._match_national(cleaned, key)
        candidates = self._settlements_by_municipality.get(municipality_code, [])
        by_kind = self._match_by_kind(name, key, municipality_code)
        if by_kind is not None:
            return by_kind
        for step in (self._match_exact, self._match_alias, self._match_abbreviation, self._match_fuzzy):
            found = step(key, municipality_code, candidates)
            if found is not None:
                return found
        return SettlementMatch(cleaned, None, "unmatched")

    def _match_by_kind(self, name: str, key: str, code: str) -> SettlementMatch | None:
        """A name given to two settlements of one municipality (гр. and с. Костенец) is told apart by the
        'гр.'/'с.' written before it."""
        hits = [s for s in self._settlements_by_key.get(key, []) if s.municipality_code == code]
        if len(hits) < 2:
            return None
        written = name.strip().lower()
        kind = "гр." if written.startswith(("гр.", "гр ", "град ")) else "с." if written.startswith(
            ("с.", "с ", "село ")) else None
        return self._unique([s for s in hits if s.kind == kind], "exact") if kind else None

    def _match_national(self, cleaned: str, key: str) -> SettlementMatch:
        # Without a municipality only an exact, nationally unique name is safe (Петрово, Лясково repeat).
        hits = self._settlements_by_key.get(key, [])
        if len(hits) == 1:
            return SettlementMatch(hits[0].name, hits[0].ekatte, "exact")
        return SettlementMatch(cleaned, None, "unmatched")

    @staticmethod
    def _unique(hits: list[Settlement], how: str) -> SettlementMatch | None:
        return SettlementMatch(hits[0].name, hits[0].ekatte, how) if len(hits) == 1 else None

    def _match_exact(self, key: str, code: str, candidates: list[Settlement]) -> SettlementMatch | None:
        return self._unique([s for s in self._settlements_by_key.get(key, []) if s.municipality_code == code], "exact")

    def _match_alias(self, key: str, code: str, candidates: list[Settlement]) -> SettlementMatch | None:
        target = self.aliases.get((code, key))
        if target is None:
            return None
        return self._unique([s for s in candidates if normalise(s.name) == normalise(target)], "alias")

    def _match_abbreviation(
        self, key: str, code: str, candidates: list[Settlement]
    ) -> SettlementMatch | None:
        # 'Сл. кладенец' → 'Сладък кладенец': every dotted word must begin a word of the canonical name.
        words = key.split(" ")
        if not any(w.endswith(".") for w in words):
            return None
        return self._unique([s for s in candidates if _expands(words, normalise(s.name).split(" "))], "alias")

    def _match_fuzzy(self, key: str, code: str, candidates: list[Settlement]) -> SettlementMatch | None:
        # OCR slips ('Долна Градешнца'); accepted only when one candidate is clearly the best.
        scored = sorted(
            ((fuzz.ratio(key, normalise(s.name)), s) for s in candidates),
            key=lambda pair: pair[0],
            reverse=True,
        )
        scored = [pair for pair in scored if pair[0] >= FUZZY_MIN_RATIO]
        if not scored or (len(scored) > 1 and scored[1][0] == scored[0][0]):
            return None
        best = scored[0][1]
        return SettlementMatch(best.name, best.ekatte, "fuzzy")


# --------------------------------------------------------------------------- loading


def reference_dir(cli_value: str | Path | None = None) -> Path:
    """The reference directory chosen (it may not exist): CLI value > env SSP_REFERENCE_DIR > ../shared/reference."""
    if cli_value not in (None, ""):
        return Path(cli_value).expanduser()
    env_value = os.environ.get(REFERENCE_ENV, "").strip()
    return Path(env_value).expanduser() if env_value else _DEFAULT_DIR


def resolve_reference_dir(cli_value: str | Path | None = None) -> Path | None:
    """CLI value > env SSP_REFERENCE_DIR > <repo root>/../shared/reference; None if that directory is missing."""
    chosen = reference_dir(cli_value)
    return chosen.resolve() if chosen.is_dir() else None


def _unavailable_notice(directory: Path | str, problem: str = "not found") -> str:
    return (
        f"EKATTE reference {problem} in {directory} (set {REFERENCE_ENV} or --reference): "
        "oblast and EKATTE codes will be empty"
    )


class _BrokenReference(Exception):
    """A reference file is missing or unreadable; turned into Reference(available=False)."""


def _read_records(path: Path, key_field: str) -> list[dict[str, Any]]:
    """The records of an NSI EKATTE JSON array, without the trailing metadata record."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise _BrokenReference(f"cannot read {path.name}: {exc.__class__.__name__}") from exc
    if not isinstance(data, list):
        raise _BrokenReference(f"{path.name} is not a JSON array")
    # The metadata record ('Данните са актуални към') lacks the key-code field.
    records = [r for r in data if isinstance(r, dict) and r.get(key_field)]
    if not records:
        raise _BrokenReference(f"{path.name} has no records")
    return records


def _text(record: dict[str, Any], key: str) -> str:
    value = record.get(key)
    return "" if value is None else str(value).strip()


def _parse_oblasts(records: list[dict[str, Any]]) -> dict[str, Oblast]:
    return {
        _text(r, "oblast"): Oblast(
            _text(r, "oblast"), _text(r, "name"), _text(r, "name_en"), _text(r, "ekatte")
        )
        for r in records
    }


def _parse_municipalities(records: list[dict[str, Any]]) -> dict[str, Municipality]:
    # ek_obst has no oblast field: the code's first three letters are the oblast (NSI code structure).
    result = {}
    for r in records:
        code = _text(r, "obshtina")
        result[code] = Municipality(code, _text(r, "name"), _text(r, "name_en"), code[:3], _text(r, "ekatte"))
    return result


def _parse_settlements(records: list[dict[str, Any]]) -> dict[str, Settlement]:
    result = {}
    for r in records:
        ekatte = _text(r, "ekatte").zfill(5)  # codes are strings already; zfill guards a numeric re-export
        result[ekatte] = Settlement(
            ekatte,
            _text(r, "t_v_m"),
            _text(r, "name"),
            _text(r, "name_en"),
            _text(r, "obshtina"),
            _text(r, "oblast"),
        )
    return result


def _optional_file(path: Path) -> Path | None:
    return path if path.is_file() else None


@functools.lru_cache(maxsize=8)
def _load_directory(directory: Path) -> Reference:
    """Parse one resolved directory; raises _BrokenReference, which lru_cache does not cache."""
    ekatte = directory / "ekatte"
    oblasts = _parse_oblasts(_read_records(ekatte / "ek_obl.json", "oblast"))
    municipalities = _parse_municipalities(_read_records(ekatte / "ek_obst.json", "obshtina"))
    settlements = _parse_settlements(_read_records(ekatte / "ek_atte.json", "ekatte"))
    geo_m = _optional_file(directory / "geo" / "municipalities.geojson")
    geo_p = _optional_file(directory / "geo" / "provinces.geojson")
    notice = None
    if geo_m is None or geo_p is None:
        notice = f"Boundary files missing in {directory / 'geo'}: maps will be unavailable"
    return Reference(
        available=True,
        directory=directory,
        notice=notice,
        oblasts=oblasts,
        municipalities=municipalities,
        settlements=settlements,
        geo_municipalities_path=geo_m,
        geo_provinces_path=geo_p,
        aliases=load_aliases(),
    )


def load_reference(directory: Path | None) -> Reference:
    """Load (once per directory) the EKATTE reference; never raises: unavailable data gives a notice instead."""
    if directory is None:
        return Reference(False, None, _unavailable_notice(reference_dir(None)))
    directory = Path(directory).expanduser()
    if not directory.is_dir():
        return Reference(False, directory, _unavailable_notice(directory))
    try:
        return _load_directory(directory.resolve())
    except _BrokenReference as exc:
        return Reference(False, directory, _unavailable_notice(directory, f"unusable ({exc})"))


def get_reference(cli_value: str | Path | None = None) -> Reference:
    """Convenience: resolve the directory (CLI > env > default) and load it, naming the directory if missing."""
    return load_reference(reference_dir(cli_value))
