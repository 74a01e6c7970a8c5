-- Every candidate pair with its exclusion reason (null = included). The first failing check wins.
with day0_row as (

    select study_id, event_id, asset_id, actual_return, benchmark_return
    from {{ ref('int_es_window_rows') }}
    where relative_day = 0

)

select
    p.study_id,
    p.event_id,
    p.asset_id,
    p.model,
    p.benchmark_asset_id,
    d.day0_idx,
    d.day0_date,
    case
        when p.setup_problem is not null then p.setup_problem
        when d.day0_idx is null then 'event outside the data'
        when r.actual_return is null then 'no price on day 0'
        when p.model in ('market_adjusted', 'market_model') and r.benchmark_return is null
            then 'no benchmark return on day 0'
        when coalesce(f.n_estimation_days, 0) < p.min_estimation_days
            or f.n_estimation_days - p.n_model_params < 1 then 'too few estimation days'
        when p.model = 'market_model' and f.s_xx = 0 then 'constant benchmark'
        when f.sigma2 = 0 then 'constant returns'
    end as reason,
    f.n_estimation_days,
    p.min_estimation_days
from {{ ref('int_es_pairs') }} as p
left join {{ ref('int_es_pair_day0') }} as d using (study_id, event_id, asset_id)
left join day0_row as r using (study_id, event_id, asset_id)
left join {{ ref('int_es_model_fit') }} as f using (study_id, event_id, asset_id)
