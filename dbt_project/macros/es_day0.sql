{#-
    Day 0 of events on an asset's own calendar, from its sessions' real open and close instants
    (int_es_asset_sessions), by the study's anchor:
      next     = the first session whose close is after the event instant;
      previous = the last session whose open is at or before it: the session in progress at the
                 event or, when the market is closed then, the last session before it.
    So the two differ only when the market is closed at the event. `events` names a relation or
    CTE with asset_id, anchor (next or previous) and event_time_utc; the result is each of its
    rows with the day-0 session's session_idx and session_date (null when no session qualifies).
    DuckDB: ASOF joins; Spark has none: macro asof_join.
-#}
{% macro es_day0(events, sessions) -%}
    {{ return(adapter.dispatch('es_day0', 'event_study_warehouse')(events, sessions)) }}
{%- endmacro %}
{% macro default__es_day0(events, sessions) %}
    select e.*, s.session_idx, s.session_date
    from {{ events }} as e
    asof left join {{ sessions }} as s
        on e.asset_id = s.asset_id and e.event_time_utc < s.close_utc
    where e.anchor = 'next'
    union all
    select e.*, s.session_idx, s.session_date
    from {{ events }} as e
    asof left join {{ sessions }} as s
        on e.asset_id = s.asset_id and e.event_time_utc >= s.open_utc
    where e.anchor = 'previous'
{% endmacro %}
{% macro spark__es_day0(events, sessions) %}
    {{ asof_join('(select * from ' ~ events ~ " where anchor = 'next')", 'asset_id', 'event_time_utc',
        sessions, 'asset_id', 'close_utc', ['session_idx', 'session_date'], 'after') }}
    union all
    {{ asof_join('(select * from ' ~ events ~ " where anchor = 'previous')", 'asset_id', 'event_time_utc',
        sessions, 'asset_id', 'open_utc', ['session_idx', 'session_date'], 'at_or_before') }}
{% endmacro %}
