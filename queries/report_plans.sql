-- Build report: one row per loaded plan with how many of its non-empty lines are accounted for.
with accounted as (
    select plan_id, count(*) as accounted
    from line_dispositions
    group by plan_id
),

final as (
    select p.*, coalesce(a.accounted, 0) as accounted
    from plans as p
    left join accounted as a using (plan_id)
)

select * from final
order by source_file
