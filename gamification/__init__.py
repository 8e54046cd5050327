"""Gamification around the engine: standings, fans' profiles, rewards and portable badges."""
