-- The map's metrics, per municipality (its latest plan in the selection): services, capacity, capacity in
-- places, services funded by projects only, the change of capacity since the municipality's previous loaded
-- plan, and places per 1 000 inhabitants. $codes / $people: population by EKATTE municipality code (bound
-- lists, dashboard/population.py; empty lists: population unknown, per_1000 null). per_1000 is null, too, when
-- the plan states no capacity in places.
-- The target-group and service-type filters apply to both plans of a change; a change is null when the
-- municipality has no earlier plan or either plan states no capacity (never a guessed 0).
with

population as (
    select unnest($codes::varchar[]) as municipality_code, unnest($people::bigint[]) as people
),

typed as (
    select i.plan_id,
        count(*) as services,
        sum(i.capacity) as capacity,
        sum(i.capacity) filter (where i.capacity_unit = 'places') as places,
        count(*) filter (where i.funding = 'project') as project_only
    from items i
    join service_types st on st.code = i.service_type
    where chosen($target_groups, st.target_group)
      and chosen($service_types, i.service_type)
    group by i.plan_id
),

all_plans as (
    select p.plan_id, p.municipality, p.municipality_code, p.oblast, p.oblast_code, p.year,
        lag(p.plan_id) over (partition by coalesce(p.municipality_code, p.municipality) order by p.year)
            as previous_plan_id,
        lag(p.year) over (partition by coalesce(p.municipality_code, p.municipality) order by p.year)
            as previous_year
    from plans p
),

latest as (
    select a.*
    from all_plans a
    semi join typed t using (plan_id)
    where chosen($oblasts, a.oblast)
      and chosen($municipalities, municipality_value(a.municipality, a.municipality_code))
      and chosen($years, a.year)
    qualify row_number() over (partition by coalesce(a.municipality_code, a.municipality) order by a.year desc) = 1
),

final as (
    select l.municipality_code, l.municipality, municipality_label(l.municipality, l.oblast) as municipality_label,
        l.oblast, l.oblast_code, l.year, l.previous_year,
        t.services, t.capacity, t.places, t.project_only,
        t.project_only / t.services as project_only_share,
        case when l.previous_plan_id is not null and t.capacity is not null and prev.capacity is not null
             then t.capacity - prev.capacity end as capacity_change,
        pop.people as population,
        case when pop.people > 0 then t.places * 1000.0 / pop.people end as per_1000
    from latest l
    join typed t using (plan_id)
    left join typed prev on prev.plan_id = l.previous_plan_id
    left join population pop on pop.municipality_code = l.municipality_code
)

select * from final order by municipality, oblast
