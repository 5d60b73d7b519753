"""What an event of a stream records: who caused it, what it is about, and its redacted content."""

from __future__ import annotations

import json

from mesh.context import Principal, User, principal_var
from mesh.events.envelope import Envelope, envelope_for
from meshwork.admin.v1 import events_pb2 as admin_events
from meshwork.identity.v1 import events_pb2 as identity_events
from meshwork.jobs.v1 import events_pb2 as jobs_events
from meshwork.users.v1 import events_pb2 as users_events
from meshwork.users.v1 import resources_pb2 as users_resources
from services.audit.messages import event_command


def received(envelope: Envelope) -> Envelope:
    return Envelope.received(envelope.subject, envelope.payload, envelope.headers)


def test_the_actor_is_the_user_of_the_call_that_emitted_the_event() -> None:
    token = principal_var.set(Principal(service="edge", user=User("u-admin")))
    try:
        envelope = received(envelope_for(users_events.UserDeleted(user_id="u-1")))
    finally:
        principal_var.reset(token)

    facts = event_command("users", envelope, users_events.UserDeleted(user_id="u-1")).facts

    assert (facts.actor_user_id, facts.actor_service) == ("u-admin", "")
    assert (facts.subject_type, facts.subject_id) == ("user", "u-1")
    assert facts.summary == "users published UserDeleted about user u-1"
    assert facts.event_id == envelope.event_id and facts.kind == "DOMAIN_EVENT"


def test_without_a_calling_user_a_by_field_or_else_the_service_is_the_actor() -> None:
    retried = jobs_events.JobRetried(job_id="job-1", retried_by="u-support")
    dead = jobs_events.JobDead(job_id="job-2")

    by_field = event_command("jobs", received(envelope_for(retried)), retried).facts
    on_its_own = event_command("jobs", received(envelope_for(dead)), dead).facts

    assert (by_field.actor_user_id, by_field.actor_service) == ("u-support", "")
    assert (on_its_own.actor_user_id, on_its_own.actor_service) == ("", "jobs")


def test_a_resource_field_names_the_subject_when_no_id_field_does() -> None:
    event = users_events.UserCreated(user=users_resources.User(id="u-7", email="a@example.com"))

    facts = event_command("users", received(envelope_for(event)), event).facts

    assert (facts.subject_type, facts.subject_id) == ("user", "u-7")


def test_a_user_event_is_about_its_user_not_the_record_it_names_first() -> None:
    event = admin_events.UserSuspended(suspension_id="s-1", user_id="u-9", suspended_by="u-a")

    facts = event_command("admin", received(envelope_for(event)), event).facts

    assert (facts.subject_type, facts.subject_id) == ("user", "u-9")
    assert facts.actor_user_id == "u-a"


def test_fields_marked_debug_redact_are_redacted_and_the_rest_kept() -> None:
    event = identity_events.EmailVerificationRequested(
        user_id="u-1", email="a@example.com", token="secret"
    )

    facts = event_command("identity", received(envelope_for(event)), event).facts

    payload = json.loads(facts.payload)
    assert payload["token"] == "[REDACTED]" and payload["email"] == "a@example.com"
    assert "secret" not in facts.payload


def test_an_event_of_an_unknown_type_is_recorded_from_its_envelope() -> None:
    envelope = received(envelope_for(jobs_events.JobDead(job_id="job-1")))
    envelope.headers["Meshwork-Type"] = "meshwork.jobs.v1.AddedLater"

    facts = event_command("jobs", envelope, None).facts

    assert (facts.type, facts.payload, facts.subject_id) == (
        "meshwork.jobs.v1.AddedLater",
        "{}",
        "",
    )
