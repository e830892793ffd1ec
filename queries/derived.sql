-- Summary tables computed at the end of every build from the loaded tables (etl/tables/write.py derive()).
-- The dashboard reads them instead of comparing every plan with the one before it on each request.
-- Every statement replaces its object, so an incremental build (a copy of the previous database)
-- recomputes them. Comparisons between consecutive plans are made over ALL loaded plans, so a filter on
-- years still compares a selected plan with its municipality's previous plan.

-- Each plan with the previous loaded plan of the same municipality (null for its first plan). A municipality is
-- its EKATTE code: two share a name (Бяла in Varna and in Ruse oblast) and are never compared with each other.
create or replace table plan_pairs as
select plan_id, municipality, oblast, year,
    lag(year) over (partition by coalesce(municipality_code, municipality) order by year) as previous_year,
    lag(plan_id) over (partition by coalesce(municipality_code, municipality) order by year) as previous_plan_id
from plans;

-- Capacity per plan and service type (sum of the items; null when no item of the type states one);
-- services: how many items of the type (the page queries' per-type counts).
create or replace table type_capacity as
select plan_id, municipality, year, service_type, sum(capacity) as capacity,
    min(source_file) as source_file, min(source_line) as source_line, count(*) as services
from items
where service_type is not null
group by all;

-- Capacity per service type compared between consecutive plans of a municipality, where it differs
-- (a type that appears or disappears counts as 0 on the side where it is absent).
create or replace table observed_capacity as
with pairs as (
    -- the service types of either plan of a pair (two equality joins: a join on `in (a, b)` is not hashed)
    select distinct pp.plan_id, pp.previous_plan_id, pp.municipality, pp.oblast, pp.previous_year, pp.year,
        t.service_type
    from plan_pairs pp
    join (select plan_id, plan_id as side from plan_pairs
          union all
          select plan_id, previous_plan_id from plan_pairs) s on s.plan_id = pp.plan_id
    join type_capacity t on t.plan_id = s.side
    where pp.previous_year is not null
)
select p.plan_id, p.municipality, p.oblast, p.previous_year, p.year, p.service_type,
    coalesce(before.capacity, 0) as capacity_before, coalesce(after.capacity, 0) as capacity,
    coalesce(after.capacity, 0) - coalesce(before.capacity, 0) as change
from pairs p
left join type_capacity before on before.plan_id = p.previous_plan_id and before.service_type = p.service_type
left join type_capacity after on after.plan_id = p.plan_id and after.service_type = p.service_type
where (before.service_type is not null or after.service_type is not null)
  and coalesce(after.capacity, 0) <> coalesce(before.capacity, 0);

-- Services that open, close, are planned, expanded, reduced or transformed: as the plans state them
-- (origin 'stated') and as service types appear in or disappear from consecutive plans of a
-- municipality (origin 'observed') unless a plan already states that change.
create or replace table events as
with

stated as (
    select plan_id, municipality, year, 'stated' as origin, status as event, item_no, name, service_type,
        capacity_before, capacity, source_file, source_line
    from items
    where status <> 'continuing' and (service_type is not null or status in ('new', 'closing', 'planned'))
),

appeared as (
    select c.plan_id, c.municipality, c.year, 'observed' as origin, 'appeared' as event, null as item_no,
        null as name, cur.service_type, null::integer as capacity_before, cur.capacity, cur.source_file,
        cur.source_line
    from plan_pairs c
    join type_capacity cur on cur.plan_id = c.plan_id
    anti join type_capacity prev on prev.plan_id = c.previous_plan_id and prev.service_type = cur.service_type
    anti join stated s on s.plan_id = c.plan_id and s.service_type = cur.service_type
    where c.previous_year is not null
),

disappeared as (
    select c.plan_id, c.municipality, c.year, 'observed' as origin, 'disappeared' as event, null as item_no,
        null as name, prev.service_type, prev.capacity as capacity_before, null::integer as capacity,
        prev.source_file, prev.source_line
    from plan_pairs c
    join type_capacity prev on prev.plan_id = c.previous_plan_id
    anti join type_capacity cur on cur.plan_id = c.plan_id and cur.service_type = prev.service_type
    anti join stated s on s.plan_id = c.previous_plan_id and s.service_type = prev.service_type and s.event = 'closing'
    where c.previous_year is not null
)

select e.municipality, e.year, e.origin, e.event, e.item_no, coalesce(e.name, st.name_bg) as name, e.service_type,
    st.name_bg as type_bg, st.name_en as type_en, e.capacity_before, e.capacity, e.source_file, e.source_line,
    p.oblast, st.target_group, p.municipality_code, municipality_label(p.municipality, p.oblast) as municipality_label,
    municipality_value(p.municipality, p.municipality_code) as municipality_value
from (
    select * from stated
    union all by name select * from appeared
    union all by name select * from disappeared
) e
join plans p using (plan_id)
left join service_types st on st.code = e.service_type;

-- The events of the filter bar's selection (oblasts, municipalities, years, target groups, service
-- types; an empty list means all). The columns of changes.sql and its CSV.
create or replace macro service_events(oblasts, municipalities, years, target_groups, service_types) as table
    select * exclude (oblast, target_group, municipality_value)
    from events
    where chosen(oblasts, oblast)
      and chosen(municipalities, municipality_value)
      and chosen(years, year)
      and chosen(target_groups, target_group)
      and chosen(service_types, service_type);

