"""Synthetic corpus (tests and benchmarks only): plan documents in the layouts of the real samples, for real
municipalities and settlements from EKATTE, with the ground-truth records they were written to carry."""

from __future__ import annotations

import csv
import random
from dataclasses import dataclass, field
from pathlib import Path

from .records import transliterate
from .reference import Municipality, Reference

MARKER = "SYNTHETIC"  # a file of this name in a plans folder marks it (and any database built from it) synthetic
TRUTH_COLUMNS = ["plan_id", "source_line", "item_no", "section", "service_type", "settlements", "scope",
                 "q1", "q2", "q3", "q4", "funding", "amount_bgn", "capacity", "capacity_before", "capacity_unit",
                 "staff", "units", "status"]

SERVICES = {  # code → name variants as plans write them
    "COP": ["Център за обществена подкрепа", "Център за обществена подкрепа (ЦОП)"],
    "CSRI": ["Център за социална рехабилитация и интеграция", "ЦСРИ за деца и възрастни"],
    "DC_CHILDREN_DISABLED": ["Дневен център за деца с увреждания", "Дневен център за деца и младежи с увреждания - ДЦДМУ"],
    "DC_ADULTS_DISABLED": ["Дневен център за пълнолетни лица с увреждания", "Дневен център за възрастни хора с увреждания"],
    "DC_ELDERLY": ["Дневен център за стари хора"],
    "CNST_CHILDREN": ["Център за настаняване от семеен тип за деца без увреждания", "ЦНСТ „Малък групов дом“"],
    "CNST_CHILDREN_DISABLED": ["Център за настаняване от семеен тип за деца/младежи с увреждания"],
    "CNST_ADULTS": ["Център за настаняване от семеен тип за пълнолетни лица с увреждания"],
    "CNST_ELDERLY": ["Център за настаняване от семеен тип за стари хора"],
    "PROTECTED_HOME": ["Защитено жилище за лица с умствена изостаналост"],
    "SUPERVISED_HOME": ["Наблюдавано жилище"],
    "TRANSITIONAL_HOME": ["Преходно жилище"],
    "HOME_PATRONAGE": ["Домашен социален патронаж"],
    "PUBLIC_CANTEEN": ["Обществена трапезария", "Топъл обяд"],
    "PENSIONER_CLUB": ["Клуб на пенсионера"],
    "DISABLED_CLUB": ["Клуб на инвалида"],
    "FOSTER_CARE": ["Приемна грижа"],
    "TEMP_ACCOMMODATION": ["Център за временно настаняване"],
    "CRISIS_CENTRE": ["Кризисен център за лица, преживели насилие"],
    "MOTHER_BABY": ["Звено „Майка и бебе“"],
    "INST_CHILDREN": ["ДДЛРГ „Слънце“", "ДДМУИ"],
    "INST_ELDERLY": ["Дом за стари хора"],
    "INST_ADULTS": ["Дом за възрастни хора с физически увреждания"],
    "EARLY_CHILDHOOD": ["Център за ранно детско развитие"],
    "PERSONAL_ASSISTANT": ["Личен асистент"],
    "SOCIAL_ASSISTANT": ["Социален асистент"],
    "HOME_HELPER": ["Домашен помощник"],
}
NO_CAPACITY = {"PENSIONER_CLUB", "DISABLED_CLUB", "SOCIAL_ASSISTANT", "HOME_HELPER"}
FUNDING = {  # class set → wordings
    ("state_delegated",): ["Делегирана от държавата дейност", "ДДД", "Държавно делегирана дейност (ДДД)"],
    ("municipal",): ["Общински бюджет", "Община {m} – местна дейност", "В рамките на собствения бюджет"],
    ("project",): ["Проекти", "Проект „Грижа в дома“ по ОП „РЧР“", "Европейски програми"],
    ("national_programme",): ["НП „Асистенти на хора с увреждания“"],
    ("municipal", "state_delegated"): ["ДДД и общински бюджет", "Общ. бюджет/ДДД"],
    ("municipal", "project"): ["Общински бюджет и проекти", "Бюджетно и проектно финансиране"],
}
MEASURES = [
    ("horizontal_measure", "Осигуряване на равенство между половете и превенция на дискриминация.",
     "Равен достъп на всички нуждаещи се до предоставяните социални услуги."),
    ("partnership", "Взаимодействие с Обществения съвет по социално подпомагане и услуги.",
     "Гарантиране на мониторинга и контрола при управление на социалните услуги."),
    ("human_resources", "Обучение на персонала, предоставящ социални услуги.",
     "Изграждане и развитие на система за повишаване на професионалната компетентност."),
    ("other", "Екипни срещи на общинско ниво.", "Запознаване доставчиците с добри практики."),
]
SECTION_HEADINGS = {"social_service": "Социални услуги",
                    "horizontal_measure": "Хоризонтални политики, мерки за социално включване",
                    "partnership": "Дейности по развитие на партньорства, работа в мрежа",
                    "human_resources": "Развитие на човешките ресурси (обучения, курсове, семинари)",
                    "other": "Други дейности (срещи, разработване на проекти, проучвания, други)"}
