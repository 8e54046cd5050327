"""Connect: fans link their social profiles through OAuth (X with PKCE, Facebook Login)."""
