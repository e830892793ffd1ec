-- Build summary: the totals of a database, one row (each total its own one-row part, joined).
with

lines as (
    select
        count(*) as lines_nonempty,
        count(*) filter (where disposition in ('record', 'continuation')) as lines_in_records,
        count(*) filter (where disposition not in ('record', 'continuation')) as lines_not_in_records
    from line_dispositions
),

plan_totals as (
    -- a municipality is its EKATTE code (its name without one): the two named Бяла are two
    select count(*) as plans, count(distinct coalesce(municipality_code, municipality)) as municipalities,
        min(year) as first_year, max(year) as last_year
    from plans
),

record_totals as (
    select count(*) as records, count(*) filter (where review is not null) as records_flagged from items
),

problems as (
    select count(*) filter (where severity = 'error') as errors, count(*) filter (where severity = 'warning') as warnings
    from build_report
),

final as (
    select p.plans, p.municipalities, p.first_year, p.last_year, r.records, r.records_flagged, b.errors, b.warnings,
        l.lines_nonempty, l.lines_in_records, l.lines_not_in_records
    from plan_totals p, record_totals r, problems b, lines l
)

select * from final
