"""Social connectors: what happens on fans' linked profiles, turned into events."""
