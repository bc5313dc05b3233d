-- region_figures: one row per observation reported for a region of a plan (every region at once:
-- `region_id` says which), with its indicator's names and whether it falls inside the plan period.
-- Parameters: $plan_id.
select
    o.region_id, o.observation_id, o.indicator_id, i.name_zh as indicator_zh, i.name_en as indicator_en,
    o.year, o.kind, o.value * u.factor as value, o.value as printed_value, o.unit_id as printed_unit_id,
    o.qualifier, o.source_id, o.note_zh, o.note_en,
    o.year not between (p.plan ->> 'period_start')::integer and (p.plan ->> 'period_end')::integer as outside_period
from observations as o
join indicators as i on i.plan_id = o.plan_id and i.indicator_id = o.indicator_id
join units as u on u.plan_id = o.plan_id and u.unit_id = o.unit_id
join plans as p on p.plan_id = o.plan_id
where o.plan_id = $plan_id
order by o.region_id, i.source_row, o.year, o.source_row
