-- One municipality by its EKATTE code ($code): its names, its oblast, whether another municipality has the
-- same name (then it is always shown with its oblast), and how many plans of it are loaded. No row: unknown code.
with

named as (
    select m.municipality_code, m.name, m.name_en, m.oblast_code, o.name as oblast, o.name_en as oblast_en,
        (select count(*) from municipalities s where s.name = m.name) > 1 as shared_name
    from municipalities m
    left join oblasts o using (oblast_code)
    where m.municipality_code = $code
),

from_plans as (  -- a database built without EKATTE has no municipalities table rows: the plans' own names
    select municipality_code, any_value(municipality) as name, null as name_en, any_value(oblast_code) as oblast_code,
        any_value(oblast) as oblast, null as oblast_en, false as shared_name
    from plans
    where municipality_code = $code
    group by municipality_code
),

final as (
    select n.*, (select count(*) from plans p where p.municipality_code = n.municipality_code) as plans
    from (select * from named union all select * from from_plans where not exists (select 1 from named)) n
)

select * from final
