"""Monthly range partitions (UTC months) of a table partitioned on a timestamp, for the
migrations of tables that grow forever (the event log, history projections)."""


def monthly_partitions_function(
    *,
    function: str,
    table: str,
    truncate_guard: str | None = None,
    as_migration: bool = False,
) -> str:
    """SQL that creates (or replaces) `function(months, first_month)`: it creates the
    monthly partitions of `table` from `first_month` (this month by default) on, and
    returns how many it created. TRUNCATE triggers do not reach partitions from their
    parent: with a `truncate_guard` (a trigger function), each new partition gets one of
    its own. `as_migration`: it says it is migrating while it creates them, which the DDL
    guard of append-only tables lets the tables' owner do (platform.db_roles)."""
    declare, start, end = (
        (
            "\n  previous text;",
            "\n  previous := current_setting('fusionops.migrating', true);"
            "\n  PERFORM set_config('fusionops.migrating', 'on', true);",
            "\n  PERFORM set_config('fusionops.migrating', coalesce(previous, 'off'), true);",
        )
        if as_migration
        else ("", "", "")
    )
    guard = (
        f"""
      EXECUTE format(
        'CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON %I '
        'FOR EACH STATEMENT EXECUTE FUNCTION {truncate_guard}()',
        partition_name
      );"""
        if truncate_guard
        else ""
    )
    return f"""
CREATE OR REPLACE FUNCTION {function}(
    months integer,
    first_month date DEFAULT (now() AT TIME ZONE 'UTC')::date
) RETURNS integer LANGUAGE plpgsql AS $$
DECLARE
  month_start date;
  partition_name text;
  created integer := 0;{declare}
BEGIN{start}
  FOR i IN 0 .. months - 1 LOOP
    month_start := (date_trunc('month', first_month) + make_interval(months => i))::date;
    partition_name := format('{table}_%s', to_char(month_start, 'YYYY_MM'));
    IF to_regclass(partition_name) IS NULL THEN
      EXECUTE format(
        'CREATE TABLE %I PARTITION OF {table} FOR VALUES FROM (%L) TO (%L)',
        partition_name,
        month_start::timestamp AT TIME ZONE 'UTC',
        (month_start + interval '1 month')::timestamp AT TIME ZONE 'UTC'
      );{guard}
      created := created + 1;
    END IF;
  END LOOP;{end}
  RETURN created;
END $$;
"""  # noqa: S608  table and function names come from migrations, not from input
