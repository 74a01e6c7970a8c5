-- Sessions of each asset's own calendar between its first and last price, numbered (the
-- relative-day clock), with their open and close instants, the close, and the simple and log
-- return from the LAST AVAILABLE price (multi-day over gaps, never zero-filled). Sessions
-- without a price have null returns; so has the first priced session (no previous close). Flow
-- series (int_es_flow_values) come in the `close` column; only positive values have returns.
-- Every asset a study can name (int_es_assets), not only those of the studies: the model reads
-- no event and no study, so a change to those does not rebuild it, and a build runs it beside
-- the first event-study models.
with prices as (

    select p.asset_id, p.trade_date, p.close
    from {{ ref('fct_daily_prices') }} as p
    where p.close > 0
    union all
    -- flow series (any sign): a study reads the value itself (returns: level), not a return
    select v.asset_id, v.trade_date, v.value
    from {{ ref('int_es_flow_values') }} as v

),

bounds as (

    select asset_id, min(trade_date) as first_date, max(trade_date) as last_date
    from prices
    group by asset_id

),

sessions as (

    select d.asset_id, s.session_date, s.open_utc, s.close_utc
    from {{ ref('int_es_assets') }} as d
    inner join bounds on d.asset_id = bounds.asset_id
    inner join {{ ref('stg_trading_sessions') }} as s
        on d.calendar = s.calendar
        and s.session_date between bounds.first_date and bounds.last_date

),

priced as (

    select
        sessions.asset_id,
        sessions.session_date,
        sessions.open_utc,
        sessions.close_utc,
        prices.close,
        row_number() over (
            partition by sessions.asset_id order by sessions.session_date
        ) as session_idx
    from sessions
    left join prices
        on sessions.asset_id = prices.asset_id and sessions.session_date = prices.trade_date

),

with_prev as (

    select
        *,
        {{ last_value_ignore_nulls('case when close is not null then close end') }} over w
            as prev_close,
        {{ last_value_ignore_nulls('case when close is not null then close_utc end') }} over w
            as prev_close_utc
    from priced
    window w as (
        partition by asset_id order by session_idx
        rows between unbounded preceding and 1 preceding
    )

)

select
    asset_id,
    session_idx,
    session_date,
    open_utc,
    close_utc,
    close,
    prev_close,
    prev_close_utc,
    case when close > 0 and prev_close > 0 then close / prev_close - 1 end as simple_return,
    case when close > 0 and prev_close > 0 then ln(close / prev_close) end as log_return
from with_prev
