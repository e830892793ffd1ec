-- Schema of data/build/plans.duckdb, built by `python -m etl build`.
-- The database is rebuilt from the plan documents every time (never edited by hand).
-- Export columns (plans.csv / items.csv, see the open-data contract) are a projection of
-- `plans` and `items`; everything else here serves traceability and the dashboard.

-- One row per plan document that was loaded.
create table plans (
    plan_id           varchar primary key,  -- municipality in Latin + '-' + year, e.g. 'dupnitsa-2021'
    municipality      varchar not null,     -- canonical Bulgarian name, no 'Община'
    municipality_code varchar,              -- EKATTE obshtina code ('KNL48'); null without EKATTE
    oblast            varchar,              -- canonical oblast name (one of the 28); null without EKATTE
    oblast_code       varchar,              -- EKATTE oblast code ('KNL')
    year              integer not null,     -- plan year (period covered)
    title             varchar,              -- the document's own heading
    source_file       varchar not null,     -- file name as loaded
    source_sha256     varchar not null,     -- content hash of the source bytes
    encoding          varchar not null,     -- detected text encoding; for other formats the format read: docx, pdf, doc→docx, odt→docx
    layout            varchar not null,     -- table layout(s) recognised, ';'-joined
    items             integer not null,     -- number of item rows extracted
    lines_total       integer not null,     -- lines in the document
    lines_nonempty    integer not null      -- non-empty lines (every one is accounted for in line_dispositions)
);

