"""Danger signals: phrase lexicons per language, the helplines, and the message that
answers a match. Pure; the lexicon files are read once at start-up (bot/app.py)."""
