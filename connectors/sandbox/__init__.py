"""A local stand-in for the X and Facebook APIs, for tests and the offline demo."""