-- One row per plan row: a service, measure or activity (the export's items.csv and more).
create table items (
    item_id         varchar primary key,  -- plan_id + ':' + source_line, e.g. 'dupnitsa-2021:12'
    plan_id         varchar not null references plans (plan_id),
    municipality    varchar not null,
    year            integer not null,
    seq             integer not null,     -- order of the row within the plan
    item_no         varchar,              -- row number as printed, no trailing dot; null for sub-rows
    parent_item_id  varchar,              -- for an unnumbered sub-row: the numbered row it belongs to
    section         varchar not null,     -- social_service | horizontal_measure | partnership | human_resources | other
    name            varchar,              -- row title, cleaned
    description     varchar,              -- description / activities text, cleaned
    service_type    varchar,              -- code from service_types, null for measures
    settlements     varchar,              -- canonical settlement names, ';'-joined
    scope           varchar,              -- settlement | municipality | region
    q1 smallint, q2 smallint, q3 smallint, q4 smallint,  -- 1 marked, 0 unmarked, null: no quarterly schedule
    funding         varchar,              -- funding classes, ';'-joined, sorted
    funding_raw     varchar,              -- the funding cell as written, cleaned
    amount_bgn      double,               -- total amount in leva, when stated
    capacity        integer,              -- planned capacity at the end of the plan period
    capacity_before integer,              -- capacity before a change stated in this plan
    capacity_unit   varchar,              -- places | users | families
    staff           integer,              -- staff / assistants when stated
    units           integer,              -- separate service units covered (1 for a single service)
    status          varchar not null,     -- continuing | new | expanded | reduced | closing | planned | transformed
    provider        varchar,              -- responsible / implementing organisation as written
    place_raw       varchar,              -- the place cell as written, cleaned
    term_raw        varchar,              -- the schedule / deadline text when the layout has one (СРОК)
    layout          varchar not null,     -- layout of the table the row came from
    source_file     varchar not null,
    source_line     integer not null,     -- 1-based line where the row starts (for .docx/.pdf: line of the extracted document)
    source_lines    varchar not null,     -- all lines merged into the row, ','-joined (continuations)
    source_text     varchar not null using compression uncompressed,  -- the original lines, verbatim, joined by newlines
    source_ref      varchar,              -- .docx/.pdf: page, table and row where the row starts ('стр. 2, табл. 1, ред 5'); null for text
    review          varchar,              -- ';'-joined review flags: why a person should check the record (docs/conventions.md)
    corrected       varchar,              -- ';'-joined fields a person corrected (data/corrections; the parsed values: table corrections)
    source_text_rank integer              -- place of source_text in text order among all items (equal texts, equal rank): set by derived.sql
);

-- Settlements an item is delivered in, matched to EKATTE within the plan's municipality.
create table item_settlements (
    item_id   varchar not null,
    plan_id   varchar not null,
    position  integer not null,           -- order as listed in the plan
    name      varchar not null,           -- canonical name (EKATTE name when matched)
    raw       varchar not null,           -- the text it was read from
    ekatte    varchar,                    -- 5-digit EKATTE code; null when not matched / no EKATTE
    match     varchar not null            -- exact | alias | fuzzy | unmatched | no_reference
);

-- Funding classes of an item with the phrase that signalled each.
create table item_funding (
    item_id       varchar not null,
    plan_id       varchar not null,
    funding_class varchar not null,       -- state_delegated | state_other | national_programme | municipal | project | other
    phrase        varchar not null        -- the wording found in the funding cell
);

-- Reference: the service taxonomy (from etl/data/service_types.csv).
create table service_types (
    code         varchar primary key,
    name_bg      varchar not null,
    name_en      varchar not null,
    target_group varchar not null,        -- children_families | disabilities | elderly | adults_at_risk | mixed
    setting      varchar not null,        -- community | residential | family | home | institution
    ssa_kind     varchar                  -- its kind under the Social Services Act (etl/data/ssa_kinds.csv); null: none
);

-- Reference: EKATTE oblasts, municipalities, settlements (empty when EKATTE is unavailable).
create table oblasts (
    oblast_code varchar primary key,
    name        varchar not null,
    name_en     varchar
);

create table municipalities (
    municipality_code varchar primary key,
    name              varchar not null,
    name_en           varchar,
    oblast_code       varchar not null,
    centre_ekatte     varchar
);

create table settlements (
    ekatte            varchar primary key,
    kind              varchar not null,   -- гр. | с. | ман.
    name              varchar not null,
    name_en           varchar,
    municipality_code varchar not null,
    oblast_code       varchar not null
);

-- Build report: every non-empty line of every document and what became of it.
create table line_dispositions (
    source_file varchar not null,
    plan_id     varchar,                  -- null when the file could not be read as a plan
    line        integer not null,
    disposition varchar not null,         -- record | continuation | header | section | title | prose | separator | total | legend | dropped (by a correction)
    item_id     varchar,                  -- the record the line feeds, if any
    text        varchar not null,         -- the line, verbatim (truncated to 500 characters)
    source_ref  varchar                   -- .docx/.pdf: page, table and row of the line; null for text
);

-- Build report: problems and notices (unknown service, no funding class, unmatched settlement, bad file ...).
create table build_report (
    source_file varchar,                  -- null for build-wide notices
    plan_id     varchar,
    line        integer,
    severity    varchar not null,         -- error | warning | notice
    category    varchar not null,         -- e.g. encoding, layout, duplicate_plan, unknown_service, no_funding, settlement_unmatched, reference_missing
    message     varchar not null
);

-- Corrections read from the correction files (etl/tables/corrections.py): applied ones with the value they replaced,
-- refused ones with the reason (their document changed, their line starts no record, their value is invalid).
create table corrections (
    source_sha256   varchar not null,     -- the document the correction was made on (SHA-256 of its bytes)
    plan_id         varchar,              -- null when no document of the build has that content
    item_id         varchar,              -- the record corrected (null for a whole plan's value, or when refused)
    source_line     integer,              -- line where the record starts; null for a whole plan's value
    source_record   integer,              -- which of several records starting on source_line ('24.2' → 2); else null
    field           varchar not null,     -- an export column, or _record (value drop | add)
    parsed          varchar,              -- the value as read, before the correction
    value           varchar,              -- the corrected value
    reason          varchar,
    author          varchar,
    corrected_at    varchar,
    status          varchar not null,     -- applied | refused
    why             varchar,              -- why refused
    correction_file varchar not null,     -- the correction file and its line
    correction_row  integer not null
);

-- Key/value facts about the build (time, reference directory, versions).
create table build_info (
    key   varchar primary key,
    value varchar
);

-- A filter of the dashboard's filter bar: an empty list of choices means all.
create macro chosen(choices, value) as len(choices) = 0 or list_contains(choices, value);

-- A municipality is its EKATTE code: two municipalities share a name (Бяла, in Varna and in Ruse oblast).
-- shared_name: another municipality has this name (in EKATTE, or among the loaded plans).
create macro shared_name(m_name) as
    m_name in (select name from municipalities group by name having count(*) > 1
               union all
               select municipality from plans group by municipality having count(distinct municipality_code) > 1);

-- A municipality as the filter bar chooses it (its value there and in the address): its name, or its EKATTE code
-- when the name is shared ('Дупница', 'VAR05'), so that a choice never stands for two municipalities.
create macro municipality_value(m_name, m_code) as
    case when m_code is not null and shared_name(m_name) then m_code else m_name end;

-- A municipality as it is shown: its name, with its oblast when the name is shared ('Бяла (Варна)').
create macro municipality_label(m_name, m_oblast) as
    case when m_oblast is not null and shared_name(m_name) then m_name || ' (' || m_oblast || ')' else m_name end;

-- The items of the dashboard's filter bar (oblasts, municipalities, years, target groups, service types;
-- an empty list means all), with their oblast and service-type facts: the first step of the page queries.
create macro selected_items(oblasts, municipalities, years, target_groups, service_types) as table
    select i.*, p.oblast, p.municipality_code, st.name_bg as type_bg, st.name_en as type_en, st.target_group,
        st.setting
    from items i
    join plans p using (plan_id)
    left join service_types st on st.code = i.service_type
    where chosen(oblasts, p.oblast)
      and chosen(municipalities, municipality_value(p.municipality, p.municipality_code))
      and chosen(years, i.year)
      and chosen(target_groups, st.target_group)
      and chosen(service_types, i.service_type);

-- Summary tables and the service_events macro: queries/derived.sql (computed at the end of every build).
