-- Headline figures for the current selection: services, capacity, funding shares, new and closing.
-- One pass over the selection; the funding classes of a row are its ';'-joined `funding` column
-- (the same classes item_funding lists).
with

selected as (
    select plan_id, service_type, capacity, status, string_split(coalesce(funding, ''), ';') as classes
    from selected_items($oblasts, $municipalities, $years, $target_groups, $service_types)
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
