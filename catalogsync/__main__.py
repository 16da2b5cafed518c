from catalogsync.cli.main import cli

cli(prog_name="catalogsync")
