-- /admin: one loaded plan (its file, its counts of lines and records), or no row.
with accounted as (
    select count(*) as accounted
    from line_dispositions
    where plan_id = $plan_id
),

final as (
    select p.plan_id, p.municipality, p.oblast, p.year, p.source_file, p.source_sha256, p.items,
        p.lines_total, p.lines_nonempty, a.accounted
    from plans as p, accounted as a
    where p.plan_id = $plan_id
)

select * from final
