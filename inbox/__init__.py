"""The inbox: events queued by arrival (router) and applied by worker processes (worker)."""
