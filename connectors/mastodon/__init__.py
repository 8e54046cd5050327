"""Mastodon through Mastodon.py: the brand account's notifications, reblogs, favourites and deletions."""
