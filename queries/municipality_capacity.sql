-- The services of one municipality ($code) by plan year, setting and target group: how many, and their
-- capacity (null when none of them states one).
select i.year, st.setting, st.target_group, count(*) as services, sum(i.capacity) as capacity
from items i
join plans p using (plan_id)
join service_types st on st.code = i.service_type
where p.municipality_code = $code
group by all
order by i.year, st.setting, st.target_group
