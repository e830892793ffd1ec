"""Stage 3, rows → records: each row read into the export contract's fields (service type, places,
schedule, funding, amounts, capacity, status), with its review flags and provenance."""

from .normalise import (
    NormalisedPlan,
    PlanError,
    PlanRecord,
    Record,
    normalise_plan,
    service_types,
    transliterate,
)

__all__ = ["NormalisedPlan", "PlanError", "PlanRecord", "Record", "normalise_plan", "service_types", "transliterate"]
