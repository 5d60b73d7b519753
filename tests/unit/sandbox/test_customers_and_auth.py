"""Customers through the SDK, Stripe's 401 without a test key, and 404s."""

from __future__ import annotations

import httpx
import pytest
import stripe

from tests.unit.sandbox.conftest import sdk_client


def test_customer_is_created_retrieved_and_its_metadata_updated(client: stripe.StripeClient):
    created = client.v1.customers.create(
        params={"email": "ada@example.com", "name": "Ada", "metadata": {"plan": "pro"}}
    )
    assert created.id.startswith("cus_")
    updated = client.v1.customers.update(
        created.id, params={"metadata": {"plan": "", "seats": "3"}}
    )
    assert updated.metadata.to_dict() == {"seats": "3"}
    fetched = client.v1.customers.retrieve(created.id)
    assert (fetched.email, fetched.name) == ("ada@example.com", "Ada")
    assert fetched.metadata["seats"] == "3"


def test_customers_list_newest_first_in_pages(client: stripe.StripeClient):
    ids = [client.v1.customers.create(params={"name": f"c{i}"}).id for i in range(5)]
    first = client.v1.customers.list(params={"limit": 2})
    assert [c.id for c in first.data] == ids[::-1][:2]
    assert first.has_more
    rest = client.v1.customers.list(params={"limit": 10, "starting_after": first.data[-1].id})
    assert [c.id for c in rest.data] == ids[::-1][2:]
    assert not rest.has_more
    assert [c.id for c in client.v1.customers.list().auto_paging_iter()] == ids[::-1]


def test_customers_list_filters_by_email(client: stripe.StripeClient):
    client.v1.customers.create(params={"email": "a@example.com"})
    wanted = client.v1.customers.create(params={"email": "b@example.com"})
    listed = client.v1.customers.list(params={"email": "b@example.com"})
    assert [c.id for c in listed.data] == [wanted.id]


def test_deleted_customer_is_gone(client: stripe.StripeClient):
    customer = client.v1.customers.create()
    assert client.v1.customers.delete(customer.id).deleted
    with pytest.raises(stripe.InvalidRequestError) as caught:
        client.v1.customers.retrieve(customer.id)
    assert (caught.value.http_status, caught.value.code) == (404, "resource_missing")


def test_unknown_customer_is_404_naming_the_id(client: stripe.StripeClient):
    with pytest.raises(stripe.InvalidRequestError) as caught:
        client.v1.customers.retrieve("cus_missing")
    assert caught.value.param == "id"
    assert "No such customer: 'cus_missing'" in str(caught.value.user_message)


def test_malformed_email_is_rejected_naming_email(client: stripe.StripeClient):
    with pytest.raises(stripe.InvalidRequestError) as caught:
        client.v1.customers.create(params={"email": "not-an-address"})
    assert caught.value.param == "email"


def test_unknown_parameter_is_rejected_naming_it(client: stripe.StripeClient):
    with pytest.raises(stripe.InvalidRequestError) as caught:
        client.v1.customers.create(params={"nickname": "x"})  # type: ignore[typeddict-unknown-key]
    assert (caught.value.param, caught.value.code) == ("nickname", "parameter_unknown")


def test_a_live_key_is_refused_with_401(sandbox_url: str):
    with pytest.raises(stripe.AuthenticationError) as caught:
        sdk_client(sandbox_url, api_key="sk_live_real").v1.customers.list()
    assert caught.value.http_status == 401


def test_no_key_is_refused_with_stripes_envelope(sandbox_url: str):
    answer = httpx.get(f"{sandbox_url}/v1/customers")
    assert answer.status_code == 401
    assert answer.json()["error"]["type"] == "invalid_request_error"


def test_an_unknown_route_is_404_in_stripes_envelope(sandbox_url: str):
    answer = httpx.get(f"{sandbox_url}/v1/widgets", headers={"Authorization": "Bearer sk_test_x"})
    assert answer.status_code == 404
    assert "Unrecognized request URL (GET: /v1/widgets)" in answer.json()["error"]["message"]


def test_the_key_may_come_as_basic_auths_user_name_as_curl_sends_it(sandbox_url: str):
    answer = httpx.get(f"{sandbox_url}/v1/customers", auth=("sk_test_curl", ""))
    assert answer.status_code == 200
