"""The engine: events in, campaigns decide, ledger, badges and leaderboards out."""
