"""Staff accounts (roles, organisation scopes, Argon2id passwords) and data retention."""

from bot.staff.accounts import ROLES, Account, AccountError, Accounts, Role

__all__ = ["ROLES", "Account", "AccountError", "Accounts", "Role"]
