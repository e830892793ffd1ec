-- /admin: every loaded plan with its records, how many of them are flagged for review and how many corrected.
with counted as (
    select
        plan_id,
        count(*) filter (where review is not null and review <> '') as flagged,
        count(*) filter (where corrected is not null and corrected <> '') as corrected
    from items
    group by plan_id
),

final as (
    select p.plan_id, p.municipality, p.oblast, p.year, p.source_file, p.items,
        coalesce(c.flagged, 0) as flagged, coalesce(c.corrected, 0) as corrected
    from plans as p
    left join counted as c using (plan_id)
)

select * from final
order by municipality, year
