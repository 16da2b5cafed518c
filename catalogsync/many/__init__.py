"""Several catalogs, one per seller account, in one run: `plan DIR…`, `apply DIR…`, `--all`.

`options` (which catalogs; light, for `--help`), `running` (each catalog as a task, at most
`--jobs` at once, one rate budget), `captured` (each task's output kept apart), `report` (one
report, the worst exit code), `command` (what the commands refuse, then all of it).
"""
