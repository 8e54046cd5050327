"""Rewards: what a fan may redeem from the catalog, as pure rules (no storage)."""
