"""A local stand-in for the X, Facebook and Mastodon APIs, for tests and the offline demo."""
