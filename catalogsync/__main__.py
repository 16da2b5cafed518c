from catalogsync.cli import cli

cli(prog_name="catalogsync")
