-- Changes chart: number of events per year and kind (the events of changes.sql, counted).
with

selected as (
    select i.*, p.oblast, st.name_bg as type_bg, st.name_en as type_en, st.target_group, st.setting
    from items i
    join plans p using (plan_id)
    left join service_types st on st.code = i.service_type
    where (len($oblasts) = 0 or list_contains($oblasts, p.oblast))
      and (len($municipalities) = 0 or list_contains($municipalities, i.municipality))
      and (len($years) = 0 or list_contains($years, i.year))
      and (len($target_groups) = 0 or list_contains($target_groups, st.target_group))
      and (len($service_types) = 0 or list_contains($service_types, i.service_type))
),

stated as (
    select municipality, year, 'stated' as origin, status as event, item_no, name, service_type,
        type_bg, type_en, capacity_before, capacity, source_file, source_line
    from selected
    where status <> 'continuing' and (service_type is not null or status in ('new', 'closing', 'planned'))
),

types_per_plan as (
    select municipality, year, service_type, any_value(type_bg) as type_bg, any_value(type_en) as type_en,
        sum(capacity) as capacity, min(source_file) as source_file, min(source_line) as source_line
    from selected
    where service_type is not null
    group by all
),

consecutive as (
    select municipality, year, lag(year) over (partition by municipality order by year) as previous_year
    from (select distinct municipality, year from selected)
),

appeared as (
    select c.municipality, c.year, 'observed' as origin, 'appeared' as event, null as item_no,
        cur.type_bg as name, cur.service_type, cur.type_bg, cur.type_en, null::integer as capacity_before,
        cur.capacity, cur.source_file, cur.source_line
    from consecutive c
    join types_per_plan cur on cur.municipality = c.municipality and cur.year = c.year
    anti join types_per_plan prev
        on prev.municipality = c.municipality and prev.year = c.previous_year
        and prev.service_type = cur.service_type
    anti join stated s
        on s.municipality = c.municipality and s.year = c.year and s.service_type = cur.service_type
    where c.previous_year is not null
),

disappeared as (
    select c.municipality, c.year, 'observed' as origin, 'disappeared' as event, null as item_no,
        prev.type_bg as name, prev.service_type, prev.type_bg, prev.type_en, prev.capacity as capacity_before,
        null::integer as capacity, prev.source_file, prev.source_line
    from consecutive c
    join types_per_plan prev on prev.municipality = c.municipality and prev.year = c.previous_year
    anti join types_per_plan cur
        on cur.municipality = c.municipality and cur.year = c.year and cur.service_type = prev.service_type
    anti join stated s
        on s.municipality = c.municipality and s.year = c.previous_year
        and s.service_type = prev.service_type and s.event = 'closing'
    where c.previous_year is not null
),

final as (
    select * from stated
    union all by name select * from appeared
    union all by name select * from disappeared
)

select year, event, count(*) as events from final group by all order by year, event
