"""The portal's two database roles, and what each may do.

- The **owner** (DATABASE_OWNER_ROLE, fusionops_owner) owns the database and every table:
  migrations run as it (DATABASE_ROLE=owner).
- The **runtime** role (DATABASE_RUNTIME_ROLE, fusionops_app) is what web, ws and worker
  connect as: it reads and writes the portal's tables, but on the append-only ones only
  reads and inserts (see eventlog's grants); it owns nothing, so it can neither change
  tables nor switch their triggers off, and it is no superuser, so it cannot set
  session_replication_role either.

`manage.py ensure_database` sets both up with a superuser's connection (DATABASE_ADMIN_URL).
"""

import psycopg
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import connections
from psycopg import sql

# A DDL guard: ALTER, DROP, DETACH or trigger changes on the append-only tables (audit_*)
# are refused unless the session says it is migrating (`fusionops.migrating`, set by the
# migrate command and by the partition function) and acts as the tables' owner. A
# superuser can still drop the guard: it stops mistakes and tools, not the cluster's root.
DDL_GUARD = """
CREATE OR REPLACE FUNCTION fusionops_guard_append_only_ddl() RETURNS event_trigger
LANGUAGE plpgsql AS $$
DECLARE
  target record;
  owner oid := (SELECT relowner FROM pg_class WHERE oid = to_regclass('public.audit_event'));
BEGIN
  IF current_setting('fusionops.migrating', true) = 'on'
     AND (owner IS NULL OR pg_has_role(current_user, owner, 'MEMBER')) THEN
    RETURN;
  END IF;
  IF TG_EVENT = 'sql_drop' THEN
    FOR target IN SELECT * FROM pg_event_trigger_dropped_objects() LOOP
      IF target.schema_name = 'public' AND target.object_name LIKE 'audit\\_%' THEN
        RAISE EXCEPTION 'the audit log is append-only: dropping % refused',
          target.object_identity USING ERRCODE = 'insufficient_privilege';
      END IF;
    END LOOP;
  ELSE
    FOR target IN SELECT * FROM pg_event_trigger_ddl_commands() LOOP
      IF target.schema_name = 'public' AND target.object_identity ~ '(^|[ .])audit_' THEN
        RAISE EXCEPTION 'the audit log is append-only: % on % refused',
          target.command_tag, target.object_identity USING ERRCODE = 'insufficient_privilege';
      END IF;
    END LOOP;
  END IF;
END $$;
DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_event_trigger WHERE evtname = 'fusionops_guard_ddl') THEN
    CREATE EVENT TRIGGER fusionops_guard_ddl ON ddl_command_end
      EXECUTE FUNCTION fusionops_guard_append_only_ddl();
  END IF;
  IF NOT EXISTS (SELECT 1 FROM pg_event_trigger WHERE evtname = 'fusionops_guard_drop') THEN
    CREATE EVENT TRIGGER fusionops_guard_drop ON sql_drop
      EXECUTE FUNCTION fusionops_guard_append_only_ddl();
  END IF;
END $$;
"""


def is_superuser(connection) -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
        return bool(cursor.fetchone()[0])


def ensure_roles(admin: psycopg.Connection, *, owner: str, runtime: str) -> list[str]:
    """Create the two roles if they are missing (a superuser's connection); returns those
    created. The runtime role may read pg_stat_activity and the cluster's identity, which
    the sealer needs (pg_monitor)."""
    created = []
    for role in (owner, runtime):
        exists = admin.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [role]).fetchone()
        if not exists:
            admin.execute(
                sql.SQL("CREATE ROLE {} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE").format(
                    sql.Identifier(role)
                )
            )
            created.append(role)
    admin.execute(sql.SQL("GRANT pg_monitor TO {}").format(sql.Identifier(runtime)))
    return created


