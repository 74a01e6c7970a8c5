{#-
    Portable SQL of the event-study models (adapter.dispatch; README, "Growing past one
    machine"). The DuckDB implementations render the SQL those models had before the port.
-#}

{#- Each row of `left` with the columns `columns` (a list of names) of its as-of match in
    `right`: the row of `right` with the same key whose time is
      match = 'at_or_before': the latest at or before the left row's time;
      match = 'after':        the earliest strictly after it;
    NULLs when there is none (a NULL key or time matches nothing). `left` and `right` name
    relations or parenthesised subqueries. DuckDB: an ASOF LEFT JOIN. Spark has none: there the
    left rows' distinct (key, time) and the right rows form one timeline per key, sorted by time,
    and the match is the last right row met in a running window (ascending for at_or_before,
    descending for after; at equal times the right row comes first, or last), joined back. -#}
{% macro asof_join(left, left_key, left_time, right, right_key, right_time, columns, match) -%}
    {{ return(adapter.dispatch('asof_join', 'event_study_warehouse')(left, left_key, left_time, right, right_key, right_time, columns, match)) }}
{%- endmacro %}
{% macro default__asof_join(left, left_key, left_time, right, right_key, right_time, columns, match) -%}
    select l.*{% for c in columns %}, r.{{ c }}{% endfor %}
    from {{ left }} as l
    asof left join {{ right }} as r
        on l.{{ left_key }} = r.{{ right_key }}
        and l.{{ left_time }} {{ '>=' if match == 'at_or_before' else '<' }} r.{{ right_time }}
{%- endmacro %}
{% macro spark__asof_join(left, left_key, left_time, right, right_key, right_time, columns, match) -%}
    {%- set direction = 'asc' if match == 'at_or_before' else 'desc' -%}
    select l.*{% for c in columns %}, m.asof_match.{{ c }} as {{ c }}{% endfor %}
    from {{ left }} as l
    left join (
        select asof_key, asof_time, asof_match
        from (
            select
                asof_key, asof_time, asof_side,
                last(case when asof_side = 0 then named_struct(
                    {%- for c in columns %}'{{ c }}', {{ c }}{% if not loop.last %}, {% endif %}{% endfor -%}
                ) end, true) over (
                    partition by asof_key
                    order by asof_time {{ direction }}, asof_side {{ direction }}
                    rows between unbounded preceding and current row
                ) as asof_match
            from (
                select distinct 1 as asof_side, {{ left_key }} as asof_key, {{ left_time }} as asof_time
                    {%- for c in columns %}, null as {{ c }}{% endfor %}
                from {{ left }}
                where {{ left_key }} is not null and {{ left_time }} is not null
                union all
                select 0, {{ right_key }}, {{ right_time }}{% for c in columns %}, {{ c }}{% endfor %}
                from {{ right }}
                where {{ right_time }} is not null
            ) as asof_timeline
        ) as asof_matched
        where asof_side = 1
    ) as m
        on l.{{ left_key }} = m.asof_key and l.{{ left_time }} = m.asof_time
{%- endmacro %}

{#- last_value(expression) over a window, NULLs skipped (followed by `over ...`). -#}
{% macro last_value_ignore_nulls(expression) -%}
    {{ return(adapter.dispatch('last_value_ignore_nulls', 'event_study_warehouse')(expression)) }}
{%- endmacro %}
{% macro default__last_value_ignore_nulls(expression) -%}
    last_value({{ expression }} ignore nulls)
{%- endmacro %}
{% macro spark__last_value_ignore_nulls(expression) -%}
    last_value({{ expression }}, true)
{%- endmacro %}

{#- `expression` without the leading and trailing characters `chars` (a SQL string literal). -#}
{% macro trim_chars(expression, chars) -%}
    {{ return(adapter.dispatch('trim_chars', 'event_study_warehouse')(expression, chars)) }}
{%- endmacro %}
{% macro default__trim_chars(expression, chars) -%}
    trim({{ expression }}, {{ chars }})
{%- endmacro %}
{% macro spark__trim_chars(expression, chars) -%}
    trim(both {{ chars }} from {{ expression }})
{%- endmacro %}

{#- A date as text, by a DuckDB strftime format (the formats the models use, translated for
    Spark's date_format; English month names on both). -#}
{% macro format_date(date, format) -%}
    {{ return(adapter.dispatch('format_date', 'event_study_warehouse')(date, format)) }}
{%- endmacro %}
{% macro default__format_date(date, format) -%}
    strftime({{ date }}, '{{ format }}')
{%- endmacro %}
{% macro spark__format_date(date, format) -%}
    {%- set patterns = {'%Y%m%d': 'yyyyMMdd', '%B %Y': 'MMMM yyyy', '%Y-%m-%d': 'yyyy-MM-dd'} -%}
    {%- if format not in patterns -%}
        {{ exceptions.raise_compiler_error("format_date: no Spark pattern for " ~ format) }}
    {%- endif -%}
    date_format({{ date }}, '{{ patterns[format] }}')
{%- endmacro %}

{#- A number as C's printf('%g') writes it (DuckDB's printf): 6 significant digits, trailing
    zeros dropped, exponent form below 1e-4 and from 1e6 (Java's %g keeps the zeros). -#}
{% macro format_g(expression) -%}
    {{ return(adapter.dispatch('format_g', 'event_study_warehouse')(expression)) }}
{%- endmacro %}
{% macro default__format_g(expression) -%}
    printf('%g', {{ expression }})
{%- endmacro %}
{% macro spark__format_g(expression) -%}
    {#- the exponent after rounding to 6 digits, from Java's %e (which rounds as C's does) -#}
    {%- set x = 'cast(' ~ expression ~ ' as double)' -%}
    {%- set e = "cast(substring_index(format_string('%.5e', " ~ x ~ "), 'e', -1) as int)" -%}
    case
        when {{ x }} is null then null
        when {{ x }} = 0 then '0'
        when {{ e }} < -4 or {{ e }} >= 6 then
            regexp_replace(substring_index(format_string('%.5e', {{ x }}), 'e', 1), '\.?0+$', '')
            || 'e' || substring_index(format_string('%.5e', {{ x }}), 'e', -1)
        else regexp_replace(
            format_string(concat('%.', cast(5 - {{ e }} as string), 'f'), {{ x }}),
            '(\.[0-9]*[1-9])0+$|\.0+$', '$1')
    end
{%- endmacro %}

{#- A number with `digits` decimals, as printf('%.<digits>f') (NULL stays NULL). -#}
{% macro format_fixed(expression, digits) -%}
    {{ return(adapter.dispatch('format_fixed', 'event_study_warehouse')(expression, digits)) }}
{%- endmacro %}
{% macro default__format_fixed(expression, digits) -%}
    printf('%.{{ digits }}f', {{ expression }})
{%- endmacro %}
{% macro spark__format_fixed(expression, digits) -%}
    case when ({{ expression }}) is not null then format_string('%.{{ digits }}f', {{ expression }}) end
{%- endmacro %}

{#- Aggregate: the strings of `expression` joined by `delimiter`, ordered by `order_by`. -#}
{% macro string_agg_ordered(expression, delimiter, order_by) -%}
    {{ return(adapter.dispatch('string_agg_ordered', 'event_study_warehouse')(expression, delimiter, order_by)) }}
{%- endmacro %}
{% macro default__string_agg_ordered(expression, delimiter, order_by) -%}
    string_agg({{ expression }}, '{{ delimiter }}' order by {{ order_by }})
{%- endmacro %}
{% macro spark__string_agg_ordered(expression, delimiter, order_by) -%}
    nullif(array_join({{ list_agg(expression, order_by) }}, '{{ delimiter }}'), '')
{%- endmacro %}

{#- A string split at a literal delimiter, each part trimmed, as a list. -#}
{% macro split_trimmed(expression, delimiter) -%}
    {{ return(adapter.dispatch('split_trimmed', 'event_study_warehouse')(expression, delimiter)) }}
{%- endmacro %}
{% macro default__split_trimmed(expression, delimiter) -%}
    list_transform(string_split({{ expression }}, '{{ delimiter }}'), asset -> trim(asset))
{%- endmacro %}
{% macro spark__split_trimmed(expression, delimiter) -%}
    transform(split({{ expression }}, '{{ delimiter }}'), part -> trim(part))
{%- endmacro %}

{#- `aggregate` over doubles fed in the order of `order_by` (a key unique within the group), so
    that the last bit does not depend on the order the rows reach it in: with one DuckDB thread
    they mostly come in one order, but DuckDB does not promise it (two builds of the same inputs
    handed int_es_unit_cars' rows to fct_event_study_summary in two orders, and its CAARs
    differed in the 16th digit). Spark: the plain aggregate (it adds in its partitions' order). -#}
{% macro in_order(aggregate, expression, order_by) -%}
    {{ return(adapter.dispatch('in_order', 'event_study_warehouse')(aggregate, expression, order_by)) }}
{%- endmacro %}
{% macro default__in_order(aggregate, expression, order_by) -%}
    {{ aggregate }}({{ expression }} order by {{ order_by }})
{%- endmacro %}
{% macro spark__in_order(aggregate, expression, order_by) -%}
    {{ aggregate }}({{ expression }})
{%- endmacro %}

{#- Aggregate: the values of `expression` as a list, in no particular order (two such lists in
    one aggregate are in the same order; NULLs: DuckDB keeps them, Spark drops them). -#}
{% macro list_unordered(expression) -%}
    {{ return(adapter.dispatch('list_unordered', 'event_study_warehouse')(expression)) }}
{%- endmacro %}
{% macro default__list_unordered(expression) -%}
    list({{ expression }})
{%- endmacro %}
{% macro spark__list_unordered(expression) -%}
    collect_list({{ expression }})
{%- endmacro %}

{#- A moving window whose ROWS frame comes from two integer columns of the row, constant within
    a partition (a study's estimation window [start, end] relative to the current row):
    `over_column_frame(expression, ...)` in the select list, `column_frame_window(...)` after
    the FROM/WHERE. DuckDB takes column bounds (a named window). Spark takes only literal
    bounds, so there each distinct (start, end) of `frames_relation` (read at run time) gets
    its own window and the row takes the one of its own bounds. -#}
{% macro over_column_frame(expression, name, partition_by, order_by, start_column, end_column, frames_relation) -%}
    {{ return(adapter.dispatch('over_column_frame', 'event_study_warehouse')(expression, name, partition_by, order_by, start_column, end_column, frames_relation)) }}
{%- endmacro %}
{% macro default__over_column_frame(expression, name, partition_by, order_by, start_column, end_column, frames_relation) -%}
    {{ expression }} over {{ name }}
{%- endmacro %}
{% macro spark__over_column_frame(expression, name, partition_by, order_by, start_column, end_column, frames_relation) -%}
    {%- set frames = [] -%}
    {%- if execute -%}
        {%- set rows = run_query('select distinct ' ~ start_column ~ ', ' ~ end_column ~ ' from ' ~ frames_relation ~ ' order by 1, 2') -%}
        {%- for row in rows -%}{%- do frames.append((row[0] | int, row[1] | int)) -%}{%- endfor -%}
    {%- endif -%}
    {%- if frames -%}
    case
        {%- for start, end in frames %}
        when {{ start_column }} = {{ start }} and {{ end_column }} = {{ end }} then {{ expression }} over (
            partition by {{ partition_by }} order by {{ order_by }}
            rows between {{ frame_bound(start) }} and {{ frame_bound(end) }})
        {%- endfor %}
    end
    {%- else -%}
    cast(null as double)
    {%- endif -%}
{%- endmacro %}
{% macro frame_bound(offset) -%}
    {%- if offset < 0 -%}{{ -offset }} preceding{%- elif offset > 0 -%}{{ offset }} following{%- else -%}current row{%- endif -%}
{%- endmacro %}

{% macro column_frame_window(name, partition_by, order_by, start_column, end_column) -%}
    {{ return(adapter.dispatch('column_frame_window', 'event_study_warehouse')(name, partition_by, order_by, start_column, end_column)) }}
{%- endmacro %}
{% macro default__column_frame_window(name, partition_by, order_by, start_column, end_column) -%}
window {{ name }} as (
    partition by {{ partition_by }} order by {{ order_by }}
    rows between (- {{ start_column }}) preceding and {{ end_column }} following
)
{%- endmacro %}
{% macro spark__column_frame_window(name, partition_by, order_by, start_column, end_column) -%}
{%- endmacro %}

{#- A string literal of `text`, which may hold apostrophes. DuckDB: the SQL literal, each
    apostrophe doubled. Spark keeps a literal's text raw (escapedStringLiterals, so that
    regular expressions read as on DuckDB), '' included: there the apostrophes are chr(39). -#}
{% macro sql_text(text) -%}
    {{ return(adapter.dispatch('sql_text', 'event_study_warehouse')(text)) }}
{%- endmacro %}
{% macro default__sql_text(text) -%}
    '{{ text.replace("'", "''") }}'
{%- endmacro %}
{% macro spark__sql_text(text) -%}
    {%- set parts = [] -%}
    {%- for part in text.split("'") -%}{%- do parts.append("'" ~ part ~ "'") -%}{%- endfor -%}
    ({{ parts | join(' || chr(39) || ') }})
{%- endmacro %}

{#- True when the integer `expression` has the given parity ('even' or 'odd'). DuckDB spells it
    even(x) = x: a filter it pushes through a view's joins down to the scan of x's table, where
    it keeps x % 2 = 0 above them and computes the whole view first. -#}
{% macro has_parity(expression, parity) -%}
    {{ return(adapter.dispatch('has_parity', 'event_study_warehouse')(expression, parity)) }}
{%- endmacro %}
{% macro default__has_parity(expression, parity) -%}
    even({{ expression }}) {{ '=' if parity == 'even' else '<>' }} {{ expression }}
{%- endmacro %}
{% macro spark__has_parity(expression, parity) -%}
    {{ expression }} % 2 = {{ 0 if parity == 'even' else 1 }}
{%- endmacro %}
