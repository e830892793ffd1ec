-- The choices of the shared filter bar: oblasts, municipalities and years that have plans,
-- target groups and service types of the taxonomy. kind | value | label_bg | label_en | sort_key
with

loaded as (
    select distinct municipality, oblast, oblast_code, year from plans
),

oblast_options as (
    select distinct 'oblast' as kind, l.oblast as value, l.oblast as label_bg,
        coalesce(o.name_en, l.oblast) as label_en, l.oblast as sort_key
    from loaded l
    left join oblasts o on o.oblast_code = l.oblast_code
    where l.oblast is not null
),

municipality_options as (
    -- value: the name, or the EKATTE code when two municipalities share the name (schema.sql municipality_value);
    -- label: name (oblast), so 'Бяла (Варна)' and 'Бяла (Русе)' are two choices
    select distinct 'municipality' as kind, municipality_value(p.municipality, p.municipality_code) as value,
        p.municipality || coalesce(' (' || p.oblast || ')', '') as label_bg,
        coalesce(m.name_en, p.municipality) || coalesce(' (' || coalesce(o.name_en, p.oblast) || ')', '') as label_en,
        p.municipality || coalesce(' (' || p.oblast || ')', '') as sort_key
    from plans p
    left join municipalities m on m.municipality_code = p.municipality_code
    left join oblasts o on o.oblast_code = p.oblast_code
),

year_options as (
    select distinct 'year' as kind, cast(year as varchar) as value, cast(year as varchar) as label_bg,
        cast(year as varchar) as label_en, cast(year as varchar) as sort_key
    from loaded
),

type_options as (
    select 'service_type' as kind, code as value, name_bg as label_bg, name_en as label_en,
        name_bg as sort_key
    from service_types
),

group_options as (
    select distinct 'target_group' as kind, target_group as value, null as label_bg, null as label_en,
        target_group as sort_key
    from service_types
),

final as (
    select * from oblast_options
    union all select * from municipality_options
    union all select * from year_options
    union all select * from type_options
    union all select * from group_options
)

select * from final order by kind, sort_key
