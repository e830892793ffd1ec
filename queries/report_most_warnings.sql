-- Build summary: the plans with the most warnings, with their most frequent kinds.
with per_kind as (
    select plan_id, category, count(*) as n
    from build_report
    where severity = 'warning' and plan_id is not null
    group by all
),

final as (
    select
        plan_id,
        sum(n) as warnings,
        string_agg(category || ' ' || n, ', ' order by n desc, category) as kinds
    from per_kind
    group by plan_id
)

select * from final
order by warnings desc, plan_id
limit $limit
