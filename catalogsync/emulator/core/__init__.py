"""What every emulator service stands on: the SQLite store and its sessions, the clock, the
steerable settings, Allegro's read-only reference data, error answers, request limits and
injected faults. Nothing here imports a service, a handler or the application."""
