"""Who may try to log in, and how often: failures counted per account AND client together,
and per client alone, never per account alone.

- 5 wrong passwords (`[web] login_failures`) for one account from one client stop that
  client trying that account; the account's owner, logging in from anywhere else, is not
  affected. A named account cannot be locked by a stranger.
- 50 failures (`[web] login_client_failures`) from one client, over any names, stop that
  client: guessing many accounts from one address is stopped too.
- The client is the address the trusted reverse proxy saw (`[web] trusted_proxies`,
  bot/web/security.py); without that list, X-Forwarded-For is not believed.

Accounts that must use a second factor (admins, supervisors) are not opened by a password
alone, so a guessed password still is not a login.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.storage.login_limits import LoginLimits

__all__ = ["TOO_MANY", "UNREADABLE_KEY", "LoginPolicy"]

TOO_MANY = "Too many failed attempts. Wait 15 minutes and try again."
# The stored authenticator key cannot be opened (changed in the database, or the server's
# secret key changed): recovery codes are hashes, so they still work.
UNREADABLE_KEY = (
    "Your authenticator app cannot be checked on this server just now: its key here "
    "cannot be read. Log in with one of your recovery codes instead, then set up the app "
    "again on your account page. No recovery codes left? Ask an admin to remove your "
    "authenticator, then log in with your password and set it up again."
)


@dataclass(frozen=True)
class LoginPolicy:
    pairs: LoginLimits  # keyed by account and client together
    clients: LoginLimits  # keyed by client alone, a higher limit

    @staticmethod
    def _pair(name: str, client: str) -> str:
        return f"pair:{name}\x00{client}"

    @staticmethod
    def _client(client: str) -> str:
        return f"ip:{client}"

    async def blocked(self, name: str, client: str) -> bool:
        return await self.pairs.blocked(self._pair(name, client)) or await self.clients.blocked(
            self._client(client)
        )

    async def failed(self, name: str, client: str) -> None:
        await self.pairs.failed(self._pair(name, client))
        await self.clients.failed(self._client(client))

    async def succeeded(self, name: str, client: str) -> None:
        """Forget this account's failures from this client only: owning one account must
        not reset a client's count while it guesses others."""
        await self.pairs.succeeded(self._pair(name, client))
