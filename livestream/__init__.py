"""The livestream's domain: live sessions and comments as tables, the comment grammar (a pure
parser), the Facebook events a webhook body holds, and the Graph API client.

Applying comments to drafts is a use case (`application.live_comments`); this package knows
nothing of Telegram, the pages or image rendering.
"""
