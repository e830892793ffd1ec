-- Export contract: items.csv — one row per plan row, contract columns first, extras appended.
with settlement_codes as (
    select item_id, string_agg(coalesce(ekatte, ''), ';' order by position) as settlement_ekatte
    from item_settlements
    group by item_id
),

final as (
    select
        i.plan_id, i.municipality, i.year, i.item_no, i.section, i.name, i.service_type, i.settlements,
        i.scope, i.q1, i.q2, i.q3, i.q4, i.funding, i.funding_raw, i.amount_bgn, i.capacity,
        i.capacity_before, i.capacity_unit, i.staff, i.units, i.status, i.provider, i.source_line,
        -- extra columns (allowed at the end by the contract)
        i.item_id, i.source_file, p.oblast, s.settlement_ekatte, i.parent_item_id, i.description, i.source_ref,
        i.review, i.corrected
    from items as i
    join plans as p using (plan_id)
    left join settlement_codes as s using (item_id)
)

select * from final
-- records starting on one line (a service per column: item_ids …:8, …:8.1 … …:8.10) in column order
order by municipality, year, source_line, length(item_id), item_id
