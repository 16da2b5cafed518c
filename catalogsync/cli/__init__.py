"""The `catalogsync` commands: the group and the catalog commands (`main`), and one module per
further command family (`auth`, `init`, `emulator`, `explain`, `forget`)."""
