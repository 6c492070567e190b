"""The Telegram side: cards, keyboards, callback data and the strings they are written in.

The modules here are pure (no network, no database): handlers and the notifier call them.
"""
