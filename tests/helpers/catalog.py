"""Read the catalog of a live schema into the JSON shape of the pre-consolidation reference.

Every section maps a key to a list of strings:

- ``tables``: table name -> its storage options (``reloptions``), usually empty;
- ``columns``: ``table.column`` -> [data type (with the length of character types), nullable
  (``YES``/``NO``), default expression or ``""``, identity generation or ``""``];
- ``constraints``: ``table.constraint`` -> [contype letter, ``pg_get_constraintdef``];
- ``indexes``: index name -> [definition, table name not schema-qualified];
- ``enums``: type name -> [labels in declaration order, comma-separated];
- ``functions``: ``name(identity arguments)`` -> [result type]; extension members excluded;
- ``triggers``: ``table.trigger`` -> [definition, table name not schema-qualified];
- ``views``: view name -> [``column type`` pairs, comma-separated, in column order];
- ``privileges``: ``table grantee`` -> [privileges, sorted, comma-separated]; tables and views
  only, the owner's own privileges excluded;
- ``sequences``: sequence name -> [data type].

Reading happens with ``search_path`` reduced to ``pg_catalog``, so names from the schema show
qualified inside expressions (``nextval('attune.pack_id_seq'::regclass)``), as in the reference.
"""

from __future__ import annotations

import json

from loader.database.conn import Conn

Catalog = dict[str, dict[str, list[str]]]

# Each query returns rows of (key text, values text[]) for the schema named %(schema)s.
SECTION_QUERIES: dict[str, str] = {
    "tables": """
        SELECT c.relname, coalesce(c.reloptions, '{}')
          FROM pg_class c
         WHERE c.relnamespace = %(schema)s::regnamespace AND c.relkind IN ('r', 'p')
    """,
    "columns": """
        SELECT c.table_name || '.' || c.column_name,
               ARRAY[
                   c.data_type || coalesce('(' || c.character_maximum_length || ')', ''),
                   c.is_nullable::text,
                   coalesce(c.column_default, ''),
                   coalesce(c.identity_generation, '')
               ]
          FROM information_schema.columns c
          JOIN information_schema.tables t USING (table_schema, table_name)
         WHERE c.table_schema = %(schema)s AND t.table_type = 'BASE TABLE'
    """,
    "constraints": """
        SELECT cl.relname || '.' || con.conname,
               ARRAY[con.contype::text, pg_get_constraintdef(con.oid)]
          FROM pg_constraint con
          JOIN pg_class cl ON cl.oid = con.conrelid
         WHERE con.connamespace = %(schema)s::regnamespace
    """,
    "indexes": """
        SELECT i.indexname,
               ARRAY[replace(
                   i.indexdef,
                   ' ON ' || quote_ident(i.schemaname) || '.' || quote_ident(i.tablename) || ' ',
                   ' ON ' || quote_ident(i.tablename) || ' '
               )]
          FROM pg_indexes i
         WHERE i.schemaname = %(schema)s
    """,
    "enums": """
        SELECT t.typname, ARRAY[string_agg(e.enumlabel, ',' ORDER BY e.enumsortorder)]
          FROM pg_type t
          JOIN pg_enum e ON e.enumtypid = t.oid
         WHERE t.typnamespace = %(schema)s::regnamespace
         GROUP BY t.typname
    """,
    "functions": """
        SELECT p.proname || '(' || pg_get_function_identity_arguments(p.oid) || ')',
               ARRAY[pg_get_function_result(p.oid)]
          FROM pg_proc p
         WHERE p.pronamespace = %(schema)s::regnamespace
           AND NOT EXISTS (
               SELECT FROM pg_depend d
                WHERE d.classid = 'pg_proc'::regclass AND d.objid = p.oid AND d.deptype = 'e'
           )
    """,
    "triggers": """
        SELECT cl.relname || '.' || t.tgname,
               ARRAY[replace(
                   pg_get_triggerdef(t.oid),
                   ' ON ' || quote_ident(%(schema)s) || '.' || quote_ident(cl.relname) || ' ',
                   ' ON ' || quote_ident(cl.relname) || ' '
               )]
          FROM pg_trigger t
          JOIN pg_class cl ON cl.oid = t.tgrelid
         WHERE cl.relnamespace = %(schema)s::regnamespace AND NOT t.tgisinternal
    """,
    "views": """
        SELECT c.table_name,
               ARRAY[string_agg(c.column_name || ' ' || c.data_type, ', '
                                ORDER BY c.ordinal_position)]
          FROM information_schema.columns c
          JOIN information_schema.views v USING (table_schema, table_name)
         WHERE c.table_schema = %(schema)s
         GROUP BY c.table_name
    """,
    "privileges": """
        SELECT c.relname || ' ' || coalesce(r.rolname, 'PUBLIC'),
               ARRAY[string_agg(a.privilege_type, ',' ORDER BY a.privilege_type)]
          FROM pg_class c
         CROSS JOIN LATERAL aclexplode(c.relacl) a
          LEFT JOIN pg_roles r ON r.oid = a.grantee
         WHERE c.relnamespace = %(schema)s::regnamespace
           AND c.relkind IN ('r', 'p', 'v', 'f')
           AND a.grantee <> c.relowner
         GROUP BY c.relname, r.rolname
    """,
    "sequences": """
        SELECT s.sequence_name, ARRAY[s.data_type::text]
          FROM information_schema.sequences s
         WHERE s.sequence_schema = %(schema)s
    """,
}


def read_section(conn: Conn, section: str, schema: str) -> dict[str, list[str]]:
    """Return one section of the catalog, keys sorted."""
    rows = conn.execute(SECTION_QUERIES[section], {"schema": schema}).fetchall()
    return {str(key): [str(value) for value in values] for key, values in sorted(rows)}


def read_catalog(conn: Conn, schema: str = "attune") -> Catalog:
    """Return every section of the catalog of ``schema``."""
    with conn.transaction():
        conn.execute("SET LOCAL search_path = pg_catalog")
        return {section: read_section(conn, section, schema) for section in sorted(SECTION_QUERIES)}


def dump_catalog(catalog: Catalog) -> str:
    """Serialize a catalog the way the reference file is written."""
    return json.dumps(catalog, indent=1, sort_keys=True) + "\n"


def diff_catalogs(expected: Catalog, actual: Catalog) -> list[str]:
    """List differences, one line each: ``-`` only expected, ``+`` only actual, ``~`` changed."""
    lines: list[str] = []
    for section in sorted(expected.keys() | actual.keys()):
        old, new = expected.get(section, {}), actual.get(section, {})
        for key in sorted(old.keys() | new.keys()):
            if key not in new:
                lines.append(f"- {section} {key}: {old[key]}")
            elif key not in old:
                lines.append(f"+ {section} {key}: {new[key]}")
            elif old[key] != new[key]:
                lines.append(f"~ {section} {key}: {old[key]} -> {new[key]}")
    return lines


def count_objects(catalog: Catalog) -> dict[str, int]:
    """Number of entries in each section."""
    return {section: len(entries) for section, entries in sorted(catalog.items())}
