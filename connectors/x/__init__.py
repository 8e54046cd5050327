"""X (formerly Twitter) through the X API v2 and tweepy."""
