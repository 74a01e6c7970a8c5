{#-
    Portable SQL: every construct the two engines spell differently, behind adapter.dispatch
    (DuckDB and Spark implementations; README, "Growing past one machine"). Regular expressions
    are written once, as DuckDB/RE2 and Java read them alike: on Spark, string literals keep their
    backslashes as DuckDB's do (spark.sql.parser.escapedStringLiterals, spark_session.py). A
    pattern passed as a Jinja string doubles its backslashes ('\\b'): Jinja unescapes them.
-#}

{#- Days from `start` to `end` (end - start), both dates. -#}
{% macro date_diff_days(start, end) -%}
    {{ return(adapter.dispatch('date_diff_days', 'event_study_warehouse')(start, end)) }}
{%- endmacro %}
{% macro default__date_diff_days(start, end) -%}
    date_diff('day', {{ start }}, {{ end }})
{%- endmacro %}
{% macro spark__date_diff_days(start, end) -%}
    datediff({{ end }}, {{ start }})
{%- endmacro %}

{#- A date plus `n` whole years (29 February goes to 28 February). -#}
{% macro add_years(date, n) -%}
    {{ return(adapter.dispatch('add_years', 'event_study_warehouse')(date, n)) }}
{%- endmacro %}
{% macro default__add_years(date, n) -%}
    cast({{ date }} + interval ({{ n }}) year as date)
{%- endmacro %}
{% macro spark__add_years(date, n) -%}
    add_months({{ date }}, 12 * ({{ n }}))
{%- endmacro %}

{#- A date plus `n` days (n may be negative or an expression). -#}
{% macro add_days(date, n) -%}
    {{ return(adapter.dispatch('add_days', 'event_study_warehouse')(date, n)) }}
{%- endmacro %}
{% macro default__add_days(date, n) -%}
    cast({{ date }} + cast({{ n }} as integer) as date)
{%- endmacro %}
{% macro spark__add_days(date, n) -%}
    date_add({{ date }}, cast({{ n }} as int))
{%- endmacro %}

{#- The integers start, start + 1, ..., stop - 1 as a list (empty when stop <= start), as
    DuckDB's range(start, stop); unnest it with unnest_list. -#}
{% macro int_range(start, stop) -%}
    {{ return(adapter.dispatch('int_range', 'event_study_warehouse')(start, stop)) }}
{%- endmacro %}
{% macro default__int_range(start, stop) -%}
    range({{ start }}, {{ stop }})
{%- endmacro %}
{% macro spark__int_range(start, stop) -%}
    if(({{ stop }}) > ({{ start }}), sequence({{ start }}, ({{ stop }}) - 1), array())
{%- endmacro %}

{#- One row per element of a list, in a select list (NULL or empty lists give no row). -#}
{% macro unnest_list(list) -%}
    {{ return(adapter.dispatch('unnest_list', 'event_study_warehouse')(list)) }}
{%- endmacro %}
{% macro default__unnest_list(list) -%}
    unnest({{ list }})
{%- endmacro %}
{% macro spark__unnest_list(list) -%}
    explode({{ list }})
{%- endmacro %}

{#- One row per element of a list with its position, in a select list: columns `value_alias`
    and `position_alias` (positions order the elements; DuckDB counts from 1, Spark from 0). -#}
{% macro unnest_with_position(list, value_alias, position_alias) -%}
    {{ return(adapter.dispatch('unnest_with_position', 'event_study_warehouse')(list, value_alias, position_alias)) }}
{%- endmacro %}
{% macro default__unnest_with_position(list, value_alias, position_alias) -%}
    unnest({{ list }}) as {{ value_alias }}, generate_subscripts({{ list }}, 1) as {{ position_alias }}
{%- endmacro %}
{% macro spark__unnest_with_position(list, value_alias, position_alias) -%}
    posexplode({{ list }}) as ({{ position_alias }}, {{ value_alias }})
{%- endmacro %}

{#- Aggregate: the values of `expression` as a list ordered by `order_by` (comma-separated
    columns, ascending), NULLs kept; only the rows where `where` holds, when given. NULL when no
    row qualifies (DuckDB's list(); Spark's collect_list would give an empty list). -#}
{% macro list_agg(expression, order_by, where=none) -%}
    {{ return(adapter.dispatch('list_agg', 'event_study_warehouse')(expression, order_by, where)) }}
{%- endmacro %}
{% macro default__list_agg(expression, order_by, where) -%}
    list({{ expression }} order by {{ order_by }}){% if where %} filter (where {{ where }}){% endif %}
{%- endmacro %}
{% macro spark__list_agg(expression, order_by, where) -%}
    {%- set keys = [] -%}
    {%- for key in order_by.split(',') -%}
        {%- do keys.append("'k" ~ loop.index ~ "', " ~ key.strip()) -%}
    {%- endfor -%}
    {%- set item = "named_struct(" ~ keys | join(', ') ~ ", 'v', " ~ expression ~ ")" -%}
    {%- if where -%}
    case when count(case when {{ where }} then 1 end) > 0 then
        transform(array_sort(collect_list(case when {{ where }} then {{ item }} end)), x -> x.v)
    end
    {%- else -%}
    transform(array_sort(collect_list({{ item }})), x -> x.v)
    {%- endif -%}
{%- endmacro %}

{#- The number of elements of a list (NULL for NULL). -#}
{% macro list_length(list) -%}
    {{ return(adapter.dispatch('list_length', 'event_study_warehouse')(list)) }}
{%- endmacro %}
{% macro default__list_length(list) -%}
    len({{ list }})
{%- endmacro %}
{% macro spark__list_length(list) -%}
    if({{ list }} is null, null, size({{ list }}))
{%- endmacro %}

{#- Aggregate: the distinct non-null strings of `expression` joined by `delimiter`, sorted. -#}
{% macro string_agg_distinct(expression, delimiter) -%}
    {{ return(adapter.dispatch('string_agg_distinct', 'event_study_warehouse')(expression, delimiter)) }}
{%- endmacro %}
{% macro default__string_agg_distinct(expression, delimiter) -%}
    string_agg(distinct {{ expression }}, '{{ delimiter }}' order by {{ expression }})
{%- endmacro %}
{% macro spark__string_agg_distinct(expression, delimiter) -%}
    nullif(array_join(array_sort(collect_set({{ expression }})), '{{ delimiter }}'), '')
{%- endmacro %}

{#- The elements of a list for which `lambda` (x -> condition) holds. -#}
{% macro list_filter(list, lambda) -%}
    {{ return(adapter.dispatch('list_filter', 'event_study_warehouse')(list, lambda)) }}
{%- endmacro %}
{% macro default__list_filter(list, lambda) -%}
    list_filter({{ list }}, {{ lambda }})
{%- endmacro %}
{% macro spark__list_filter(list, lambda) -%}
    filter({{ list }}, {{ lambda }})
{%- endmacro %}

{#- Element `i` of a list, counting from 1; NULL when there is none. -#}
{% macro list_element(list, i) -%}
    {{ return(adapter.dispatch('list_element', 'event_study_warehouse')(list, i)) }}
{%- endmacro %}
{% macro default__list_element(list, i) -%}
    ({{ list }})[{{ i }}]
{%- endmacro %}
{% macro spark__list_element(list, i) -%}
    try_element_at({{ list }}, {{ i }})
{%- endmacro %}

{#- 1-based position of `value` in a list; NULL when absent (as DuckDB's list_position). -#}
{% macro list_position(list, value) -%}
    {{ return(adapter.dispatch('list_position', 'event_study_warehouse')(list, value)) }}
{%- endmacro %}
{% macro default__list_position(list, value) -%}
    list_position({{ list }}, {{ value }})
{%- endmacro %}
{% macro spark__list_position(list, value) -%}
    nullif(array_position({{ list }}, {{ value }}), 0)
{%- endmacro %}

{#- A list of strings joined by `delimiter` (NULL elements skipped). -#}
{% macro list_join(list, delimiter) -%}
    {{ return(adapter.dispatch('list_join', 'event_study_warehouse')(list, delimiter)) }}
{%- endmacro %}
{% macro default__list_join(list, delimiter) -%}
    array_to_string({{ list }}, '{{ delimiter }}')
{%- endmacro %}
{% macro spark__list_join(list, delimiter) -%}
    array_join({{ list }}, '{{ delimiter }}')
{%- endmacro %}

{#- A string split at every match of a regular expression, as a list. -#}
{% macro regexp_split(expression, pattern) -%}
    {{ return(adapter.dispatch('regexp_split', 'event_study_warehouse')(expression, pattern)) }}
{%- endmacro %}
{% macro default__regexp_split(expression, pattern) -%}
    regexp_split_to_array({{ expression }}, '{{ pattern }}')
{%- endmacro %}
{% macro spark__regexp_split(expression, pattern) -%}
    split({{ expression }}, '{{ pattern }}')
{%- endmacro %}

{#- Whether a regular expression matches anywhere in a string. -#}
{% macro regexp_contains(expression, pattern) -%}
    {{ return(adapter.dispatch('regexp_contains', 'event_study_warehouse')(expression, pattern)) }}
{%- endmacro %}
{% macro default__regexp_contains(expression, pattern) -%}
    regexp_matches({{ expression }}, {{ pattern }})
{%- endmacro %}
{% macro spark__regexp_contains(expression, pattern) -%}
    regexp_like({{ expression }}, {{ pattern }})
{%- endmacro %}

{#- Every match of a regular expression replaced; case_insensitive adds DuckDB's 'i' flag. -#}
{% macro regexp_replace_all(expression, pattern, replacement, case_insensitive=false) -%}
    {{ return(adapter.dispatch('regexp_replace_all', 'event_study_warehouse')(expression, pattern, replacement, case_insensitive)) }}
{%- endmacro %}
{% macro default__regexp_replace_all(expression, pattern, replacement, case_insensitive) -%}
    regexp_replace({{ expression }}, '{{ pattern }}', '{{ replacement }}', '{{ "gi" if case_insensitive else "g" }}')
{%- endmacro %}
{% macro spark__regexp_replace_all(expression, pattern, replacement, case_insensitive) -%}
    regexp_replace({{ expression }}, '{{ "(?i)" if case_insensitive else "" }}{{ pattern }}', '{{ replacement }}')
{%- endmacro %}

{#- Aggregate: `value` of the row with the smallest `ordering` (DuckDB arg_min, Spark min_by). -#}
{% macro arg_min(value, ordering) -%}
    {{ return(adapter.dispatch('arg_min', 'event_study_warehouse')(value, ordering)) }}
{%- endmacro %}
{% macro default__arg_min(value, ordering) -%}
    arg_min({{ value }}, {{ ordering }})
{%- endmacro %}
{% macro spark__arg_min(value, ordering) -%}
    min_by({{ value }}, {{ ordering }})
{%- endmacro %}

{% macro arg_max(value, ordering) -%}
    {{ return(adapter.dispatch('arg_max', 'event_study_warehouse')(value, ordering)) }}
{%- endmacro %}
{% macro default__arg_max(value, ordering) -%}
    arg_max({{ value }}, {{ ordering }})
{%- endmacro %}
{% macro spark__arg_max(value, ordering) -%}
    max_by({{ value }}, {{ ordering }})
{%- endmacro %}

{#- 1-based position of `value` among the literal strings `items` (a Jinja list), NULL when it is
    not one of them: a CASE, the same on every engine (DuckDB's list_position over a literal). -#}
{% macro position_in(value, items) -%}
    case {{ value }}
    {%- for item in items %} when '{{ item }}' then {{ loop.index }}{% endfor %} end
{%- endmacro %}

{#- The name of a function both engines have under different names, same arguments: DuckDB's
    name in, the adapter's out (for calls whose arguments hold Jinja or quotes). -#}
{% macro sql_function(name) -%}
    {{ return(adapter.dispatch('sql_function', 'event_study_warehouse')(name)) }}
{%- endmacro %}
{% macro default__sql_function(name) -%}
    {{ name }}
{%- endmacro %}
{% macro spark__sql_function(name) -%}
    {{ {'arg_min': 'min_by', 'arg_max': 'max_by', 'len': 'size', 'list_filter': 'filter',
        'array_to_string': 'array_join', 'regexp_matches': 'regexp_like',
        'list_distinct': 'array_distinct', 'list_contains': 'array_contains',
        'list_value': 'array'}.get(name, name) }}
{%- endmacro %}

{#- ISO day of the week: Monday 1 ... Sunday 7. -#}
{% macro iso_weekday(date) -%}
    {{ return(adapter.dispatch('iso_weekday', 'event_study_warehouse')(date)) }}
{%- endmacro %}
{% macro default__iso_weekday(date) -%}
    isodow({{ date }})
{%- endmacro %}
{% macro spark__iso_weekday(date) -%}
    (weekday({{ date }}) + 1)
{%- endmacro %}

{#- Common table expression(s) `name` (key, reached_key): every node of `nodes` (a relation with
    column `key`) with every node it reaches through `edges` (from_key, to_key), itself included:
    the transitive closure, for connected components (group by key, min(reached_key)). Goes in a
    `with recursive` clause. DuckDB's recursive UNION drops repeated rows, so cycles end; Spark's
    recursive CTEs take UNION ALL only, so there each row carries its path and never revisits a
    node (the simple paths of the small components matched here). -#}
{% macro reachability(name, key, nodes, edges) -%}
    {{ return(adapter.dispatch('reachability', 'event_study_warehouse')(name, key, nodes, edges)) }}
{%- endmacro %}
{% macro default__reachability(name, key, nodes, edges) -%}
{{ name }} ({{ key }}, reached_key) as (

    select {{ key }}, {{ key }} from {{ nodes }}
    union
    select {{ name }}.{{ key }}, {{ edges }}.to_key
    from {{ name }}
    inner join {{ edges }}
        on {{ name }}.reached_key = {{ edges }}.from_key

)
{%- endmacro %}
{% macro spark__reachability(name, key, nodes, edges) -%}
{{ name }}_paths ({{ key }}, reached_key, path) as (

    select {{ key }}, {{ key }}, array({{ key }}) from {{ nodes }}
    union all
    select p.{{ key }}, e.to_key, concat(p.path, array(e.to_key))
    from {{ name }}_paths as p
    inner join {{ edges }} as e
        on p.reached_key = e.from_key
    where not array_contains(p.path, e.to_key)

),

{{ name }} as (

    select distinct {{ key }}, reached_key from {{ name }}_paths

)
{%- endmacro %}

{#- `expression` without the trailing characters `chars` (a SQL string literal). -#}
{% macro rtrim_chars(expression, chars) -%}
    {{ return(adapter.dispatch('rtrim_chars', 'event_study_warehouse')(expression, chars)) }}
{%- endmacro %}
{% macro default__rtrim_chars(expression, chars) -%}
    rtrim({{ expression }}, {{ chars }})
{%- endmacro %}
{% macro spark__rtrim_chars(expression, chars) -%}
    trim(trailing {{ chars }} from {{ expression }})
{%- endmacro %}

{#- A double as DuckDB writes it as text (shortest form: 55000000.0, 1234.56), for keys hashed
    from amounts. Spark's own cast writes 5.5E7; there the number goes through decimal(38, 10),
    so both engines agree for amounts of up to 10 decimals below 1e15 (money, not physics). -#}
{% macro double_to_text(expression) -%}
    {{ return(adapter.dispatch('double_to_text', 'event_study_warehouse')(expression)) }}
{%- endmacro %}
{% macro default__double_to_text(expression) -%}
    cast({{ expression }} as {{ dbt.type_string() }})
{%- endmacro %}
{% macro spark__double_to_text(expression) -%}
    case
        when {{ expression }} = 0 then '0.0'
        else regexp_replace(
            regexp_replace(cast(cast({{ expression }} as decimal(38, 10)) as string), '0+$', ''),
            '[.]$', '.0'
        )
    end
{%- endmacro %}
