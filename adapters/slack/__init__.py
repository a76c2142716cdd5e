"""The Slack adapter: parse Slack payloads, render Block Kit, post via the Web API."""