QUARTER_HEADER = ["№", "Вид дейност / услуга / мярка", "Описание на дейността (какво е планирано за периода)",
                  "Местоположение (нас. място)", "Времеви график за {y} г.", "", "", "",
                  "Финансиране (източник, сума)", "Изпълняваща организация, отговорник"]
QUARTER_LABELS = ["", "", "", "", "Месец 1-3", "Месец 4-6", "Месец 7-9", "Месец 10-12", "", ""]
PLAIN_HEADER = ["№", "Вид дейност /услуга/мярка", "Описание на дейността", "Местоположение (нас. място)",
                "Финансиране (източник, сума)", "Изпълняваща организация, отговорник"]
SERVICE_HEADER = ["СОЦИАЛНА УСЛУГА", "ХАРАКТЕРИСТИКА НА УСЛУГАТА", "ДЕЙНОСТИ", "ОЧАКВАНИ РЕЗУЛТАТИ",
                  "ФИНАНСИРАНЕ", "ОТГОВОРНИК", "СРОК"]
LAYOUTS = ["quarterly", "quarterly", "priority", "plain", "service"]


@dataclass
class Service:
    code: str
    name: str
    capacity: int | None
    funding: tuple[str, ...]
    funding_text: str
    place: str  # as written
    settlements: list[str]
    scope: str
    opened: int
    closes: int | None = None


@dataclass
class Row:
    """One record to write: the cells of its table row and the truth it carries."""
    cells: dict[str, str]
    truth: dict[str, object]
    continuation: dict[str, str] | None = None
    html: bool = False


@dataclass
class Municipal:
    municipality: Municipality
    villages: list[str]
    town: str
    layout: str
    services: list[Service] = field(default_factory=list)


