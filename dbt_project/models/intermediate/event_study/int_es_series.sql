-- One row per series: a study and one of its assets, for pairs without a set-up problem, with
-- the study's parameters and the benchmark it uses (the study's, else the asset's catalog one).
with series as (

    select distinct series_id, study_id, asset_id
    from {{ ref('int_es_pairs') }}
    where series_id is not null

)

select
    s.series_id,
    s.study_id,
    s.asset_id,
    st.model,
    st.return_type,
    st.anchor,
    st.estimation_start,
    st.estimation_end,
    st.min_estimation_days,
    st.n_model_params,
    d.calendar,
    coalesce(st.benchmark_asset_id, d.benchmark_asset_id) as benchmark_asset_id
from series as s
inner join {{ ref('stg_es_studies') }} as st on s.study_id = st.study_id
inner join {{ ref('int_es_assets') }} as d on s.asset_id = d.asset_id
