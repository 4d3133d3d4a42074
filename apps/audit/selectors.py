from django.db import connection


def audit_partitions() -> list[str]:
    """Names of the log's partitions, oldest month first (the default one last)."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT child.relname FROM pg_inherits
            JOIN pg_class parent ON parent.oid = pg_inherits.inhparent
            JOIN pg_class child ON child.oid = pg_inherits.inhrelid
            WHERE parent.relname = 'audit_event'
            ORDER BY child.relname = 'audit_event_default', child.relname
            """
        )
        return [name for (name,) in cursor.fetchall()]
