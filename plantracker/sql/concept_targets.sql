-- concept_targets: one row per target whose indicator shares a `concept` with a target of
-- another plan, so the plans' targets can be shown side by side (`concept` says which).
-- Parameters: none. Values in the dimension's base unit.
with concept_targets as (
    select t.plan_id, t.target_id, i.concept, t.target_year, t.comparison,
           t.value * u.factor as target_value, u.dimension, t.region_id,
           p.plan as plan, t.source_row
    from targets as t
    join indicators as i on i.plan_id = t.plan_id and i.indicator_id = t.indicator_id
    join units as u on u.plan_id = t.plan_id and u.unit_id = t.unit_id
    join plans as p on p.plan_id = t.plan_id
    where i.concept is not null
),

shared as (
    select concept from concept_targets group by concept having count(distinct plan_id) > 1
)

select c.concept, c.plan_id, c.target_id, c.target_year, c.comparison, c.target_value,
       c.dimension, c.region_id,
       coalesce(c.plan -> 'short_title' ->> 'zh', c.plan -> 'title' ->> 'zh') as plan_zh,
       coalesce(c.plan -> 'short_title' ->> 'en', c.plan -> 'title' ->> 'en') as plan_en
from concept_targets as c
join shared using (concept)
order by c.concept, c.target_year, c.plan_id
