-- target_progress: one row per target (all plans).
-- The latest comparable reported figure (same indicator and region, kind 'reported', year not after
-- the target year), the share of the target it reaches, the value a straight line from the
-- baseline to the target requires in that year, and the status. The rule is stated on the
-- methodology page: keep the two in step.
-- Parameters: none. Values are in the dimension's base unit (tonne, yuan, 1, percent, ...).
with target_base as (
    select
        t.plan_id, t.target_id, t.indicator_id, t.region_id, t.target_year, t.comparison,
        t.value * u.factor as target_value,
        u.dimension,
        t.baseline_year,
        t.baseline_value * bu.factor as baseline_value,
        t.headline,
        t.source_row
    from targets as t
    join units as u on u.plan_id = t.plan_id and u.unit_id = t.unit_id
    left join units as bu on bu.plan_id = t.plan_id and bu.unit_id = t.baseline_unit_id
),

reported as (
    select
        tb.plan_id, tb.target_id,
        o.observation_id, o.year, o.value * u.factor as value, o.source_id, o.qualifier,
        row_number() over (partition by tb.plan_id, tb.target_id order by o.year desc, o.source_row desc) as recency
    from target_base as tb
    join observations as o
        on o.plan_id = tb.plan_id and o.indicator_id = tb.indicator_id and o.region_id = tb.region_id
    join units as u on u.plan_id = o.plan_id and u.unit_id = o.unit_id
    where o.kind = 'reported' and o.year <= tb.target_year
),

latest as (
    select * from reported where recency = 1
),

reported_counts as (
    select plan_id, target_id, count(*) as reported_count from reported group by all
),

measured as (
    select
        tb.*,
        l.observation_id as latest_observation_id,
        l.year as latest_year,
        l.value as latest_value,
        l.source_id as latest_source_id,
        l.qualifier as latest_qualifier,
        coalesce(rc.reported_count, 0) as reported_count,
        case when l.value is not null and tb.target_value <> 0
             then l.value / tb.target_value end as share_reached,
        case when l.year is not null and tb.baseline_year is not null
                  and tb.target_year > tb.baseline_year and l.year > tb.baseline_year
             then tb.baseline_value + (tb.target_value - tb.baseline_value)
                  * (l.year - tb.baseline_year) / (tb.target_year - tb.baseline_year) end as required_value,
        -- does the latest figure meet the target as worded?
        case tb.comparison
            when 'at_least' then l.value >= tb.target_value
            when 'more_than' then l.value > tb.target_value
            when 'about' then l.value >= 0.95 * tb.target_value
            when 'at_most' then l.value <= tb.target_value
            when 'less_than' then l.value < tb.target_value
        end as meets_target,
        tb.comparison in ('at_most', 'less_than') as lower_is_better
    from target_base as tb
    left join latest as l on l.plan_id = tb.plan_id and l.target_id = tb.target_id
    left join reported_counts as rc on rc.plan_id = tb.plan_id and rc.target_id = tb.target_id
)

select
    plan_id, target_id, indicator_id, region_id, target_year, comparison, dimension,
    target_value, baseline_year, baseline_value, headline,
    latest_observation_id, latest_year, latest_value, latest_source_id, latest_qualifier,
    reported_count, share_reached, required_value,
    case
        when latest_value is null then 'no_data'
        when meets_target then 'achieved'
        when latest_year >= target_year then 'off_track'
        when required_value is null then 'no_data'
        when lower_is_better and latest_value <= required_value then 'on_track'
        when not lower_is_better and latest_value >= required_value then 'on_track'
        else 'off_track'
    end as status,
    case
        when latest_value is null then 'no_comparable_figure'
        when meets_target then 'meets_target'
        when latest_year >= target_year then 'missed_at_target_year'
        when required_value is null then 'no_baseline_for_path'
        else 'compared_with_path'
    end as status_reason
from measured
order by plan_id, source_row
