"""Everything that needs a database: its target, migrations, planning and writing loads."""
