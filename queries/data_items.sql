-- Every record of the selection for the data table, with source file, line and original text.
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
    select municipality, oblast, year, item_no, section, name, service_type, type_bg, type_en,
        target_group, setting, settlements, scope, funding, funding_raw, amount_bgn, capacity,
        capacity_before, capacity_unit, staff, units, status, provider, description, place_raw, term_raw,
        q1, q2, q3, q4, source_file, source_line, source_text, item_id, plan_id, seq
    from selected
)

select * from final order by municipality, year, seq
