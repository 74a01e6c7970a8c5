-- Findings about one asset's move on the DeepSeek day (deepseek_nvda_selloff,
-- deepseek_nasdaq_selloff): the market-model abnormal return on day 0 of the event study named
-- in seed finding_parameters (fct_abnormal_returns); SAR is t(L - K) distributed (K = 2 for the
-- market model, 1 mean-adjusted; L from fct_event_model_fit), p two-sided.
-- Verdict (macro finding_verdict): AR < 0 and p < p_crit.
with params as (

    select
        claim_id,
        max(value) filter (where parameter = 'claim') as claim,
        max(value) filter (where parameter = 'claim_kind') as claim_kind,
        max(value) filter (where parameter = 'study_id') as study_id,
        max(value) filter (where parameter = 'event_id') as event_id,
        max(value) filter (where parameter = 'asset_id') as asset_id
    from {{ ref('finding_parameters') }}
    where claim_id in ('deepseek_nvda_selloff', 'deepseek_nasdaq_selloff')
    group by claim_id

),

day0 as (

    select
        p.*,
        {{ finding_param('all', 'p_crit') }} as p_crit,
        a.trade_date,
        a.actual_return,
        a.abnormal_return,
        a.standardized_abnormal_return as sar,
        f.n_estimation_days - case f.model
            when 'market_model' then 2 when 'mean_adjusted' then 1 else 0
        end as df,
        q.actual_return as qqq_return,
        e.event_date
    from params as p
    left join {{ ref('dim_event') }} as e
        on p.event_id = e.event_id
    left join {{ ref('fct_abnormal_returns') }} as a
        on p.study_id = a.study_id
        and p.event_id = a.event_id
        and p.asset_id = a.asset_id
        and a.relative_day = 0
    left join {{ ref('fct_event_model_fit') }} as f
        on p.study_id = f.study_id
        and p.event_id = f.event_id
        and p.asset_id = f.asset_id
    left join {{ ref('fct_abnormal_returns') }} as q
        on p.study_id = q.study_id
        and p.event_id = q.event_id
        and q.asset_id = 'qqq'
        and q.relative_day = 0

)

select
    claim_id,
    claim,
    upper(asset_id)
    || case when asset_id = 'ndx' then ' (Nasdaq-100)' else '' end
    || ' simple return on day 0 ('
    || coalesce(cast(trade_date as {{ dbt.type_string() }}), 'no data') || ', '
    || event_id || ')' as metric,
    coalesce(trade_date, event_date) as period_start,
    coalesce(trade_date, event_date) as period_end,
    actual_return as value,
    {{ finding_verdict(
        'abnormal_return is not null and sar is not null',
        'abnormal_return < 0',
        't_two_sided_p(sar, df) < p_crit',
        'claim_kind'
    ) }} as verdict,
    'Market-model abnormal return on day 0 (S&P 500 benchmark, estimation [-250, -11]); '
    || 'SAR ~ t(L - 2)' as test,
    'SAR' as statistic_name,
    sar as statistic,
    t_two_sided_p(sar, df) as p_value,
    p_crit as threshold,
    'AR < 0 and p < ' || {{ format_g('p_crit') }} as decision_rule,
    {{ sql_text("marts.fct_abnormal_returns where study_id = '") }}
    || study_id || {{ sql_text("' and event_id = '") }}
    || event_id || {{ sql_text("' and asset_id = '") }}
    || asset_id || {{ sql_text("' and relative_day = 0; L from ") }}
    || 'marts.fct_event_model_fit' as evidence,
    'AR = ' || coalesce({{ format_fixed('abnormal_return', 4) }}, 'n/a') || ', SAR = '
    || coalesce({{ format_fixed('sar', 2) }}, 'n/a') || ', df = '
    || coalesce(cast(df as {{ dbt.type_string() }}), 'n/a')
    || case
        when asset_id = 'ndx'
            then ', QQQ return = ' || coalesce({{ format_fixed('qqq_return', 4) }}, 'n/a')
            || '. The article quotes futures in the Asian morning; the warehouse has '
            || 'cash-index closes (no futures, no intraday).'
        else '. Close-to-close adjusted prices; the dollar loss of market value is not computed '
            || '(no share counts in the warehouse).'
    end as note
from day0
