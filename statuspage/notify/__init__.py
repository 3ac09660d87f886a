"""Outbound messages: email over SMTP, webhooks over HTTP."""
