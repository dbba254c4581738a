"""Subcommands of `safevoice`, one module each."""
