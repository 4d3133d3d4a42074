"""The reports' materialized views (built at once: they can be read before their first
refresh), each with the unique index REFRESH ... CONCURRENTLY needs, and the function that
refreshes them: the runtime role owns nothing (it cannot refresh a view itself), so the
function runs as the views' owner (SECURITY DEFINER, a fixed search_path) and refreshes
only these views."""

from django.db import migrations

VIEWS = """
CREATE MATERIALIZED VIEW reports_resource_utilisation AS
SELECT d.day::date || ':' || r.kind AS key,
       d.day::date AS day,
       r.kind,
       round(sum(extract(epoch FROM upper(a.period * tstzrange(d.day, d.day + interval '1 day'))
                                  - lower(a.period * tstzrange(d.day, d.day + interval '1 day')))
             ) / 3600, 2)::numeric(14, 2) AS booked_hours,
       count(DISTINCT a.resource_id)::integer AS resources_booked,
       k.resources::integer AS resources,
       round(sum(extract(epoch FROM upper(a.period * tstzrange(d.day, d.day + interval '1 day'))
                                  - lower(a.period * tstzrange(d.day, d.day + interval '1 day')))
             ) / 3600 / (greatest(k.resources, 1) * 24), 4)::numeric(7, 4) AS utilisation
FROM resources_allocation a
JOIN resources_resource r ON r.id = a.resource_id
JOIN (SELECT kind, count(*) AS resources FROM resources_resource WHERE active GROUP BY kind) k
  ON k.kind = r.kind
CROSS JOIN LATERAL generate_series(
    date_trunc('day', lower(a.period), 'UTC'),
    upper(a.period) - interval '1 microsecond',
    interval '1 day'
) AS d(day)
WHERE a.status = 'booked'
GROUP BY d.day, r.kind, k.resources
WITH DATA;
CREATE UNIQUE INDEX reports_resource_utilisation_key ON reports_resource_utilisation (key);
CREATE INDEX reports_resource_utilisation_day ON reports_resource_utilisation (day, kind);

CREATE MATERIALIZED VIEW reports_stock_daily AS
SELECT (m.created_at AT TIME ZONE 'UTC')::date || ':' || m.item_id || ':' || m.location_id AS key,
       (m.created_at AT TIME ZONE 'UTC')::date AS day,
       m.item_id,
       m.location_id,
       count(*)::integer AS movements,
       sum(greatest(m.on_hand_delta, 0))::numeric(14, 3) AS quantity_in,
       sum(greatest(-m.on_hand_delta, 0))::numeric(14, 3) AS quantity_out,
       (array_agg(m.on_hand_after ORDER BY m.id DESC))[1]::numeric(14, 3) AS on_hand_at_close,
       ((array_agg(m.on_hand_after ORDER BY m.id DESC))[1] * i.unit_price)::numeric(16, 2)
           AS value_at_close
FROM inventory_stockmovement m
JOIN inventory_item i ON i.id = m.item_id
GROUP BY 2, m.item_id, m.location_id, i.unit_price
WITH DATA;
CREATE UNIQUE INDEX reports_stock_daily_key ON reports_stock_daily (key);
CREATE INDEX reports_stock_daily_day ON reports_stock_daily (day, item_id, location_id);

CREATE MATERIALIZED VIEW reports_order_throughput AS
SELECT date_trunc('hour', o.created_at, 'UTC') AS hour,
       count(*)::integer AS placed,
       count(*) FILTER (WHERE o.status = 'fulfilled')::integer AS fulfilled,
       count(*) FILTER (WHERE o.status = 'rejected')::integer AS rejected,
       count(*) FILTER (WHERE o.status = 'cancelled')::integer AS cancelled,
       count(*) FILTER (WHERE o.status NOT IN ('fulfilled', 'rejected', 'cancelled'))::integer
           AS in_progress,
       avg(extract(epoch FROM o.updated_at - o.created_at))
           FILTER (WHERE o.status = 'fulfilled')::double precision AS seconds_to_fulfil
FROM orders_order o
GROUP BY 1
WITH DATA;
CREATE UNIQUE INDEX reports_order_throughput_hour ON reports_order_throughput (hour);

CREATE FUNCTION reports_refresh(report text) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
  IF report NOT IN ('reports_resource_utilisation', 'reports_stock_daily',
                    'reports_order_throughput') THEN
    RAISE EXCEPTION 'no report %', report USING ERRCODE = 'invalid_parameter_value';
  END IF;
  -- CONCURRENTLY (readers are never blocked) needs a populated view: the first time, not.
  IF (SELECT ispopulated FROM pg_matviews WHERE matviewname = report) THEN
    EXECUTE format('REFRESH MATERIALIZED VIEW CONCURRENTLY %I', report);
  ELSE
    EXECUTE format('REFRESH MATERIALIZED VIEW %I', report);
  END IF;
END $$;
"""

DROP = """
DROP FUNCTION IF EXISTS reports_refresh(text);
DROP MATERIALIZED VIEW IF EXISTS reports_order_throughput;
DROP MATERIALIZED VIEW IF EXISTS reports_stock_daily;
DROP MATERIALIZED VIEW IF EXISTS reports_resource_utilisation;
"""


class Migration(migrations.Migration):
    dependencies = [
        ("reports", "0001_reports"),
        ("resources", "0003_roles"),
        ("inventory", "0003_roles"),
        ("orders", "0004_every_order_roles"),
    ]

    operations = [migrations.RunSQL(VIEWS, DROP)]
