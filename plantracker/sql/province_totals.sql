-- province_totals: one row per indicator x year for which provinces of a plan region reported
-- figures: the site's own sum over those provinces (a computed figure, never stored), how many of
-- the region's provinces it covers, and which observations it adds up.
-- Parameters: $plan_id, $region_id (the plan region). Provinces are the member regions of kind 'province'.
with members as (
    select region_id from regions
    where plan_id = $plan_id and member_of = $region_id and kind = 'province'
),

member_count as (
    select count(*) as region_members from members
)

select
    o.indicator_id, o.year,
    sum(o.value * u.factor) as total_value,
    count(distinct o.region_id) as regions_reporting,
    mc.region_members,
    count(distinct o.region_id) = mc.region_members as complete,
    string_agg(o.observation_id, ' ' order by o.observation_id) as observation_ids
from observations as o
join members as m on m.region_id = o.region_id
join units as u on u.plan_id = o.plan_id and u.unit_id = o.unit_id
cross join member_count as mc
-- Shares and rates do not add up across provinces: only additive dimensions are summed.
where o.plan_id = $plan_id and o.kind = 'reported' and u.dimension <> 'share'
group by o.indicator_id, o.year, mc.region_members
order by o.indicator_id, o.year
