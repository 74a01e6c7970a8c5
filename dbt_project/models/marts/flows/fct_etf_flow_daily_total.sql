-- One row per US trading date and product: Farside's published Total beside the sum of the
-- fund rows of fct_etf_flow_daily, so users can see where the two disagree (rounding, late
-- revisions, funds Farside added to its Total before giving them a column).
with rows as (

    select * from {{ ref('int_etf_flow_rows') }}

),

publisher_totals as (

    select
        date,
        product,
        flow_usd as publisher_total_usd,
        market_open,
        source_id
    from rows
    where is_total

),

fund_sums as (

    select
        date,
        product,
        sum(flow_usd) as sum_of_funds_usd,
        count(flow_usd) as n_funds_reporting
    from rows
    where not is_total
    group by date, product

)

select
    publisher_totals.date,
    publisher_totals.product,
    publisher_totals.publisher_total_usd,
    case when publisher_totals.market_open then fund_sums.sum_of_funds_usd end as sum_of_funds_usd,
    publisher_totals.publisher_total_usd
    - case when publisher_totals.market_open then fund_sums.sum_of_funds_usd end
        as difference_usd,
    cast(coalesce(fund_sums.n_funds_reporting, 0) as integer) as n_funds_reporting,
    publisher_totals.market_open,
    publisher_totals.source_id
from publisher_totals
left join fund_sums
    on publisher_totals.date = fund_sums.date
    and publisher_totals.product = fund_sums.product
