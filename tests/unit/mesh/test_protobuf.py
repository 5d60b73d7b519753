"""Enum and timestamp conversions between the contracts' messages and domain values."""

from __future__ import annotations

from datetime import UTC, datetime
from enum import StrEnum

from mesh.protobuf import datetime_of, enum_name, enum_number, timestamp_of
from meshwork.jobs.v1 import resources_pb2 as jobs
from meshwork.users.v1 import resources_pb2 as users


class KycStatus(StrEnum):
    PENDING = "PENDING"
    VERIFIED = "VERIFIED"


def test_a_value_is_named_without_its_prefix_as_domain_enums_spell_it() -> None:
    assert enum_name(users.KycStatus, users.KYC_STATUS_VERIFIED) == "VERIFIED"
    assert enum_name(users.KycRejectionReason, users.KYC_REJECTION_REASON_OTHER) == "OTHER"


def test_unspecified_is_empty_and_an_unknown_number_is_kept_for_the_check_to_name() -> None:
    assert enum_name(users.KycStatus, users.KYC_STATUS_UNSPECIFIED) == ""
    assert enum_name(users.KycStatus, 42) == "42"


def test_a_domain_member_finds_its_number() -> None:
    assert enum_number(users.KycStatus, KycStatus.PENDING) == users.KYC_STATUS_PENDING
    assert enum_number(jobs.JobState, "DEAD") == jobs.JOB_STATE_DEAD


def test_a_timestamp_field_round_trips_as_an_aware_utc_datetime_and_unset_is_none() -> None:
    moment = datetime(2026, 12, 7, 9, 30, 15, 250000, tzinfo=UTC)
    job = jobs.Job(run_time=timestamp_of(moment), start_time=timestamp_of(None))
    assert datetime_of(job, "run_time") == moment
    assert datetime_of(job, "start_time") is None
