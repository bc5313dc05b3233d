-- province_totals: one row per plan region x indicator x year for which provinces of that region
-- reported figures: the site's own sum over those provinces (a computed figure, never stored), how
-- many of the region's provinces it covers, which observations it adds up and how many of them
-- carry a qualifier.
-- A plan region is any region that provinces name as `member_of`; `parent_region_id` says which.
-- Parameters: $plan_id.
with members as (
    select member_of as parent_region_id, region_id
    from regions
    where plan_id = $plan_id and member_of is not null and kind = 'province'
),

member_count as (
    select parent_region_id, count(*) as region_members from members group by parent_region_id
),

-- One figure per province, indicator and year, as the status picks it (an exact one before a
-- qualified one that holds it, then the later row): the same figure found in two sources, or a
-- report's "about" beside the statistics' exact figure, is added once.
reported as (
    select o.*
    from observations as o
    where o.plan_id = $plan_id and o.kind = 'reported' and o.qualifier is distinct from 'expected'  -- never counted
    qualify row_number() over (partition by o.region_id, o.indicator_id, o.year
                               order by o.qualifier is null desc, o.source_row desc) = 1
)

select
    m.parent_region_id,
    o.indicator_id, o.year,
    sum(o.value * u.factor) as total_value,
    count(distinct o.region_id) as regions_reporting,
    mc.region_members,
    count(distinct o.region_id) = mc.region_members as complete,
    string_agg(o.observation_id, ' ' order by o.observation_id) as observation_ids,
    -- figures added that are approximate or bounds ("about", "more than"...): the sum is not exact
    count(o.qualifier) as qualified_parts
from reported as o
join members as m on m.region_id = o.region_id
join units as u on u.plan_id = o.plan_id and u.unit_id = o.unit_id
join member_count as mc on mc.parent_region_id = m.parent_region_id
-- Shares and rates do not add up across provinces: only additive dimensions are summed.
where u.dimension <> 'share'
group by m.parent_region_id, o.indicator_id, o.year, mc.region_members
order by m.parent_region_id, o.indicator_id, o.year
