"""What every emulator module stands on: error answers, the clock, the steerable settings,
request limits and injected faults. Nothing here imports another emulator package."""
