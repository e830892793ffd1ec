-- Build summary: the totals of a database, one row.
with lines as (
    select
        count(*) as lines_nonempty,
        count(*) filter (where disposition in ('record', 'continuation')) as lines_in_records,
        count(*) filter (where disposition not in ('record', 'continuation')) as lines_not_in_records
    from line_dispositions
),

final as (
    select
        (select count(*) from plans) as plans,
        (select count(distinct municipality) from plans) as municipalities,
        (select min(year) from plans) as first_year,
        (select max(year) from plans) as last_year,
        (select count(*) from items) as records,
        (select count(*) from items where review is not null) as records_flagged,
        (select count(*) from build_report where severity = 'error') as errors,
        (select count(*) from build_report where severity = 'warning') as warnings,
        l.*
    from lines as l
)

select * from final
