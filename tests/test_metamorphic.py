"""Metamorphic tests: a plan written another way must give the same records.

Each of the five sample plans and the three test plans is varied in a way that does not change what it
says (tests/fixtures/variations.py): its columns in another order, its headers in other words, months
instead of quarters, other schedule marks, other number formats, other item numbering, another encoding,
a Word document. The records read from the variant must equal the records read from the original, record
by record in order, on every field of the export contract (docs: /work/shared/spec/open-data-export.md):
item_no, section, name, service_type, settlements, scope, q1–q4, funding, funding_raw, amount_bgn,
capacity, capacity_before, capacity_unit, staff, units, status, provider, source_line.

Exceptions, each stated by the variation itself:
- a variation that rewrites free text (amounts, capacities in words) expects the name, funding_raw and
  provider texts rewritten the same way, since those are the cells "as written";
- a variation that inserts lines (a second header row of month numbers) expects source_line moved by the
  lines inserted above it; a .docx numbers its lines differently: source_line is not compared (order is);
- X → '+' does not compare status: the contract reads a schedule marked only with '+' as `planned`.

A variation that cannot apply to a plan (no amounts, no quarter columns, no item numbers) is skipped with
the reason. A parser bug these tests find and that is not fixed yet goes into KNOWN_BUGS (an xfail, strict: a
fixed bug shows up as XPASS and its entry must go).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from etl.build import read_plan

from .fixtures.variations import VARIATIONS, NotApplicable, Variant
from .helpers import REPO

pytest.importorskip("docx", reason="python-docx is not installed")

PLANS = sorted((REPO / "data" / "plans").glob("*.txt")) + \
    sorted((REPO / "tests" / "fixtures" / "test-plans" / "plans").glob("*.txt"))
TEXT_FIELDS = ("name", "funding_raw", "provider")  # cells as written: rewritten text is expected rewritten

# (plan stem, variation) → the parser bug the case shows; strict: remove the entry once it is fixed
# parser bugs these tests found and that are not fixed yet: (plan, variation) → the finding (an xfail, strict)
KNOWN_BUGS: dict[tuple[str, str], str] = {}


_ORIGINALS: dict[Path, list[dict]] = {}


def fields(record) -> dict:
    """A record's export-contract fields as comparable values."""
    return {
        "item_no": record.item_no or None,
        "section": record.section,
        "name": record.name or None,
        "service_type": record.service_type,
        "settlements": ";".join(s.name for s in record.settlements) or None,
        "scope": record.scope,
        "quarters": tuple(record.quarters) if record.quarters else None,
        "funding": ";".join(record.funding_classes) or None,
        "funding_raw": record.funding_raw or None,
        "amount_bgn": record.amount_bgn,
        "capacity": record.capacity,
        "capacity_before": record.capacity_before,
        "capacity_unit": record.capacity_unit,
        "staff": record.staff,
        "units": record.units,
        "status": record.status,
        "provider": record.provider or None,
        "source_line": record.source_line,
    }


def original_records(plan: Path, reference) -> list[dict]:
    if plan not in _ORIGINALS:
        _ORIGINALS[plan] = [fields(r) for r in read_plan(plan, reference).records]
    return _ORIGINALS[plan]


def expected(record: dict, variant: Variant) -> dict:
    out = dict(record)
    if variant.text_fn is not None:
        for key in TEXT_FIELDS:
            if out[key]:
                out[key] = " ".join(variant.text_fn(out[key]).split())
    if variant.line_map is not None:
        out["source_line"] = variant.line_map[out["source_line"]]
    for key in variant.ignore:
        out.pop(key)
    return out


def differences(plan: Path, original: list[dict], got: list[dict], variant: Variant) -> list[str]:
    """Every field that differs, as 'line N (item k): field original → variant'. Records are paired in
    order; when their numbers differ and lines are comparable, by the line they start on, so that a
    record lost or gained is reported as such and not as a shift of every record after it."""
    wanted = [expected(r, variant) for r in original]
    pairs: list[tuple[dict, dict, dict]] = []
    found = []
    if len(original) != len(got) and "source_line" not in variant.ignore:
        by_line = {r["source_line"]: r for r in got}
        for a, want in zip(original, wanted, strict=True):
            b = by_line.pop(want["source_line"], None)
            if b is None:
                found.append(f"{plan.stem} line {a['source_line']} (item {a['item_no']}, {a['name']!r}): "
                             "no record in the variant")
            else:
                pairs.append((a, want, b))
        found += [f"{plan.stem}: a record in the variant that the original does not have: line "
                  f"{b['source_line']} (item {b['item_no']}, {b['name']!r})" for b in by_line.values()]
    else:
        if len(original) != len(got):
            found.append(f"{len(original)} records from the original, {len(got)} from the variant")
        pairs = list(zip(original, wanted, got, strict=False))
    for a, want, b in pairs:
        for key, value in want.items():
            if b[key] != value:
                found.append(f"{plan.stem} line {a['source_line']} (item {a['item_no']}): {key} {value!r} → {b[key]!r}")
    return found


def cases():
    for plan in PLANS:
        for name in VARIATIONS:
            bug = KNOWN_BUGS.get((plan.stem, name))
            marks = [pytest.mark.xfail(strict=True, reason=bug)] if bug else []
            yield pytest.param(plan, name, id=f"{plan.stem}-{name}", marks=marks)


@pytest.mark.parametrize(("plan", "variation"), list(cases()))
def test_variant_gives_the_same_records(plan: Path, variation: str, reference, tmp_path):
    try:
        variant = VARIATIONS[variation](plan)
    except NotApplicable as why:
        pytest.skip(f"{variation} does not apply to {plan.stem}: {why}")
    # the variation is real: the document differs and the tables were touched
    assert variant.data != plan.read_bytes()
    assert variant.touched > 0, variant.what
    path = tmp_path / f"{plan.stem}{variant.suffix}"
    path.write_bytes(variant.data)
    original = original_records(plan, reference)
    assert original, f"{plan.stem}: no records from the original"
    got = [fields(r) for r in read_plan(path, reference).records]
    found = differences(plan, original, got, variant)
    notes = "".join(f"\n  (left as written: {s})" for s in variant.skipped)
    assert not found, f"{variation} ({variant.what}, {variant.touched} changes) changed the records:\n  " + \
        "\n  ".join(found[:40]) + (f"\n  … {len(found) - 40} more" if len(found) > 40 else "") + notes


def test_every_plan_and_most_variations_are_exercised():
    """Most (plan, variation) pairs apply: a variation skipped everywhere would test nothing."""
    applied: dict[str, int] = dict.fromkeys(VARIATIONS, 0)
    for plan in PLANS:
        for name, vary in VARIATIONS.items():
            try:
                vary(plan)
            except NotApplicable:
                continue
            applied[name] += 1
    assert all(applied.values()), {k: v for k, v in applied.items() if not v}
    assert sum(applied.values()) >= 0.6 * len(PLANS) * len(VARIATIONS), applied
