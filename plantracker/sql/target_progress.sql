-- target_progress: one row per target (all plans).
-- The latest comparable reported figure (same indicator and region, kind 'reported', year not after
-- the target year, never a forecast), the share of the target it reaches, the value a straight line
-- from the baseline to the target requires in that year, the newest forecast of the same series
-- (shown, never counted) and the status with its reason. The rule is stated on the methodology
-- page: keep the two in step.
--
-- A figure is read as the interval of values its qualifier allows (a null bound is unbounded):
--   none [X, X]; more_than (X, inf); at_least [X, inf); less_than (-inf, X); at_most (-inf, X];
--   about [X - b|X|, X + b|X|]; expected: a forecast, left out of the status entirely.
-- A target is achieved when every value of the interval meets it, missed when none does; a target
-- "about T" is met from T - b|T|. The path to the target is judged the same way.
--
-- Parameters: $about_band (b, contract.yml qualifiers.about.band). Values are in the dimension's
-- base unit (tonne, yuan, 1, percent, ...).
-- The qualifier of the baseline as its source words it ("about 150 million tons"): the baseline
-- observation of the same series, year, source and value (validation requires one; a bound,
-- "more than", is refused there: no path starts from it).
with baseline_words as (
    select t.plan_id, t.target_id, min(o.qualifier) as baseline_qualifier
    from targets as t
    join units as bu on bu.plan_id = t.plan_id and bu.unit_id = t.baseline_unit_id
    join observations as o
        on o.plan_id = t.plan_id and o.indicator_id = t.indicator_id and o.region_id = t.region_id
       and o.year = t.baseline_year and o.kind = 'baseline' and o.source_id = t.baseline_source_id
    join units as ou on ou.plan_id = o.plan_id and ou.unit_id = o.unit_id
    where abs(o.value * ou.factor - t.baseline_value * bu.factor) <= 1e-9 * abs(t.baseline_value * bu.factor)
    group by all
),

target_base as (
    select
        t.plan_id, t.target_id, t.indicator_id, t.region_id, t.target_year, t.comparison,
        -- a level to reach ("8亿吨", "达到1.5亿吨") is met at that level or above: judged as at_least
        case when t.comparison = 'reach' then 'at_least' else t.comparison end as judged_as,
        t.value * u.factor as target_value,
        -- the lowest value that meets a higher-is-better target ("about T" allows the band below T)
        case when t.comparison = 'about' then t.value * u.factor - $about_band * abs(t.value * u.factor)
             else t.value * u.factor end as target_floor,
        u.dimension,
        t.baseline_year,
        t.baseline_value * bu.factor as baseline_value,
        bw.baseline_qualifier,
        -- the band an "about" baseline stands for (amounts are never negative: validation)
        t.baseline_value * bu.factor * (1 - case when bw.baseline_qualifier = 'about' then $about_band else 0 end)
            as baseline_low,
        t.baseline_value * bu.factor * (1 + case when bw.baseline_qualifier = 'about' then $about_band else 0 end)
            as baseline_high,
        t.headline,
        t.comparison in ('at_most', 'less_than') as lower_is_better,
        t.source_row
    from targets as t
    join units as u on u.plan_id = t.plan_id and u.unit_id = t.unit_id
    left join units as bu on bu.plan_id = t.plan_id and bu.unit_id = t.baseline_unit_id
    left join baseline_words as bw on bw.plan_id = t.plan_id and bw.target_id = t.target_id
),

series as (
    select
        tb.plan_id, tb.target_id,
        o.observation_id, o.year, o.value * u.factor as value, o.source_id, o.qualifier, o.kind,
        o.source_row
    from target_base as tb
    join observations as o
        on o.plan_id = tb.plan_id and o.indicator_id = tb.indicator_id and o.region_id = tb.region_id
    join units as u on u.plan_id = o.plan_id and u.unit_id = o.unit_id
    where o.year <= tb.target_year
),

-- The latest year's figure; where that year has an exact figure beside a qualified one that holds
-- it (validation refuses any other pair: conflicting-figures), the exact one; then the later row.
reported as (
    select
        *,
        row_number() over (partition by plan_id, target_id
                           order by year desc, qualifier is null desc, source_row desc) as recency
    from series
    where kind = 'reported' and qualifier is distinct from 'expected'
),

-- A forecast is shown beside the status, so a reader sees it was found and why it does not count.
forecasts as (
    select
        *,
        row_number() over (partition by plan_id, target_id order by year desc, source_row desc) as recency
    from series
    where kind in ('reported', 'context') and qualifier = 'expected'
),

