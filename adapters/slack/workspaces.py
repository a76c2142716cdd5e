"""Which Web API client posts in a workspace: its installed bot token, else the default one."""

from __future__ import annotations

from slack_sdk.oauth.installation_store.async_installation_store import AsyncInstallationStore
from slack_sdk.web.async_client import AsyncWebClient


class WorkspaceClients:
    """The Web API client for a workspace: its installed bot token, else the default client."""

    def __init__(self, base: AsyncWebClient, store: AsyncInstallationStore | None = None) -> None:
        self._base = base
        self._store = store
        self._clients: dict[str, AsyncWebClient] = {}

    async def client(self, workspace: str) -> AsyncWebClient:
        """The client posting as the bot installed in `workspace` (team id)."""
        if self._store is None or not workspace:
            return self._base
        bot = await self._store.async_find_bot(enterprise_id=None, team_id=workspace)
        if bot is None:
            return self._base
        client = self._clients.get(workspace)
        if client is None or client.token != bot.bot_token:
            client = AsyncWebClient(
                token=bot.bot_token,
                base_url=self._base.base_url,
                retry_handlers=self._base.retry_handlers,
            )
            self._clients[workspace] = client
        return client
