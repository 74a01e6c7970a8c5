-- Normal-return model per pair on its estimation window: L days on which the asset's return
-- (and, for market models, the benchmark's) exist. Means first, then centred sums (two passes).
with est as (

    select w.study_id, w.event_id, w.asset_id, w.model, w.trade_date,
        w.actual_return as r, w.benchmark_return as rm
    from {{ ref('int_es_window_rows') }} as w
    where w.in_estimation
        and w.actual_return is not null
        and (w.benchmark_return is not null or w.model in ('raw', 'mean_adjusted'))

),

means as (

    select study_id, event_id, asset_id,
        count(*) as n_estimation_days,
        avg(r) as mean_r,
        avg(rm) as mean_m,
        min(trade_date) as estimation_start_date,
        max(trade_date) as estimation_end_date
    from est group by all

),

sums as (

    select est.study_id, est.event_id, est.asset_id,
        sum((est.rm - m.mean_m) * (est.rm - m.mean_m)) as s_xx,
        sum((est.rm - m.mean_m) * (est.r - m.mean_r)) as s_xy,
        sum((est.r - m.mean_r) * (est.r - m.mean_r)) as s_yy
    from est inner join means as m using (study_id, event_id, asset_id)
    group by all

),

coef as (

    select m.*, s.s_xx, s.s_xy, s.s_yy, p.model, p.n_model_params,
        case p.model
            when 'raw' then 0.0
            when 'mean_adjusted' then m.mean_r
            when 'market_adjusted' then 0.0
            else m.mean_r - (s.s_xy / nullif(s.s_xx, 0)) * m.mean_m
        end as alpha,
        case p.model
            when 'market_adjusted' then 1.0
            when 'market_model' then s.s_xy / nullif(s.s_xx, 0)
        end as beta
    from means as m
    inner join sums as s using (study_id, event_id, asset_id)
    inner join {{ ref('int_es_pairs') }} as p using (study_id, event_id, asset_id)

),

resid as (

    select est.study_id, est.event_id, est.asset_id,
        sum(power(est.r - (c.alpha + coalesce(c.beta, 0.0) * coalesce(est.rm, 0.0)), 2)) as sse
    from est inner join coef as c using (study_id, event_id, asset_id)
    group by all

)

select
    c.study_id, c.event_id, c.asset_id, c.model, c.n_model_params,
    c.n_estimation_days, c.estimation_start_date, c.estimation_end_date,
    c.mean_r, c.mean_m, c.s_xx, c.s_xy, c.s_yy,
    c.alpha, c.beta,
    r.sse / nullif(c.n_estimation_days - c.n_model_params, 0) as sigma2,
    sqrt(r.sse / nullif(c.n_estimation_days - c.n_model_params, 0)) as sigma,
    case when c.model = 'market_model'
        then c.s_xy * c.s_xy / nullif(c.s_xx * c.s_yy, 0) end as r_squared
from coef as c inner join resid as r using (study_id, event_id, asset_id)
