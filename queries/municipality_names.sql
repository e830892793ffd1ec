-- Every municipality of EKATTE (and any with a plan but no EKATTE row): its code, the name its plans use (the
-- filter bar's value), its names and oblast in both languages, whether it has a loaded plan, and whether
-- another municipality of the country has the same name (then it is shown with its oblast), and how the filter bar
-- chooses it (municipality_value: its name, or its code when the name is shared). For links to /municipality/<code>,
-- to its records on /data, and labels.
with

planned as (
    select distinct municipality_code, municipality, oblast, oblast_code from plans where municipality_code is not null
),

named as (
    select m.municipality_code, coalesce(p.municipality, m.name) as municipality, o.name as oblast, m.oblast_code,
        m.name_en, o.name_en as oblast_en, p.municipality_code is not null as has_plan,
        (select count(*) from municipalities s where s.name = m.name) > 1 as shared_name
    from municipalities m
    left join oblasts o using (oblast_code)
    left join planned p using (municipality_code)
),

final as (
    select * from named
    union all
    select p.municipality_code, p.municipality, p.oblast, p.oblast_code, p.municipality, p.oblast, true, false
    from planned p
    anti join named n using (municipality_code)
)

select *, municipality_value(municipality, municipality_code) as municipality_value
from final
order by municipality, oblast
