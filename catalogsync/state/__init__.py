"""What catalogsync keeps between runs: the state index (`index`, its records in SQLite:
`records`, `recordstore`), its committed copy `catalogsync.lock` (`lockfile`), and the
account's run lock on this machine (`runlock`) and across machines in a Redis/Valkey store
(`storelock`)."""
