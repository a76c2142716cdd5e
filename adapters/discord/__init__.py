"""The Discord adapter: the gateway (discord.py) for events, REST for posts."""
