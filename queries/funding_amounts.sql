-- Rows for which the plan states an amount in leva, with their funding.
-- total_rows: rows of the whole selection; $limit: at most that many rows (null: all).
with

selected as (
    select i.*, p.oblast, st.name_bg as type_bg, st.name_en as type_en, st.target_group, st.setting
    from items i
    join plans p using (plan_id)
    left join service_types st on st.code = i.service_type
    where (len($oblasts) = 0 or list_contains($oblasts, p.oblast))
      and (len($municipalities) = 0 or list_contains($municipalities, i.municipality))
      and (len($years) = 0 or list_contains($years, i.year))
      and (len($target_groups) = 0 or list_contains($target_groups, st.target_group))
      and (len($service_types) = 0 or list_contains($service_types, i.service_type))
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
