-- map_figures: one row per province of a plan region x year of the map's indicator, with its tile
-- position and its reported figure (figure columns null where the province has none that year).
-- The map's indicator: the one with the most provinces reporting in a year; ties go to an indicator
-- a target measures or is comparable to, then to the later year, then to the indicator listed
-- first. Its years: every year in which a province reported it (newest first), so the page can
-- show each year's map side by side. No province reporting anything: one row per province with
-- indicator, year and figure columns null.
-- Parameters: $plan_id, $region_id (the plan region).
with provinces as (
    select region_id, name_zh, name_en, tile_x, tile_y, source_row
    from regions
    where plan_id = $plan_id and member_of = $region_id and kind = 'province'
),

reported as (
    select
        o.observation_id, o.indicator_id, o.region_id, o.year, o.value * u.factor as value,
        o.value as printed_value, o.unit_id as printed_unit_id, o.qualifier, o.source_id, o.source_row
    from observations as o
    join provinces as p on p.region_id = o.region_id
    join units as u on u.plan_id = o.plan_id and u.unit_id = o.unit_id
    where o.plan_id = $plan_id and o.kind = 'reported' and o.qualifier is distinct from 'expected'  -- never counted
),

target_indicators as (
    select indicator_id from targets where plan_id = $plan_id
),

candidates as (
    select
        r.indicator_id, r.year,
        count(distinct r.region_id) as provinces_reporting,
        (i.indicator_id in (select indicator_id from target_indicators)
         or i.comparable_to in (select indicator_id from target_indicators)) as target_related,
        i.source_row as indicator_row
    from reported as r
    join indicators as i on i.plan_id = $plan_id and i.indicator_id = r.indicator_id
    group by r.indicator_id, r.year, i.indicator_id, i.comparable_to, i.source_row
),

chosen as (
    select indicator_id
    from candidates
    order by provinces_reporting desc, target_related desc, year desc, indicator_row
    limit 1
),

map_years as (
    select distinct r.year as map_year
    from reported as r
    join chosen as c on c.indicator_id = r.indicator_id
)

select
    p.region_id, p.name_zh, p.name_en, p.tile_x, p.tile_y,
    c.indicator_id, y.map_year,
    i.name_zh as indicator_zh, i.name_en as indicator_en, i.unit_id as indicator_unit_id,
    r.observation_id, r.value, r.printed_value, r.printed_unit_id, r.qualifier, r.source_id
from provinces as p
left join chosen as c on true
left join map_years as y on true
left join indicators as i on i.plan_id = $plan_id and i.indicator_id = c.indicator_id
left join reported as r on r.region_id = p.region_id and r.indicator_id = c.indicator_id and r.year = y.map_year
-- One figure a tile: an exact one before a qualified one that holds it, then the later row (as the status).
qualify row_number() over (partition by p.region_id, y.map_year order by r.qualifier is null desc, r.source_row desc) = 1
order by y.map_year desc nulls last, p.tile_y nulls last, p.tile_x nulls last, p.source_row
