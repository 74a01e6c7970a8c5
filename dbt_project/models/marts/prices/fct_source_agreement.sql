-- Source agreement per asset: one row per pair of sources of an asset with 2+ sources
-- (stitched primary parts included), from int_source_agreement.
with agreement as (

    select * from {{ ref('int_source_agreement') }}

)

select
    series_id as asset_id,
    reference_source_id,
    compared_source_id,
    pair_kind,
    cast(reference_bar_days as bigint) as reference_bar_days,
    reference_first_date,
    reference_last_date,
    cast(compared_bar_days as bigint) as compared_bar_days,
    compared_first_date,
    compared_last_date,
    cast(overlap_days as bigint) as overlap_days,
    first_overlap_date,
    last_overlap_date,
    cast(max_abs_rel_close_diff as {{ type_double() }}) as max_abs_rel_close_diff,
    cast(mean_abs_rel_close_diff as {{ type_double() }}) as mean_abs_rel_close_diff,
    cast(overlap_days_over_1pct as bigint) as overlap_days_over_1pct,
    cast(return_days as bigint) as return_days,
    cast(return_correlation as {{ type_double() }}) as return_correlation
from agreement
