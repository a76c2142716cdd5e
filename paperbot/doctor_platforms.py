"""The doctor's chat-platform checks: the Slack token and its scopes, the Telegram bot."""

from __future__ import annotations

import httpx

from adapters.slack.oauth import manifest_bot_scopes
from adapters.slack.settings import SlackSettings
from adapters.telegram.settings import TelegramSettings
from bot.config import Settings
from paperbot.doctor import Check, Probe


def slack_probe(own: SlackSettings) -> Probe:
    """The Slack check with the adapter's own settings (SLACK_*)."""

    async def probe(settings: Settings, client: httpx.AsyncClient) -> list[Check]:
        return await slack(settings, client, own)

    return probe


def telegram_probe(own: TelegramSettings) -> Probe:
    """The Telegram check with the adapter's own settings (TELEGRAM_*)."""

    async def probe(settings: Settings, client: httpx.AsyncClient) -> list[Check]:
        return await telegram(settings, client, own)

    return probe


async def slack(settings: Settings, client: httpx.AsyncClient, own: SlackSettings) -> list[Check]:
    """auth.test with SLACK_BOT_TOKEN, and its scopes against the manifest's."""
    if "slack" not in settings.enabled_adapters or not own.bot_token:
        return []
    url = own.api_url.rstrip("/") + "/auth.test"
    headers = {"Authorization": f"Bearer {own.bot_token}"}
    try:
        response = await client.post(url, headers=headers)
        body = response.json()
    except (httpx.HTTPError, ValueError) as error:
        return [Check("Slack", False, f"auth.test gave no answer ({type(error).__name__}); "
                      "check the network or SLACK_API_URL")]  # fmt: skip
    if not body.get("ok"):
        return [Check("Slack", False, f"auth.test: {body.get('error', 'refused')}; check "
                      "SLACK_BOT_TOKEN (the xoxb-… Bot User OAuth Token)")]  # fmt: skip
    granted = {s.strip() for s in response.headers.get("x-oauth-scopes", "").split(",") if s}
    missing = [s for s in manifest_bot_scopes() if s not in granted]
    who = f"bot {body.get('user', '?')} in {body.get('team', '?')}"
    if missing:
        return [Check("Slack", False, f"{who} lacks scopes {', '.join(missing)}; add them "
                      "from adapters/slack/manifest.yaml and reinstall the app")]  # fmt: skip
    return [Check("Slack", True, f"{who}, every manifest scope granted")]


async def telegram(
    settings: Settings, client: httpx.AsyncClient, own: TelegramSettings
) -> list[Check]:
    """getMe (and privacy mode) and getWebhookInfo against TELEGRAM_WEBHOOK_URL."""
    if "telegram" not in settings.enabled_adapters or not own.bot_token:
        return []
    base = f"{own.api_url}{own.bot_token}"
    try:
        me = (await client.get(f"{base}/getMe")).json()
        hook = (await client.get(f"{base}/getWebhookInfo")).json()
    except (httpx.HTTPError, ValueError) as error:
        return [Check("Telegram", False, f"no answer ({type(error).__name__}); check the "
                      "network or TELEGRAM_API_URL")]  # fmt: skip
    if not me.get("ok"):
        return [Check("Telegram", False, f"getMe: {me.get('description', 'refused')}; check "
                      "TELEGRAM_BOT_TOKEN (from @BotFather)")]  # fmt: skip
    user = me["result"]
    privacy = ("privacy mode on: in groups it sees commands and replies to it"
               if not user.get("can_read_all_group_messages") else "privacy mode off")  # fmt: skip
    checks = [Check("Telegram", True, f"@{user.get('username')}, {privacy}")]
    current = str(hook.get("result", {}).get("url", ""))
    wanted = own.webhook_url
    if current != wanted:
        fix = "`paperbot run` sets it at start" if wanted else "`paperbot run` removes it (polling)"
        checks.append(Check("Telegram webhook", False,
                            f"is {current or 'unset'}, configured {wanted or 'polling'}; {fix}"))
    else:
        checks.append(Check("Telegram webhook", True, current or "unset (polling)"))
    return checks