-- Figures reported, not rows: one per year, as the status reads them (a year's exact figure and
-- the qualified one that holds it, or one figure found in two sources, are one figure; the series'
-- indicator and region are the target's).
reported_counts as (
    select plan_id, target_id, count(distinct year) as reported_count from reported group by all
),

measured as (
    select
        tb.*,
        l.observation_id as latest_observation_id,
        l.year as latest_year,
        l.value as latest_value,
        l.source_id as latest_source_id,
        l.qualifier as latest_qualifier,
        f.observation_id as forecast_observation_id,
        f.year as forecast_year,
        f.value as forecast_value,
        f.source_id as forecast_source_id,
        coalesce(rc.reported_count, 0) as reported_count,
        case when l.value is not null and tb.target_value <> 0
             then l.value / tb.target_value end as share_reached,
        case when l.year is not null and tb.baseline_year is not null
                  and tb.target_year > tb.baseline_year and l.year > tb.baseline_year
             then tb.baseline_value + (tb.target_value - tb.baseline_value)
                  * (l.year - tb.baseline_year) / (tb.target_year - tb.baseline_year) end as required_value,
        -- An "about" baseline makes the required value an interval too: the path from either end of
        -- the baseline's band (the required value grows with the baseline, so the ends give the ends).
        case when l.year is not null and tb.baseline_year is not null
                  and tb.target_year > tb.baseline_year and l.year > tb.baseline_year
             then tb.baseline_low + (tb.target_value - tb.baseline_low)
                  * (l.year - tb.baseline_year) / (tb.target_year - tb.baseline_year) end as required_low,
        case when l.year is not null and tb.baseline_year is not null
                  and tb.target_year > tb.baseline_year and l.year > tb.baseline_year
             then tb.baseline_high + (tb.target_value - tb.baseline_high)
                  * (l.year - tb.baseline_year) / (tb.target_year - tb.baseline_year) end as required_high,
        -- the latest figure as an interval: [low, high], either end open or unbounded (null)
        case when l.qualifier = 'about' then l.value - $about_band * abs(l.value)
             when l.qualifier in ('less_than', 'at_most') then null
             else l.value end as low,
        coalesce(l.qualifier = 'more_than', false) as low_open,
        case when l.qualifier = 'about' then l.value + $about_band * abs(l.value)
             when l.qualifier in ('more_than', 'at_least') then null
             else l.value end as high,
        coalesce(l.qualifier = 'less_than', false) as high_open
    from target_base as tb
    left join reported as l on l.plan_id = tb.plan_id and l.target_id = tb.target_id and l.recency = 1
    left join forecasts as f on f.plan_id = tb.plan_id and f.target_id = tb.target_id and f.recency = 1
    left join reported_counts as rc on rc.plan_id = tb.plan_id and rc.target_id = tb.target_id
),

-- Every comparison asks whether ALL values of the interval pass (an unbounded end never does);
-- a null comparison (no figure, no path) is false.
judged as (
    select
        *,
        coalesce(case judged_as
            when 'at_least' then low >= target_value
            when 'about' then low >= target_floor
            when 'more_than' then low > target_value or (low = target_value and low_open)
            when 'at_most' then high <= target_value
            when 'less_than' then high < target_value or (high = target_value and high_open)
        end, false) as meets_target,
        coalesce(case judged_as
            when 'at_least' then high < target_value or (high = target_value and high_open)
            when 'about' then high < target_floor or (high = target_floor and high_open)
            when 'more_than' then high <= target_value
            when 'at_most' then low > target_value or (low = target_value and low_open)
            when 'less_than' then low >= target_value
        end, false) as misses_target,
        -- Against every value the path may require (an "about" baseline: required_low..required_high).
        coalesce(case when lower_is_better then high <= required_low
                      else low >= required_high end, false) as keeps_path,
        coalesce(case when lower_is_better then low > required_high or (low = required_high and low_open)
                      else high < required_low or (high = required_low and high_open) end, false) as misses_path
    from measured
)

select
    plan_id, target_id, indicator_id, region_id, target_year, comparison, dimension,
    target_value, baseline_year, baseline_value, baseline_qualifier, headline,
    latest_observation_id, latest_year, latest_value, latest_source_id, latest_qualifier,
    forecast_observation_id, forecast_year, forecast_value, forecast_source_id,
    reported_count, share_reached, required_value,
    case
        when latest_value is null then 'no_data'
        when meets_target then 'achieved'
        -- an "about" figure whose band holds the target: neither achieved nor missed, and said so
        when latest_qualifier = 'about' and not misses_target then 'about_reached'
        when latest_year >= target_year and misses_target then 'off_track'
        -- a floor short of the target or a ceiling above it, in the target year: undecided
        when latest_year >= target_year then 'no_data'
        when required_value is null then 'no_data'
        when keeps_path then 'on_track'
        when misses_path then 'off_track'
        else 'no_data'
    end as status,
    case
        when latest_value is null and forecast_value is not null then 'only_forecast'
        when latest_value is null then 'no_comparable_figure'
        when meets_target then 'meets_target'
        when latest_qualifier = 'about' and not misses_target then 'about_at_target'
        when latest_year >= target_year and misses_target then 'missed_at_target_year'
        when latest_year >= target_year and high is null then 'floor_below_target'
        when latest_year >= target_year then 'ceiling_above_target'
        when required_value is null then 'no_baseline_for_path'
        when keeps_path or misses_path then 'compared_with_path'
        else 'uncertain_against_path'
    end as status_reason
from judged
order by plan_id, source_row
