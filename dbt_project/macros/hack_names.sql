{#- Names of hack records for matching (int_hack_source_records and the alias seed share them).
    hack_name_cleaned: lower case with the words hack(s), hacked, exploit(s), exploited,
    exploiter, rekt, protocol, finance, exchange and 'the' blanked out.
    hack_normalised_name: that, without any character other than a-z and 0-9, so 'ByBit - Rekt'
    and 'Bybit' both give 'bybit'. -#}
{% macro hack_name_cleaned(expression) -%}
    {{ regexp_replace_all(
        "lower(coalesce(" ~ expression ~ ", ''))",
        '\\b(hacks?|hacked|exploits?|exploited|exploiter|rekt|protocol|finance|exchange|the)\\b',
        ' '
    ) }}
{%- endmacro %}

{% macro hack_normalised_name(expression) -%}
    {{ regexp_replace_all(hack_name_cleaned(expression), '[^a-z0-9]', '') }}
{%- endmacro %}
