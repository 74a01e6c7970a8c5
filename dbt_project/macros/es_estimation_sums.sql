{#-
    int_es_estimation_sums for the series whose series_id has the given parity ('even' or
    'odd'). One row per session of each study asset (a "series": the asset's returns with the
    study's return type, benchmark and model), with the sums over the estimation window [T0, T1]
    of a day 0 at that session: every pair's model fit is then one lookup, at the cost of the
    data and not of pairs x days. The window is cut to the data (rows before the first session or after
    the last do not exist), and only days the model can use count (ok: a return, and for market
    models a benchmark return).
    Sums are of deviations from the series' own full-history fit (ref_*), so that centring a
    window (S_xx = sum dx^2 - (sum dx)^2 / L, ...) loses no digits and the residual sum of squares
    C_ee - C_ex^2 / S_xx stays exact even when R^2 is near 1 (SPY on the S&P 500). The window
    functions' segment trees add within the window only, so a long history costs no precision.
    Two models, int_es_estimation_sums_even and int_es_estimation_sums_odd, take one half each,
    at the same time on dbt's two threads: the window aggregates are the chain's longest step
    with nothing else to run beside it. int_es_estimation_sums is their union. Each series lies
    in one half, so every row is what one model over all series computed.
-#}
{% macro es_estimation_sums(parity) %}
with returns as (

    select
        s.series_id, s.study_id, s.asset_id, s.model, s.estimation_start, s.estimation_end,
        r.session_idx, r.session_date,
        case s.return_type
            when 'log' then r.log_return
            when 'level' then r.close
            else r.simple_return
        end as y,
        case s.return_type
            when 'log' then r.benchmark_log_return
            else r.benchmark_simple_return
        end as x
    from {{ ref('int_es_series') }} as s
    inner join {{ ref('int_es_pair_returns') }} as r
        on s.asset_id = r.asset_id
        and s.benchmark_asset_id is not distinct from r.benchmark_asset_id
    where {{ has_parity('s.series_id', parity) }}

),

usable as (

    select
        *,
        y is not null and (x is not null or model in ('raw', 'mean_adjusted')) as ok,
        model in ('market_adjusted', 'market_model') as uses_benchmark
    from returns

),

ref_means as (

    select series_id, avg(y) as mean_y, avg(x) as mean_x
    from usable
    where ok
    group by series_id

),

ref_fit as (

    select
        u.series_id,
        any_value(m.mean_x) as ref_mean_x,
        case any_value(u.model)
            when 'market_model'
                then coalesce(
                    sum((u.x - m.mean_x) * (u.y - m.mean_y))
                    / nullif(sum(power(u.x - m.mean_x, 2)), 0),
                    0
                )
            when 'market_adjusted' then 1.0
            else 0.0
        end as ref_beta,
        any_value(m.mean_y) as mean_y
    from usable as u inner join ref_means as m using (series_id)
    where u.ok
    group by u.series_id

),

deviations as (

    select
        u.*,
        f.ref_mean_x,
        f.ref_beta,
        case u.model
            when 'market_model' then f.mean_y - f.ref_beta * f.ref_mean_x
            when 'mean_adjusted' then f.mean_y
            else 0.0
        end as ref_alpha,
        case when u.ok and u.uses_benchmark then u.x end as xb,
        case when u.ok and u.uses_benchmark then u.x - f.ref_mean_x end as dx,
        case when u.ok and u.model = 'market_adjusted' then u.y - u.x when u.ok then u.y end as chk
    from usable as u
    left join ref_fit as f using (series_id)

),

residuals as (

    select *, case when ok then y - ref_alpha - ref_beta * coalesce(x, 0.0) end as e
    from deviations

)

{#- the window [T0, T1] around each session: bounds from the study (macros in
    portable_event_study.sql: a named window on DuckDB, one window per study bounds on Spark) -#}
{%- set frame = ['estimation', 'series_id', 'session_idx', 'estimation_start', 'estimation_end',
    ref('stg_es_studies')] -%}
-- no study, asset or model: int_es_series has them by series_id, and each string column
-- written here is checkpointed again on every rebuild of the two halves
select
    series_id, session_idx, session_date,
    y as actual_return,
    x as benchmark_return,
    ref_alpha, ref_beta, ref_mean_x,
    {{ over_column_frame('count(e)', *frame) }} as n_estimation_days,
    {{ over_column_frame('min(case when ok then session_date end)', *frame) }}
        as estimation_start_date,
    {{ over_column_frame('max(case when ok then session_date end)', *frame) }}
        as estimation_end_date,
    {{ over_column_frame('sum(dx)', *frame) }} as sum_dx,
    {{ over_column_frame('sum(dx * dx)', *frame) }} as sum_dx2,
    {{ over_column_frame('sum(e)', *frame) }} as sum_e,
    {{ over_column_frame('sum(e * e)', *frame) }} as sum_e2,
    {{ over_column_frame('sum(e * dx)', *frame) }} as sum_edx,
    {{ over_column_frame('min(xb)', *frame) }} = {{ over_column_frame('max(xb)', *frame) }}
        as constant_benchmark,
    {{ over_column_frame('min(chk)', *frame) }} = {{ over_column_frame('max(chk)', *frame) }}
    and (
        model in ('mean_adjusted', 'market_model')
        or {{ over_column_frame('max(chk)', *frame) }} = 0
    ) as constant_returns
from residuals
-- the frame offsets are columns, which DuckDB allows and sqlfluff's DuckDB grammar cannot parse
{{ column_frame_window(*frame[:5]) }}  -- noqa: PRS
{% endmacro %}
