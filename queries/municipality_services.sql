-- For the map: number of services in the latest selected plan of each municipality.
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
