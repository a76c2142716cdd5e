"""The Telegram adapter: Bot API updates in, HTML messages with inline keyboards out."""
