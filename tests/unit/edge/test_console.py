"""The console's pure parts: what each role may do (from the contracts), and form values."""

from __future__ import annotations

import pytest

from edge.console.formatting import label, money, when
from edge.console.pages.payments import minor_units
from edge.console.permissions import METHODS, Permissions, allowed_roles, is_staff
from edge.console.views import FormError
from edge.transcoding.bindings import discover_services

discover_services()  # the contracts' descriptors, as the running edge has them


def test_only_admin_and_support_are_staff() -> None:
    assert is_staff({"user", "support"}) and is_staff({"admin"})
    assert not is_staff({"user"}) and not is_staff(())


def test_support_reviews_kyc_and_refunds_but_neither_suspends_nor_reads_the_audit_trail() -> None:
    support = Permissions({"user", "support"})
    assert support.may("list_users") and support.may("verify_kyc") and support.may("create_refund")
    assert support.may("list_suspensions")
    assert not support.may("suspend_user") and not support.may("create_role_grant")
    assert not support.may("list_audit_entries") and not support.may("retry_job")
    assert support.needed_for("retry_job") == "admin"


def test_admins_may_do_everything_the_console_offers_that_the_contracts_declare() -> None:
    admin = Permissions({"user", "admin"})
    declared = [action for action, name in METHODS.items() if allowed_roles(name) is not None]
    assert "suspend_user" in declared and "retry_job" in declared
    assert all(admin.may(action) for action in declared)


def test_a_plain_user_may_call_only_what_any_signed_in_user_may() -> None:
    user = Permissions({"user"})
    assert not user.may("list_users") and not user.may("create_refund")
    assert user.may("list_payments")  # their own; the console turns them away before that


def test_an_internal_method_is_offered_to_no_one() -> None:
    assert allowed_roles("meshwork.users.v1.UsersService.CreateUser") is None
    assert allowed_roles("meshwork.nothing.v1.Nothing.Call") is None


@pytest.mark.parametrize(
    ("typed", "minor"), [("", 0), ("10", 1000), ("12.5", 1250), ("0.07", 7), ("199.99", 19999)]
)
def test_refund_amounts_are_read_in_minor_units(typed: str, minor: int) -> None:
    assert minor_units(typed) == minor


@pytest.mark.parametrize("typed", ["12.345", "-5", "1,50", "ten", "1e3"])
def test_a_malformed_refund_amount_is_refused_by_name(typed: str) -> None:
    with pytest.raises(FormError, match=r"^amount: .* is not an amount such as 12\.50"):
        minor_units(typed)


def test_values_are_shown_as_people_read_them() -> None:
    assert money("2500", "EUR") == "25.00 EUR"
    assert money(-7, "USD") == "-0.07 USD"
    assert label("KYC_STATUS_PENDING") == "pending"
    assert label("PAYMENT_STATE_REQUIRES_ACTION") == "requires action"
    assert when("2026-03-01T10:20:30.123Z") == "2026-03-01 10:20:30 UTC"
    assert when("") == ""
