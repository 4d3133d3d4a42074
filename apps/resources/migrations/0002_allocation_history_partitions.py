"""The allocation history projection: partitioned by month on recorded_at, with a default
partition, and a function (run by the worker daily) that adds the coming months."""

from django.db import migrations

HISTORY = """
CREATE TABLE resources_allocation_history (
    event_id uuid NOT NULL,
    recorded_at timestamptz NOT NULL,
    allocation_id bigint NOT NULL,
    project_id bigint NOT NULL,
    resource_id bigint NOT NULL,
    starts_at timestamptz NOT NULL,
    ends_at timestamptz NOT NULL,
    status varchar(10) NOT NULL CHECK (status IN ('booked', 'cancelled')),
    actor varchar(150) NOT NULL DEFAULT '',
    PRIMARY KEY (event_id, recorded_at)
) PARTITION BY RANGE (recorded_at);
CREATE TABLE resources_allocation_history_default
    PARTITION OF resources_allocation_history DEFAULT;
CREATE INDEX resources_allocation_history_project_idx
    ON resources_allocation_history (project_id, recorded_at, event_id);
CREATE INDEX resources_allocation_history_allocation_idx
    ON resources_allocation_history (allocation_id);

CREATE FUNCTION resources_history_ensure_partitions(
    months integer,
    first_month date DEFAULT (now() AT TIME ZONE 'UTC')::date
) RETURNS integer LANGUAGE plpgsql AS $$
DECLARE
  month_start date;
  partition_name text;
  created integer := 0;
BEGIN
  FOR i IN 0 .. months - 1 LOOP
    month_start := (date_trunc('month', first_month) + make_interval(months => i))::date;
    partition_name := format('resources_allocation_history_%s', to_char(month_start, 'YYYY_MM'));
    IF to_regclass(partition_name) IS NULL THEN
      EXECUTE format(
        'CREATE TABLE %I PARTITION OF resources_allocation_history FOR VALUES FROM (%L) TO (%L)',
        partition_name,
        month_start::timestamp AT TIME ZONE 'UTC',
        (month_start + interval '1 month')::timestamp AT TIME ZONE 'UTC'
      );
      created := created + 1;
    END IF;
  END LOOP;
  RETURN created;
END $$;
SELECT resources_history_ensure_partitions(12);
"""

DROP = """
DROP TABLE IF EXISTS resources_allocation_history;
DROP FUNCTION IF EXISTS resources_history_ensure_partitions(integer, date);
"""


class Migration(migrations.Migration):
    dependencies = [("resources", "0001_initial")]

    operations = [migrations.RunSQL(HISTORY, DROP)]
