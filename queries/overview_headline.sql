-- Headline figures for the current selection: services, capacity, funding shares, new and closing.
-- (selected_plan_funding, derived.sql: the selection per plan and funding mix; a service's funding
-- classes are its ';'-joined `funding` column, the same classes item_funding lists)
with

final as (
    select
        coalesce(sum(services), 0)::bigint as services,
        coalesce(sum(capacity), 0) as capacity,
        coalesce(sum(delegated), 0)::bigint as delegated,
        coalesce(sum(project), 0)::bigint as project,
        coalesce(sum(municipal), 0)::bigint as municipal,
        coalesce(sum(new_services), 0)::bigint as new_services,
        coalesce(sum(closing_services), 0)::bigint as closing_services,
        count(distinct plan_no) as plans
    from selected_plan_funding($oblasts, $municipalities, $years, $target_groups, $service_types)
)

select * from final
