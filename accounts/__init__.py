"""People who log in: roles, passwords, sign-up and throttled authentication."""
