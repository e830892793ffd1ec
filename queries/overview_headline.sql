-- Headline figures for the current selection: services, capacity, funding shares, new and closing — never plans
-- of different years added up: per municipality, its latest plan in the selection (the selected year's plan when
-- one year is chosen). Also which years those plans are of, and how many municipalities they cover.
-- (selected_plan_funding, derived.sql: the selection per plan and funding mix; a service's funding classes are its
-- ';'-joined `funding` column, the same classes item_funding lists)
with per_plan as (
    select
        plan_no,
        coalesce(municipality_code, municipality) as municipality_key,
        max(year) as year,
        sum(services) as services,
        sum(capacity) as capacity,
        sum(delegated) as delegated,
        sum(project) as project,
        sum(municipal) as municipal,
        sum(new_services) as new_services,
        sum(closing_services) as closing_services
    from selected_plan_funding($oblasts, $municipalities, $years, $target_groups, $service_types)
    group by plan_no, municipality_key
),

latest as (
    select *
    from per_plan
    qualify row_number() over (partition by municipality_key order by year desc) = 1
),

final as (
    select
        coalesce(sum(services), 0)::bigint as services,
        coalesce(sum(capacity), 0) as capacity,
        coalesce(sum(delegated), 0)::bigint as delegated,
        coalesce(sum(project), 0)::bigint as project,
        coalesce(sum(municipal), 0)::bigint as municipal,
        coalesce(sum(new_services), 0)::bigint as new_services,
        coalesce(sum(closing_services), 0)::bigint as closing_services,
        count(*) as plans,
        count(*) as municipalities,
        min(year) as first_year,
        max(year) as last_year,
        (select count(*) from per_plan) as plans_selected
    from latest
)

select * from final
