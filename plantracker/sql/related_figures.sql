-- related_figures: one row per observation that bears on a target without being its own series:
-- the same indicator in another region (provinces, the nation) or an indicator declared
-- `comparable_to` the target's indicator, in any region. For every target of a plan at once
-- (`for_target` says whose).
-- Parameters: $plan_id. Values in the dimension's base unit; printed value kept.
with target as (
    select t.*, (p.plan ->> 'period_start')::integer as period_start,
           (p.plan ->> 'period_end')::integer as period_end
    from targets as t
    join plans as p on p.plan_id = t.plan_id
    where t.plan_id = $plan_id
)

select
    t.target_id as for_target, o.observation_id, o.indicator_id, o.region_id, r.kind as region_kind,
    r.member_of = t.region_id and r.kind = 'province' as in_plan_region,
    o.year, o.kind, o.value * u.factor as value, o.value as printed_value, o.unit_id as printed_unit_id,
    o.qualifier, o.source_id, o.note_zh, o.note_en,
    i.name_zh as indicator_zh, i.name_en as indicator_en,
    i.comparability_zh, i.comparability_en,
    o.indicator_id = t.indicator_id as same_series,
    o.year not between t.period_start and t.period_end as outside_period
from target as t
join indicators as i on i.plan_id = t.plan_id
    and (i.indicator_id = t.indicator_id or i.comparable_to = t.indicator_id)
join observations as o on o.plan_id = t.plan_id and o.indicator_id = i.indicator_id
join regions as r on r.plan_id = o.plan_id and r.region_id = o.region_id
join units as u on u.plan_id = o.plan_id and u.unit_id = o.unit_id
where not (o.indicator_id = t.indicator_id and o.region_id = t.region_id)
order by t.target_id, same_series desc, o.indicator_id, o.year, r.source_row
