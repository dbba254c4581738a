"""Staff accounts (roles, organisation scopes, Argon2id passwords) and data retention."""

from bot.staff.accounts import ROLES, Account, AccountError, AccountStore, Role

__all__ = ["ROLES", "Account", "AccountError", "AccountStore", "Role"]
