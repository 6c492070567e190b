"""Livestream comments to draft orders: live sessions, the comment grammar, comment events.

Depends on `orders/` (drafts are made through its use cases); knows nothing of Telegram or
image rendering.
"""
