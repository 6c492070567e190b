"""The actions the reports look for, read off the lifecycle table: a new way to leave draft,
ship or deliver would show here, and in the reports, by itself."""

from __future__ import annotations

from application.reports import DELIVERING, LEAVING_DRAFT, TO_SHIPPING


def test_the_actions_each_figure_counts() -> None:
    assert LEAVING_DRAFT == ("create_order", "send_to_shop", "ship")
    assert TO_SHIPPING == ("ship",)
    assert DELIVERING == ("complete",)
