"""What `plan` and `apply` do once the catalog is loaded (`plan_apply`), with the options they
share (`options`), the account's state and run lock (`guards`), the seller's feeds (`feeds`) and
the CI guard (`local_in_ci`). Imported only by the commands that run, so `--help` starts at once."""
