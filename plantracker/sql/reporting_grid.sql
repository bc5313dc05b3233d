-- reporting_grid: one row per target x year of the plan period (from the plan's first year to the
-- target year): how many reported figures of the target's own series exist for that year.
-- A zero is a gap in what was reported, shown as such on the target page. A forecast (qualifier
-- 'expected') fills no gap: it is not a reported figure, as target_progress.sql does not count it.
-- Parameters: $plan_id.
with target as (
    select t.plan_id, t.target_id, t.indicator_id, t.region_id, t.target_year, t.source_row,
           (p.plan ->> 'period_start')::integer as period_start
    from targets as t
    join plans as p on p.plan_id = t.plan_id
    where t.plan_id = $plan_id
),

years as (
    select target_id, unnest(range(period_start, target_year + 1)) as year from target
)

select
    t.target_id, y.year,
    count(o.observation_id) as reported_count
from target as t
join years as y on y.target_id = t.target_id
left join observations as o
    on o.plan_id = t.plan_id and o.indicator_id = t.indicator_id and o.region_id = t.region_id
   and o.year = y.year and o.kind = 'reported' and o.qualifier is distinct from 'expected'
group by t.target_id, y.year, t.source_row
order by t.source_row, y.year
