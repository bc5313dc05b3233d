-- target_series: one row per point on a target's chart, for every target of a plan (`target_id`
-- says whose; one query per plan, as each DuckDB query costs milliseconds however small).
-- Reported and baseline figures of the target's own indicator and region (all years, flagged when
-- outside the plan period; forecasts, qualifier "expected", as the series "forecast"), the baseline
-- stated with the target and the target itself.
-- Parameters: $plan_id. Values in the dimension's base unit.
with target as (
    select t.*, u.factor, bu.factor as baseline_factor,
           (p.plan ->> 'period_start')::integer as period_start,
           (p.plan ->> 'period_end')::integer as period_end
    from targets as t
    join units as u on u.plan_id = t.plan_id and u.unit_id = t.unit_id
    left join units as bu on bu.plan_id = t.plan_id and bu.unit_id = t.baseline_unit_id
    join plans as p on p.plan_id = t.plan_id
    where t.plan_id = $plan_id
),

figures as (
    select
        t.target_id,
        -- A forecast or plan figure ("expected") is its own series: shown, never taken for progress.
        case when o.qualifier = 'expected' then 'forecast' else o.kind end as series,
        o.year, o.value * u.factor as value, o.value as printed_value,
        o.unit_id as printed_unit_id, o.qualifier, o.source_id, o.observation_id as figure_id,
        o.year > t.target_year as outside_period, o.source_row
    from target as t
    join observations as o
        on o.plan_id = t.plan_id and o.indicator_id = t.indicator_id and o.region_id = t.region_id
    join units as u on u.plan_id = o.plan_id and u.unit_id = o.unit_id
    where o.kind in ('reported', 'baseline')
),

stated as (
    select target_id, 'target' as series, target_year as year, value * factor as value, value as printed_value,
           unit_id as printed_unit_id, null as qualifier, source_id, target_id as figure_id,
           false as outside_period, source_row
    from target
    union all
    select target_id, 'target_baseline', baseline_year, baseline_value * baseline_factor, baseline_value,
           baseline_unit_id, null, baseline_source_id, target_id, false, source_row
    from target
    where baseline_year is not null
)

select target_id, series, year, value, printed_value, printed_unit_id, qualifier, source_id, figure_id, outside_period
from (select * from figures union all select * from stated)
order by target_id, year, series, source_row
