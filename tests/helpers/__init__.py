"""What the tests share: packs to write, the database state to read, the CLI run as a
process, catalogs and strategies. Test modules import from here, never from each other."""