def generate(out: Path, reference: Reference, municipalities: int, years: tuple[int, int], seed: int) -> dict[str, int]:
    """Write plan documents to out/plans and the ground truth to out/truth; returns counts."""
    if not reference.available:
        raise RuntimeError(f"synth needs the EKATTE reference for real names: {reference.notice}")
    rng = random.Random(seed)
    chosen = rng.sample(sorted(reference.municipalities.values(), key=lambda m: m.code),
                        min(municipalities, len(reference.municipalities)))
    (out / "plans").mkdir(parents=True, exist_ok=True)
    (out / "truth").mkdir(parents=True, exist_ok=True)
    (out / "plans" / MARKER).write_text("synthetic plans generated by `python -m etl synth`; never real data\n")
    plan_rows, item_rows = [], []
    for municipality in chosen:
        villages = unique_names(reference, municipality)
        centre = reference.settlements.get(municipality.centre_ekatte)
        town = centre.name if centre else municipality.name
        state = Municipal(municipality, [v for v in villages if v != town], town, rng.choice(LAYOUTS))
        for year in range(years[0], years[1] + 1):
            rows = plan_year(state, year, rng)
            plan_id = f"{transliterate(municipality.name)}-{year}"
            oblast = reference.oblast_of(municipality.code)
            if oblast and sum(m.name == municipality.name for m in reference.municipalities.values()) > 1:
                plan_id = f"{transliterate(municipality.name)}-{transliterate(oblast.name)}-{year}"  # the two Бяла
            lines, truth = render(state, year, rows, rng)
            name = f"{plan_id}.txt"
            (out / "plans" / name).write_text("\n".join(lines) + "\n", encoding="utf-8")
            plan_rows.append({"plan_id": plan_id, "municipality": municipality.name, "oblast": oblast.name if oblast else "",
                              "year": year, "source_file": name, "items": len(truth)})
            item_rows += [{"plan_id": plan_id, **t} for t in truth]
    write_csv(out / "truth" / "plans.csv", plan_rows, list(plan_rows[0]) if plan_rows else ["plan_id"])
    write_csv(out / "truth" / "items.csv", item_rows, TRUTH_COLUMNS)
    return {"plans": len(plan_rows), "items": len(item_rows)}


def unique_names(reference: Reference, municipality: Municipality) -> list[str]:
    """Settlement names that occur once in the municipality (a name written twice cannot be told apart)."""
    names = [s.name for s in reference.settlements_of(municipality.code)]
    return sorted(n for n in set(names) if names.count(n) == 1)


