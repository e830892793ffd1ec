"""The data flows one way: file → lines → rows → records → tables → query → figure. A module imports only
modules of its own stage or earlier ones (imports inside functions count too), and no modules import each
other in a circle."""

from __future__ import annotations

import ast
from pathlib import Path

from .helpers import REPO

# stage of each module, by the longest matching prefix; shared vocabulary and helpers are stage 0
STAGES = {
    "etl": 0, "etl.vocabulary": 0, "etl.marks": 0, "etl.accounts": 0, "etl.reference": 0, "etl.spreadsheet": 0, "etl.transliteration": 0, "queries": 0,
    "etl.lines": 1,
    "etl.rows": 2,
    "etl.records": 3,
    "etl.synth": 3,  # writes plan files from records' vocabulary; read back through every stage
    "etl.tables": 4, "etl.cache": 4, "etl.reading": 4, "etl.build": 4, "etl.review": 4,
    "etl.export": 5, "etl.report": 5,
    "etl.__main__": 6, "dashboard": 6, "app": 6,
}
SOURCES = [*sorted((REPO / "etl").rglob("*.py")), *sorted((REPO / "dashboard").rglob("*.py")),
           *sorted((REPO / "queries").rglob("*.py")), REPO / "app.py"]


def module_name(path: Path) -> str:
    parts = list(path.relative_to(REPO).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def stage(module: str) -> int | None:
    best = max((p for p in STAGES if module == p or module.startswith(p + ".")), key=len, default=None)
    if best == "etl" and module != "etl":
        return None  # a module of the etl package must have a stage of its own
    return None if best is None else STAGES[best]


def imports(path: Path) -> set[str]:
    """The project modules a file imports (absolute names; relative imports resolved)."""
    here = module_name(path)
    package = here if path.name == "__init__.py" else here.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            found.add(target)
            found |= {f"{target}.{a.name}" for a in node.names}  # `from etl import build` names a module
    known = {module_name(p) for p in SOURCES}
    return {m for m in found if m in known and m != here}


def test_every_module_has_a_stage():
    assert [module_name(p) for p in SOURCES if stage(module_name(p)) is None] == []


def test_no_module_imports_a_later_stage():
    back = []
    for path in SOURCES:
        here = module_name(path)
        for target in imports(path):
            if stage(target) > stage(here):
                back.append(f"{here} (stage {stage(here)}) imports {target} (stage {stage(target)})")
    assert back == []


def test_no_import_cycles():
    graph = {module_name(p): imports(p) for p in SOURCES}
    # a package's __init__ re-exporting its modules is not a cycle with them
    graph = {m: {t for t in ts if not m.startswith(t + ".")} for m, ts in graph.items()}
    state: dict[str, int] = {}
    cycles = []

    def visit(m: str, trail: list[str]) -> None:
        state[m] = 1
        for t in sorted(graph.get(m, ())):
            if state.get(t) == 1:
                cycles.append(" → ".join(trail[trail.index(t):] + [t]) if t in trail else f"{m} → {t}")
            elif t not in state:
                visit(t, trail + [t])
        state[m] = 2

    for m in sorted(graph):
        if m not in state:
            visit(m, [m])
    assert cycles == []


def test_the_checks_see_a_back_edge(tmp_path):
    """The checker itself: a stage-1 module importing a stage-3 one is caught."""
    assert stage("etl.lines.text") == 1 and stage("etl.records.normalise") == 3
    assert stage("etl.records.normalise") > stage("etl.lines.text")
