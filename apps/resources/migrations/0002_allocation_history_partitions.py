"""The allocation history projection: partitioned by month on recorded_at, with a default
partition, and a function (run by the worker daily) that adds the coming months."""

from django.db import migrations

from apps.platform.partitions import monthly_partitions_function

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

"""
HISTORY += monthly_partitions_function(
    function="resources_history_ensure_partitions", table="resources_allocation_history"
)
HISTORY += """
SELECT resources_history_ensure_partitions(12);
"""

DROP = """
DROP TABLE IF EXISTS resources_allocation_history;
DROP FUNCTION IF EXISTS resources_history_ensure_partitions(integer, date);
"""


class Migration(migrations.Migration):
    dependencies = [("resources", "0001_initial")]

    operations = [migrations.RunSQL(HISTORY, DROP)]
