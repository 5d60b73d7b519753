"""Stripe's form encoding, decoded; bad values rejected naming the param."""

from __future__ import annotations

import pytest

from sandbox.stripe.errors import StripeError
from sandbox.stripe.forms import Params, decode, merge_metadata


def test_nested_hashes_and_both_list_styles_decode():
    decoded = decode(
        [
            ("card[number]", "4242424242424242"),
            ("card[exp_month]", "12"),
            ("expand[]", "latest_charge"),
            ("expand[]", "customer"),
            ("types[1]", "b"),
            ("types[0]", "a"),
            ("created[gte]", "10"),
        ]
    )
    assert decoded == {
        "card": {"number": "4242424242424242", "exp_month": "12"},
        "expand": ["latest_charge", "customer"],
        "types": ["a", "b"],
        "created": {"gte": "10"},
    }


def test_numeric_metadata_keys_stay_keys():
    assert decode([("metadata[0]", "zero"), ("metadata[order]", "7")]) == {
        "metadata": {"0": "zero", "order": "7"}
    }


def test_a_value_and_a_hash_under_one_name_is_rejected_naming_it():
    with pytest.raises(StripeError) as caught:
        decode([("card", "x"), ("card[number]", "4242")])
    assert caught.value.param == "card"


def test_unknown_parameter_is_named():
    with pytest.raises(StripeError) as caught:
        Params({"amount": "1", "colour": "red"}).only("amount")
    assert (caught.value.param, caught.value.code) == ("colour", "parameter_unknown")


def test_integer_rejects_text_naming_the_param():
    with pytest.raises(StripeError) as caught:
        Params({"amount": "ten"}).integer("amount")
    assert (caught.value.param, caught.value.code) == ("amount", "parameter_invalid_integer")


def test_missing_required_param_is_named():
    with pytest.raises(StripeError) as caught:
        Params({}).string("url", required=True)
    assert (caught.value.param, caught.value.status) == ("url", 400)


def test_metadata_over_fifty_keys_is_rejected():
    too_many = {f"k{i}": "v" for i in range(51)}
    with pytest.raises(StripeError) as caught:
        Params({"metadata": too_many}).metadata()
    assert caught.value.param == "metadata"


def test_metadata_update_merges_and_an_empty_value_unsets():
    merged = merge_metadata({"a": "1", "b": "2"}, {"b": "", "c": "3"}, replace=False)
    assert merged == {"a": "1", "c": "3"}