-- Whether an item is in the filter bar's selection (empty lists = all), tested on the item's own columns:
-- no join, so a page query chooses, counts and orders its rows on narrow columns (the municipalities, oblasts
-- and target groups are looked up in plans and service_types only when some are chosen; a municipality by its
-- filter value, schema.sql municipality_value: item_municipality is kept for the callers' signature).
create or replace macro item_chosen(oblasts, municipalities, years, target_groups, service_types,
                                    item_plan, item_municipality, item_year, item_type) as
    (len(municipalities) = 0
     or item_plan in (select plan_id from plans
                      where list_contains(municipalities, municipality_value(municipality, municipality_code))))
    and chosen(years, item_year)
    and (len(oblasts) = 0 or item_plan in (select plan_id from plans where list_contains(oblasts, oblast)))
    and (len(target_groups) = 0
         or item_type in (select code from service_types where list_contains(target_groups, target_group)))
    and chosen(service_types, item_type);

-- What a chart's bar, point or cell narrows /data to (dashboard/state.py NARROW_KEYS; empty lists and false: all),
-- tested on the item's own columns like item_chosen:
-- - its setting or Social Services Act kind (through its service type), its funding mix (derived as in
--   plan_summary), whether it is a service at all (services_only) and whether it states an amount (amounts_only);
-- - a change of the changes timeline (events; event_years: the year of the plan in which the change is seen):
--   a change a plan states is its record (the status, counted as the events table counts it); a service type that
--   appears is the plan's records of that type; one that disappears is the previous plan's records of that type,
--   seen in the year of the plan it is missing from;
-- - a coverage cell's place: the records naming a settlement (EKATTE codes), or (whole_municipality) the records
--   given for the whole municipality and naming none.
-- (item_key, not item_id: a macro's parameter would stand for the column of that name in its subqueries too.)
create or replace macro item_narrowed(settings, ssa_kinds, funding_mixes, services_only, amounts_only, events,
                                      event_years, settlements, whole_municipality, item_key, item_plan, item_year,
                                      item_type, item_funding, item_status, item_amount, item_scope) as
    (len(settings) = 0
     or item_type in (select code from service_types where list_contains(settings, setting)))
    and (len(ssa_kinds) = 0
         or item_type in (select code from service_types where list_contains(ssa_kinds, coalesce(ssa_kind, 'none'))))
    and (len(funding_mixes) = 0
         or list_contains(funding_mixes, case when item_funding is null or item_funding = '' then 'unknown'
                                              when contains(item_funding, ';') then 'mixed'
                                              else item_funding end))
    and (not services_only or item_type is not null)
    and (not amounts_only or item_amount is not null)
    -- (each subquery is empty unless its narrowing is asked for: a /data page without them pays next to nothing)
    and ((len(events) = 0 and len(event_years) = 0)
         or (item_status <> 'continuing' and (len(events) = 0 or list_contains(events, item_status))
             and (item_type is not null or item_status in ('new', 'closing', 'planned'))
             and chosen(event_years, item_year))
         or item_plan || chr(31) || item_type in (
             select case when e.event = 'appeared' then p.plan_id else pp.previous_plan_id end || chr(31)
                 || e.service_type
             from events e
             join plans p on p.municipality = e.municipality and p.year = e.year
                 and p.municipality_code is not distinct from e.municipality_code
             join plan_pairs pp on pp.plan_id = p.plan_id
             where (len(events) > 0 or len(event_years) > 0) and e.origin = 'observed'
               and (len(events) = 0 or list_contains(events, e.event)) and chosen(event_years, e.year)))
    and ((len(settlements) = 0 and not whole_municipality)
         or item_key in (select item_id from item_settlements
                         where len(settlements) > 0 and list_contains(settlements, ekatte))
         or (whole_municipality and item_scope = 'municipality'
             and item_key not in (select item_id from item_settlements where whole_municipality)));

-- The /data grid sorted by the original text (queries/data_grid.sql): each item's place in the order of source_text
-- (the order of `order by source_text`; equal texts, equal rank), so that the grid orders integers instead of
-- comparing 137k texts of ≈ 240 characters on every request. Recomputed for every item on every build (an
-- incremental one too: one new plan moves the others' ranks). The ranks go in in rowid order: in text order the
-- update took 1.1 s instead of 15 ms.
update items set source_text_rank = ranked.source_text_rank
from (select rowid as row_id, dense_rank() over (order by source_text) as source_text_rank
      from items
      order by row_id) ranked
where items.rowid = ranked.row_id;

-- ---------------------------------------------------------------------------------------------------
-- Query summaries: what the dashboard's page queries read instead of joining and aggregating every
-- item on each request.

-- The plans numbered in (municipality, year) order: the page queries order and join on plan_no.
-- municipality_value / municipality_label: the municipality as the filter bar chooses it and as it is shown
-- (schema.sql).
create or replace table plan_keys as
select row_number() over (order by municipality, year) as plan_no, plan_id, municipality, oblast, year,
    municipality_code, municipality_value(municipality, municipality_code) as municipality_value,
    municipality_label(municipality, oblast) as municipality_label
from plans
order by plan_no;

-- Every item (services, measures, activities) per plan and funding mix (the single funding class,
-- 'mixed' when several, 'unknown' when none), for a selection without a target-group or service-type
-- filter: items / items_capacity / items_amount_bgn / items_amount_n over every item, the rest over its
-- services (service_type not null).
create or replace table plan_summary as
with grouped as (
    select plan_id,
        case when funding is null or funding = '' then 'unknown'
             when contains(funding, ';') then 'mixed'
             else funding end as funding_mix,
        count(*) as items,
        sum(capacity)::bigint as items_capacity,
        sum(amount_bgn) as items_amount_bgn,
        count(amount_bgn) as items_amount_n,
        count(service_type) as services,
        sum(capacity) filter (where service_type is not null)::bigint as capacity,
        count(service_type) filter (where (';' || funding || ';') like '%;state_delegated;%') as delegated,
        count(service_type) filter (where (';' || funding || ';') like '%;project;%') as project,
        count(service_type) filter (where (';' || funding || ';') like '%;municipal;%') as municipal,
        count(service_type) filter (where status = 'new') as new_services,
        count(service_type) filter (where status = 'closing') as closing_services
    from items
    group by all
)
select k.plan_no, g.*
from grouped g
join plan_keys k using (plan_id)
order by k.plan_no, g.funding_mix;

-- The filter bar's selection (oblasts, municipalities, years, target groups, service types; an empty
-- list means all) per plan and funding mix, with the columns of plan_summary: read from plan_summary when
-- no target group or service type is chosen, else computed from the selected items (then all services).
create or replace macro selected_plan_funding(oblasts, municipalities, years, target_groups, service_types) as table
    select k.plan_no, k.plan_id, k.municipality, k.oblast, k.year, k.municipality_code, k.municipality_label,
        s.funding_mix, s.items,
        s.items_capacity, s.items_amount_bgn, s.items_amount_n, s.services, s.capacity, s.delegated, s.project,
        s.municipal, s.new_services, s.closing_services
    from plan_summary s
    join plan_keys k using (plan_no)
    where len(target_groups) = 0 and len(service_types) = 0
      and chosen(oblasts, k.oblast)
      and chosen(municipalities, k.municipality_value)
      and chosen(years, k.year)
    union all
    select k.plan_no, k.plan_id, k.municipality, k.oblast, k.year, k.municipality_code, k.municipality_label,
        case when i.funding is null or i.funding = '' then 'unknown'
             when contains(i.funding, ';') then 'mixed'
             else i.funding end as funding_mix,
        count(*) as items, sum(i.capacity)::bigint as items_capacity, sum(i.amount_bgn) as items_amount_bgn,
        count(i.amount_bgn) as items_amount_n, count(i.service_type) as services,
        sum(i.capacity) filter (where i.service_type is not null)::bigint as capacity,
        count(i.service_type) filter (where (';' || i.funding || ';') like '%;state_delegated;%') as delegated,
        count(i.service_type) filter (where (';' || i.funding || ';') like '%;project;%') as project,
        count(i.service_type) filter (where (';' || i.funding || ';') like '%;municipal;%') as municipal,
        count(i.service_type) filter (where i.status = 'new') as new_services,
        count(i.service_type) filter (where i.status = 'closing') as closing_services
    from items i
    join plan_keys k using (plan_id)
    where (len(target_groups) > 0 or len(service_types) > 0)
      and chosen(oblasts, k.oblast)
      and chosen(municipalities, k.municipality_value)
      and chosen(years, k.year)
      and (len(target_groups) = 0
           or i.service_type in (select code from service_types where list_contains(target_groups, target_group)))
      and chosen(service_types, i.service_type)
    group by all;

-- The filter bar's selection per plan and service type (type_capacity with the plan's oblast and the
-- type's names, target group and setting).
create or replace macro selected_plan_types(oblasts, municipalities, years, target_groups, service_types) as table
    select k.plan_no, t.plan_id, t.municipality, k.municipality_code, k.municipality_label, k.oblast, t.year,
        t.service_type, st.name_bg as type_bg, st.name_en as type_en, st.target_group, st.setting, t.services,
        t.capacity
    from type_capacity t
    join plan_keys k using (plan_id)
    left join service_types st on st.code = t.service_type
    where chosen(oblasts, k.oblast)
      and chosen(municipalities, k.municipality_value)
      and chosen(years, t.year)
      and chosen(target_groups, st.target_group)
      and chosen(service_types, t.service_type);