def write_csv(path: Path, rows: list[dict], columns: list[str]) -> None:
    with open(path, "w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=columns)
        writer.writeheader()
        for row in rows:
            writer.writerow({k: "" if row.get(k) is None else row.get(k) for k in columns})


# --- what happens each year -----------------------------------------------------------------------


def new_service(state: Municipal, year: int, rng: random.Random, code: str | None = None) -> Service:
    code = code or rng.choice(sorted(SERVICES))
    m = state.municipality
    town = state.town
    capacity = None if code in NO_CAPACITY or code == "PERSONAL_ASSISTANT" else rng.choice([8, 10, 12, 14, 15, 20, 25, 30, 40, 50])
    funding = rng.choice(sorted(FUNDING))
    if code == "PERSONAL_ASSISTANT":
        funding = ("national_programme",)
    if rng.random() < 0.25 and state.villages:
        settlements = rng.sample(state.villages, min(len(state.villages), rng.randint(1, 3)))
        place, scope = ", ".join(f"с. {v}" for v in settlements), "settlement"
    elif rng.random() < 0.3:
        settlements, place, scope = [], f"Община {m.name}", "municipality"
    else:
        street = rng.choice(["ул. „Солун“ № 4", "пл. „Свобода“ №1", "ул. „Христо Ботев“ № 12", ""])
        settlements, place, scope = [town], f"гр. {town} {street}".strip(), "settlement"
    funding_text = rng.choice(FUNDING[funding]).format(m=m.name)
    return Service(code, rng.choice(SERVICES[code]), capacity, funding, funding_text, place, settlements, scope, year)


def plan_year(state: Municipal, year: int, rng: random.Random) -> list[tuple[Service, str, int | None]]:
    """(service, status, capacity before) for this year; services carry over between years."""
    if not state.services:
        state.services = [new_service(state, year - 1, rng) for _ in range(rng.randint(34, 48))]
    out = []
    for service in list(state.services):
        if service.closes is not None and service.closes < year:
            state.services.remove(service)
            continue
        out.append(year_event(service, year, rng))
    for _ in range(rng.choice([0, 0, 1, 2])):
        service = new_service(state, year, rng)
        state.services.append(service)
        out.append((service, "new" if rng.random() < 0.7 else "planned", None))
    return out


def year_event(service: Service, year: int, rng: random.Random) -> tuple[Service, str, int | None]:
    roll = rng.random()
    if service.opened == year:
        return service, "new", None
    if service.code == "FOSTER_CARE":
        return service, "continuing", None
    if service.capacity and roll < 0.12:
        before = service.capacity
        service.capacity = before + rng.choice([5, 10, 15])
        return service, "expanded", before
    if service.capacity and roll < 0.18 and service.capacity > 10:
        before = service.capacity
        service.capacity = before - 5
        return service, "reduced", before
    if roll < 0.22:
        service.closes = year
        return service, "closing", None
    return service, "continuing", None


# --- documents ------------------------------------------------------------------------------------


def description(service: Service, status: str, before: int | None, year: int, rng: random.Random) -> str:
    c = service.capacity
    unit = "приемни семейства" if service.code == "FOSTER_CARE" else "места"
    if c is None:
        text = {"new": f"Нова от {year} год.", "planned": "Проучване на потребностите и планиране за изграждане.",
                "closing": f"Закриване на услугата през {year} г."}.get(status, "Продължаване на дейността.")
        return f"Осигуряване на лични и социални контакти. {text}"
    texts = {
        "continuing": [f"Продължаване на дейността – капацитет {c} {unit}.",
                       f"Капацитет {c} {unit}. Със заповед от {year - 2} г. капацитетът е променен от {c - 5} на {c} {unit}."],
        "expanded": [f"Продължаване на дейността - капацитет {before} {unit}. Увеличаване на капацитета от {year} г. "
                     f"от {before} на {c} {unit}."],
        "reduced": [f"Намаляване на капацитета от {before} на {c} {unit} от 01.07.{year}г."],
        "new": [f"Нова от {year} год. с капацитет {c} {unit}."],
        "planned": ["Проучване на потребностите и планиране за изграждане."],
        "closing": [f"Подготовка за извеждане на потребителите, закриване II-ро полугодие на {year}г. Капацитет {c} {unit}."],
    }
    return "Подкрепа на потребителите в общността и консултиране. " + rng.choice(texts[status])


def truth_of(service: Service, status: str, before: int | None, layout: str, marks: list[int] | None,
             section: str) -> dict[str, object]:
    has_capacity = service.capacity is not None and status != "planned"
    unit = "families" if service.code == "FOSTER_CARE" else "places"
    staff = None
    in_text = layout != "service"
    return {
        "section": section, "service_type": service.code,
        "settlements": ";".join(service.settlements) if in_text else "",
        "scope": service.scope if in_text else "",
        "q1": marks[0] if marks else None, "q2": marks[1] if marks else None,
        "q3": marks[2] if marks else None, "q4": marks[3] if marks else None,
        "funding": ";".join(sorted(service.funding)), "amount_bgn": None,
        "capacity": service.capacity if has_capacity else None,
        "capacity_before": before if status in ("expanded", "reduced") else None,
        "capacity_unit": unit if has_capacity else None, "staff": staff, "units": 1, "status": status,
    }


def marks_for(status: str, rng: random.Random) -> tuple[list[str], list[int]]:
    if status == "planned":
        return ["+", "+", "", ""], [1, 1, 0, 0]
    if status == "new":
        start = rng.randint(0, 2)
        marks = [0] * start + [1] * (4 - start)
    elif status == "closing":
        marks = [1, 1, 0, 0]
    else:
        marks = [1, 1, 1, 1]
    return ["X" if m else "" for m in marks], marks


def render(state: Municipal, year: int, services: list[tuple[Service, str, int | None]],
           rng: random.Random) -> tuple[list[str], list[dict]]:
    renderer = {"quarterly": render_quarterly, "priority": render_quarterly, "plain": render_plain,
                "service": render_service}[state.layout]
    return renderer(state, year, services, rng)


class _Doc:
    def __init__(self) -> None:
        self.lines: list[str] = []
        self.truth: list[dict] = []

    def add(self, *cells: str) -> int:
        self.lines.append("\t".join(cells))
        return len(self.lines)


def render_quarterly(state: Municipal, year: int, services, rng: random.Random):
    m = state.municipality
    doc = _Doc()
    priority = state.layout == "priority"
    doc.add("")
    doc.add(f"ГОДИШЕН ПЛАН ЗА РАЗВИТИЕ НА СОЦИАЛНИТЕ УСЛУГИ НА ТЕРИТОРИЯТА НА ОБЩИНА {m.name.upper()} ЗА {year} ГОДИНА")
    doc.add("")
    header = [c.format(y=year) for c in QUARTER_HEADER]
    if priority:
        header[4] = f"Времени график за {year} г."
    doc.add(*header)
    doc.add(*QUARTER_LABELS)
    doc.add("Приоритетно направление 1: Социални услуги в общността" if priority else SECTION_HEADINGS["social_service"],
            *[""] * 9)
    for n, (service, status, before) in enumerate(services, start=1):
        if n > 1 and n % 7 == 1:  # a page break: blank line, the header again
            doc.add("")
            doc.add(*header)
            doc.add(*QUARTER_LABELS)
        marks, truth_marks = marks_for(status, rng)
        text = description(service, status, before, year, rng)
        split = n % 5 == 0 and len(text) > 60
        first, rest = (text[: text.index(" ", 40)], text[text.index(" ", 40) + 1:]) if split else (text, "")
        shift = [""] * rng.choice([0, 0, 0, 1, 4])
        line = doc.add(f"{n}.", service.name, first, service.place, *shift, *marks, service.funding_text,
                       f"Община {m.name}")
        doc.truth.append({"source_line": line, "item_no": str(n),
                          **truth_of(service, status, before, "quarterly", truth_marks, "social_service")})
        if rest:  # the description carries on across a page break
            doc.add("")
            doc.add("", "", rest, "", "", "", "", "", "", "")
        if priority and n % 4 == 2:  # an unnumbered sub-row: its own activity, place, marks and funding
            line = doc.add("", "", "Информационна кампания за услугата.", f"Община {m.name}", "X", "X", "X", "X",
                           "Общински бюджет", "Община")
            doc.truth.append(measure_truth(line, None, "horizontal_measure", m.name))
    if priority:
        doc.add("Приоритетно направление 2: Мерки и дейности", *[""] * 9)
    for n, (section, name, text) in enumerate(MEASURES, start=1):
        if not priority:
            doc.add(SECTION_HEADINGS[section], *[""] * 9)
        line = doc.add(f"{n}.", name, text, f"Община {m.name}", "X", "X", "X", "X", "Общински бюджет",
                       f"Община {m.name}")
        doc.truth.append(measure_truth(line, str(n), "horizontal_measure" if priority else section, m.name))
    doc.add("")
    doc.add(f"Годишният план е приет от Общински съвет {m.name}.")
    return doc.lines, doc.truth


def measure_truth(line: int, item_no: str | None, section: str, municipality: str) -> dict[str, object]:
    return {"source_line": line, "item_no": item_no, "section": section, "service_type": None, "settlements": "",
            "scope": "municipality", "q1": 1, "q2": 1, "q3": 1, "q4": 1, "funding": "municipal",
            "amount_bgn": None, "capacity": None, "capacity_before": None, "capacity_unit": None, "staff": None,
            "units": None, "status": "continuing"}


def render_plain(state: Municipal, year: int, services, rng: random.Random):
    m = state.municipality
    doc = _Doc()
    doc.add(f"ГОДИШЕН ПЛАН ЗА РАЗВИТИЕ НА СОЦИАЛНИТЕ УСЛУГИ В ОБЩИНА {m.name.upper()} ЗА {year} ГОДИНА")
    doc.add("")
    doc.add(*PLAIN_HEADER)
    doc.add("", SECTION_HEADINGS["social_service"], "", "", "", "")
    total = 0
    for n, (service, status, before) in enumerate(services, start=1):
        amount = rng.randrange(20_000, 400_000, 10)
        total += amount
        funding = f"{service.funding_text} – общо {amount} лв."
        line = doc.add(str(n), service.name, description(service, status, before, year, rng), service.place, funding,
                       f"Община {m.name}")
        truth = truth_of(service, status, before, "plain", None, "social_service")
        doc.truth.append({"source_line": line, "item_no": str(n), **truth, "amount_bgn": amount})
    doc.add("", "ОБЩО", "", "", f"{total} лева", "")
    for n, (section, name, text) in enumerate(MEASURES, start=1):
        doc.add(SECTION_HEADINGS[section], "", "", "", "", "")
        line = doc.add(str(n), name, text, f"Община {m.name}", "Общински бюджет", f"Община {m.name}")
        truth = measure_truth(line, str(n), section, m.name)
        doc.truth.append({**truth, "q1": None, "q2": None, "q3": None, "q4": None})
    return doc.lines, doc.truth


def render_service(state: Municipal, year: int, services, rng: random.Random):
    m = state.municipality
    doc = _Doc()
    doc.add("ГОДИШЕН ПЛАН")
    doc.add("")
    doc.add(f"за развитие на социалните услуги в ОБЩИНА {m.name.upper()} за {year} г.")
    doc.add("")
    doc.add("I. СОЦИАЛНИ УСЛУГИ ПРЕДОСТАВЯНИ В ОБЩНОСТТА")
    doc.add(*SERVICE_HEADER)
    for service, status, before in services:
        staff = rng.randint(2, 15)
        text = description(service, status, before, year, rng)
        first = f"<p>{service.name}</p> <p>Персонал - {staff} бр.</p>"
        cells = [f"<p>{text}</p>", "<p>Осигуряване на подкрепа.</p>", "<p>Подобряване на качеството на живот.</p>",
                 f"<p>{service.funding_text}</p>", f"<p>Община {m.name}</p>", f"<p>Декември {year}г.</p>"]
        if rng.random() < 0.3:  # the name alone on the line above its cells
            line = doc.add(service.name)
            doc.add("")
            doc.add(*cells)
        else:
            line = doc.add(first, *cells)
        truth = truth_of(service, status, before, "service", None, "social_service")
        truth["staff"] = staff if line == len(doc.lines) else None  # stated only in the first cell
        doc.truth.append({"source_line": line, "item_no": None, **truth})
    return doc.lines, doc.truth


# --- round trip: the export compared with the truth ------------------------------------------------


def same(field_name: str, expected: str, actual: str) -> bool:
    if expected == actual:
        return True
    try:
        return float(expected) == float(actual)
    except ValueError:
        return False


def field_accuracy(truth_csv: Path, items_csv: Path) -> tuple[int, int, list[str]]:
    """(fields compared, fields right, failures) of the exported items against the ground truth,
    matched by plan_id and source_line; a missing or extra record counts every truth field as wrong."""
    with open(truth_csv, encoding="utf-8") as f:
        truth = {(r["plan_id"], r["source_line"]): r for r in csv.DictReader(f)}
    with open(items_csv, encoding="utf-8") as f:
        actual = {(r["plan_id"], r["source_line"]): r for r in csv.DictReader(f)}
    fields = [c for c in TRUTH_COLUMNS if c not in ("plan_id", "source_line")]
    total = right = 0
    failures = [f"extra record {key[0]}:L{key[1]}" for key in actual.keys() - truth.keys()]
    for key, expected in truth.items():
        got = actual.get(key)
        for name in fields:
            total += 1
            if got is not None and same(name, expected[name], got.get(name, "")):
                right += 1
            elif got is not None:
                failures.append(f"{key[0]}:L{key[1]} {name}: expected {expected[name]!r}, got {got.get(name)!r}")
        if got is None:
            failures.append(f"missing record {key[0]}:L{key[1]}")
    return total, right, failures
