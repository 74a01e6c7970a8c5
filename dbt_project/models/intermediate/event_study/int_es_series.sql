-- One row per series: a study and an asset its asset list reaches without a set-up problem
-- (int_es_study_asset_setup: whether or not an event pairs them), with the study's parameters
-- and the benchmark it uses (the study's, else the asset's catalog one).
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
from {{ ref('int_es_study_asset_setup') }} as s
inner join {{ ref('stg_es_studies') }} as st on s.study_id = st.study_id
inner join {{ ref('int_es_assets') }} as d on s.asset_id = d.asset_id
where s.series_id is not null
