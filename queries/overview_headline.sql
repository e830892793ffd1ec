-- Headline figures for the current selection: services, capacity, funding shares, new and closing.
-- One pass over the selection; the funding classes of a row are its ';'-joined `funding` column
-- (the same classes item_funding lists).
with

selected as (
    select i.plan_id, i.service_type, i.capacity, i.status, string_split(coalesce(i.funding, ''), ';') as classes
    from items i
    join plans p using (plan_id)
    left join service_types st on st.code = i.service_type
    where (len($oblasts) = 0 or list_contains($oblasts, p.oblast))
      and (len($municipalities) = 0 or list_contains($municipalities, i.municipality))
      and (len($years) = 0 or list_contains($years, i.year))
      and (len($target_groups) = 0 or list_contains($target_groups, st.target_group))
      and (len($service_types) = 0 or list_contains($service_types, i.service_type))
),

final as (
    select
        count(*) filter (where service_type is not null) as services,
        coalesce(sum(capacity) filter (where service_type is not null), 0) as capacity,
        count(*) filter (where service_type is not null and list_contains(classes, 'state_delegated')) as delegated,
        count(*) filter (where service_type is not null and list_contains(classes, 'project')) as project,
        count(*) filter (where service_type is not null and list_contains(classes, 'municipal')) as municipal,
        count(*) filter (where service_type is not null and status = 'new') as new_services,
        count(*) filter (where service_type is not null and status = 'closing') as closing_services,
        count(distinct plan_id) as plans
    from selected
)

select * from final
