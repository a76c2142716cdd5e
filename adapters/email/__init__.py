"""The e-mail adapter: a channel is an address; a digest is one multipart mail, sent over SMTP."""