def adopt_database(admin_in_database: psycopg.Connection, *, database: str, owner: str) -> int:
    """Make `owner` the owner of the database, its public schema and everything in it
    (a database migrated before the roles existed belongs to whoever migrated it), and
    install the DDL guard. Returns how many objects changed owner."""
    owner_id = sql.Identifier(owner)
    # Changing owners is DDL the guard (if installed already) lets through only so.
    admin_in_database.execute("SELECT set_config('fusionops.migrating', 'on', false)")
    admin_in_database.execute(
        sql.SQL("ALTER DATABASE {} OWNER TO {}").format(sql.Identifier(database), owner_id)
    )
    admin_in_database.execute(sql.SQL("ALTER SCHEMA public OWNER TO {}").format(owner_id))
    objects = admin_in_database.execute(
        """
        SELECT CASE c.relkind WHEN 'S' THEN 'SEQUENCE' WHEN 'v' THEN 'VIEW'
                              WHEN 'm' THEN 'MATERIALIZED VIEW' ELSE 'TABLE' END,
               c.relname
        FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p', 'S', 'v', 'm')
          AND c.relowner <> (SELECT oid FROM pg_roles WHERE rolname = %s)
          -- a table's own sequences follow it
          AND NOT (c.relkind = 'S' AND EXISTS (
              SELECT 1 FROM pg_depend d WHERE d.objid = c.oid AND d.deptype IN ('a', 'i')
          ))
        ORDER BY c.relkind = 'S'
        """,
        [owner],
    ).fetchall()
    functions = admin_in_database.execute(
        """
        SELECT p.oid::regprocedure::text FROM pg_proc p
        JOIN pg_namespace n ON n.oid = p.pronamespace
        WHERE n.nspname = 'public'
          AND p.proowner <> (SELECT oid FROM pg_roles WHERE rolname = %s)
        """,
        [owner],
    ).fetchall()
    for kind, name in objects:
        admin_in_database.execute(
            sql.SQL("ALTER {} {} OWNER TO {}").format(sql.SQL(kind), sql.Identifier(name), owner_id)
        )
    for (signature,) in functions:
        admin_in_database.execute(
            sql.SQL("ALTER FUNCTION {} OWNER TO {}").format(sql.SQL(signature), owner_id)
        )
    admin_in_database.execute(DDL_GUARD)
    return len(objects) + len(functions)


def grant_runtime_access(connection, *, runtime: str) -> None:
    """Give the runtime role the portal's tables to read and write, and its sequences (the
    owner runs this after every migration; apps with append-only tables take back what
    must not be done to them)."""
    connection.ensure_connection()
    role = sql.Identifier(runtime).as_string(connection.connection)
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [runtime])
        if cursor.fetchone() is None:
            return  # a database without the two roles (tests of the migrations themselves)
        cursor.execute(f"GRANT USAGE ON SCHEMA public TO {role}")
        cursor.execute(
            f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {role}"
        )
        cursor.execute(f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {role}")


def privileged_connection_problem(connection) -> str | None:
    """Why this connection is too powerful for serving the portal (a superuser, or the
    owner of its tables), or None."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT r.rolsuper, EXISTS (
                SELECT 1 FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                WHERE n.nspname = 'public' AND pg_has_role(current_user, c.relowner, 'MEMBER')
            )
            FROM pg_roles r WHERE r.rolname = current_user
            """
        )
        superuser, owner = cursor.fetchone()
    if superuser:
        return "it connects to the database as a superuser"
    if owner:
        return "it connects to the database as the owner of the portal's tables"
    return None


def refuse_privileged_connection() -> None:
    """Serving processes (web, ws, worker) call this at start: with
    DATABASE_REFUSE_PRIVILEGED (production), connected as a superuser or as the tables'
    owner, they do not start, so the portal can never switch its own audit protections
    off."""
    if not settings.DATABASE_REFUSE_PRIVILEGED or settings.DATABASE_ROLE == "owner":
        return
    connection = connections["default"]
    problem = privileged_connection_problem(connection)
    connection.close()
    if problem is not None:
        raise ImproperlyConfigured(
            f"Refusing to serve: {problem}. Connect as the runtime role "
            "(DATABASE_RUNTIME_ROLE); only migrations run as the owner (DATABASE_ROLE=owner)."
        )
