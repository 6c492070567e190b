"""The lifecycle table itself, without a database: what the seeds say each button does."""

from orders.lifecycle import Action, Status, allowed_actions, is_allowed, target_status


def test_complete_with_cod_waits_for_the_money():
    assert target_status(Action.COMPLETE, Status.SHIPPING, has_cod=True) is Status.WAIT_FOR_COD
    assert target_status(Action.COMPLETE, Status.SHIPPING, has_cod=False) is Status.COMPLETE


def test_ship_immediately_from_a_draft():
    assert target_status(Action.SHIP, Status.DRAFT, has_cod=True) is Status.SHIPPING


def test_terminal_statuses_offer_only_printing():
    for status in (Status.COMPLETE, Status.RETURNED, Status.CANCELLED, Status.SENT_TO_SHOP):
        assert allowed_actions(status) == [Action.PRINT_BILL, Action.PRINT_SHIPPING_NOTE]


def test_waiting_for_shipping_buttons_match_the_seed():
    # Send order / Ship now, Edit order, Print bill / shipping note, Delete order, Send to shop
    assert set(allowed_actions(Status.WAITING_FOR_SHIPPING)) == {
        Action.EDIT,
        Action.SEND_TO_SHOP,
        Action.SHIP,
        Action.CANCEL,
        Action.PRINT_BILL,
        Action.PRINT_SHIPPING_NOTE,
    }


def test_return_only_after_a_failed_delivery():
    assert [s for s in Status if is_allowed(Action.RETURN, s)] == [Status.FAILED_TO_SHIP]
