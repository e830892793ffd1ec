-- For the map: number of services in the latest selected plan of each municipality.
with

selected as (
    select * from selected_items($oblasts, $municipalities, $years, $target_groups, $service_types)
),

latest as (
    select municipality, max(year) as year from selected group by all
),

final as (
    select p.municipality_code, s.municipality, s.year, count(*) filter (where s.service_type is not null) as services,
        sum(s.capacity) as capacity
    from selected s
    semi join latest l on l.municipality = s.municipality and l.year = s.year
    join plans p using (plan_id)
    group by all
)

select * from final where municipality_code is not null order by municipality
