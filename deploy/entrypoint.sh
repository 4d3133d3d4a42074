#!/bin/sh
# Every process of the portal, by name: the image's entry point and the Procfile's.
#   web      gunicorn: all HTTP (the API, the admin, health)
#   ws       uvicorn: websockets only (/ws/), and its own health checks
#   worker   the relay: outbox deliveries, sealing, live updates, periodic jobs
#   migrate  set up (with DATABASE_ADMIN_URL), migrate as the owner, ensure partitions;
#            never loads demo data
#   manage   any manage.py command: `manage issue_token alice`
#   await-migrations  wait until the database has every migration of this image (an
#            init container: a new release's pods start only after its migrate job)
#   alive    the worker's liveness probe: its heartbeat file is fresh
#   keys DIR make SECRET_KEY and the audit log's first signing key into DIR, once
# NAME_FILE (SECRET_KEY_FILE, AUDIT_SIGNING_KEYS_FILE, DATABASE_URL_FILE,
# DATABASE_DIRECT_URL_FILE) reads NAME from a file, for secrets mounted as files.
# Each is exec'd, so it receives SIGTERM itself and stops gracefully.
set -eu

for name in SECRET_KEY AUDIT_SIGNING_KEYS DATABASE_URL DATABASE_DIRECT_URL; do
  eval "file=\${${name}_FILE:-}"
  if [ -n "$file" ] && [ -z "$(eval "echo \${${name}:-}")" ]; then
    if [ ! -r "$file" ]; then
      echo "${name}_FILE names $file, which cannot be read." >&2
      exit 1
    fi
    value="$(cat "$file")"
    export "$name=$value"
  fi
done

process="${1:-web}"
[ "$#" -gt 0 ] && shift

# What needs a database session of its own (the worker: LISTEN, advisory locks, the
# sealer; migrate) connects directly when DATABASE_URL is a transaction-pooling PgBouncer.
direct_connection() {
  if [ -n "${DATABASE_DIRECT_URL:-}" ]; then
    export DATABASE_URL="$DATABASE_DIRECT_URL" DATABASE_TRANSACTION_POOLING=false
  fi
}

# Each process serves its metrics on a port of its own (9100, 9101, 9102 unless
# METRICS_PORT says otherwise); only gunicorn adds up files of several processes. Traces
# (when OTEL_EXPORTER_OTLP_ENDPOINT is set) name the process as their service.
case "$process" in
  web)
    export METRICS_PORT="${METRICS_PORT:-9100}"
    export OTEL_SERVICE_NAME="${OTEL_SERVICE_NAME:-fusionops-web}"
    exec gunicorn fusionops.wsgi --config deploy/gunicorn.conf.py "$@"
    ;;
  ws)
    export METRICS_PORT="${METRICS_PORT:-9101}"
    export OTEL_SERVICE_NAME="${OTEL_SERVICE_NAME:-fusionops-ws}"
    unset PROMETHEUS_MULTIPROC_DIR
    exec uvicorn fusionops.asgi:application --host "${HOST:-127.0.0.1}" \
      --port "${WS_PORT:-8001}" --ws websockets-sansio --lifespan off --no-access-log \
      --timeout-graceful-shutdown "${WS_GRACEFUL_TIMEOUT:-20}" "$@"
    ;;
  worker)
    direct_connection
    export METRICS_PORT="${METRICS_PORT:-9102}"
    export OTEL_SERVICE_NAME="${OTEL_SERVICE_NAME:-fusionops-worker}"
    unset PROMETHEUS_MULTIPROC_DIR
    exec python manage.py run_worker "$@"
    ;;
  migrate)
    direct_connection
    if [ -n "${DATABASE_ADMIN_URL:-}" ]; then
      python manage.py ensure_database
    fi
    export DATABASE_ROLE=owner
    python manage.py migrate --noinput
    exec python manage.py ensure_audit_partitions
    ;;
  manage)
    exec python manage.py "$@"
    ;;
  await-migrations)
    waited=0
    until python manage.py migrate --check >/dev/null 2>&1; do
      if [ "$waited" -ge "${MIGRATIONS_WAIT_SECONDS:-600}" ]; then
        echo "Migrations of this release are still not applied after ${waited}s." >&2
        exit 1
      fi
      sleep 5
      waited=$((waited + 5))
    done
    ;;
  keys)
    dir="${1:?keys: name the directory}"
    umask 077
    if [ ! -s "$dir/secret_key" ]; then
      python -c 'import secrets; print(secrets.token_urlsafe(64))' > "$dir/secret_key"
      echo "Made $dir/secret_key"
    fi
    if [ ! -s "$dir/audit_signing_keys" ]; then
      KEY_ID="${AUDIT_SIGNING_KEY_ID:-1}" python -c \
        'import json, os, secrets; print(json.dumps({os.environ["KEY_ID"]: secrets.token_urlsafe(48)}))' \
        > "$dir/audit_signing_keys"
      echo "Made $dir/audit_signing_keys"
    fi
    ;;
  alive)
    beat="${WORKER_HEARTBEAT_FILE:?WORKER_HEARTBEAT_FILE is not set}"
    [ -f "$beat" ] || exit 1
    age=$(($(date +%s) - $(stat -c %Y "$beat")))
    [ "$age" -lt "${WORKER_HEARTBEAT_MAX_AGE_SECONDS:-60}" ]
    ;;
  *)
    echo "Unknown process '$process': web, ws, worker, migrate, manage," \
      "await-migrations, alive or keys." >&2
    exit 64
    ;;
esac
