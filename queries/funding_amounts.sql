-- Rows for which the plan states an amount in leva, with their funding.
-- total_rows: rows of the whole selection; $limit: at most that many rows (null: all).
with

selected as (
    select * from selected_items($oblasts, $municipalities, $years, $target_groups, $service_types)
),

final as (
    select municipality, year, item_no, name, service_type, type_bg, type_en, funding, funding_raw,
        case when funding is null or funding = '' then 'unknown'
             when contains(funding, ';') then 'mixed'
             else funding end as funding_mix,
        amount_bgn, source_file, source_line
    from selected
    where amount_bgn is not null
)

select *, count(*) over () as total_rows from final order by municipality, year, source_line
limit $limit
