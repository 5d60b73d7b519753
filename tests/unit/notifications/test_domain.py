"""Locales, preferences, channel decisions and template updates (pure)."""

from __future__ import annotations

import pytest

from mesh.errors import InvalidArgument
from services.notifications.domain import (
    Category,
    Channel,
    Content,
    EmailContent,
    Preferences,
    Recipient,
    SmsContent,
    SuppressionReason,
    Template,
    decide,
    locale_chain,
)
from tests.unit.notifications.conftest import NOW

EMAIL = EmailContent("Hi {{ name }}", "Hello {{ name }}")
SMS = SmsContent("Code {{ code }}")


def template(**overrides: object) -> Template:
    values: dict[str, object] = {
        "id": "order-shipped",
        "category": Category.ACCOUNT,
        "content": Content(email=EMAIL),
        "create_time": NOW,
        "update_time": NOW,
    }
    return Template(**(values | overrides))  # type: ignore[arg-type]


class TestLocales:
    @pytest.mark.parametrize(
        ("locale", "chain"),
        [
            ("de-CH", ["de-ch", "de", "en"]),
            ("de", ["de", "en"]),
            ("zh_Hant_TW", ["zh-hant-tw", "zh-hant", "zh", "en"]),
            ("", ["en"]),
            ("en-GB", ["en-gb", "en"]),
        ],
    )
    def test_the_chain_falls_back_to_the_language_then_english(
        self, locale: str, chain: list[str]
    ) -> None:
        assert locale_chain(locale) == chain

    def test_content_comes_from_the_most_specific_locale_that_has_the_channel(self) -> None:
        german = Content(email=EmailContent("Hallo", "Hallo"))
        swiss = Content(email=EmailContent("Grüezi", "Grüezi"))
        found = template(
            content=Content(email=EMAIL, sms=SMS), translations={"de": german, "de-ch": swiss}
        )
        assert found.content_for("de-CH", Channel.EMAIL) == ("de-ch", swiss)
        assert found.content_for("de-AT", Channel.EMAIL) == ("de", german)
        assert found.content_for("fr", Channel.EMAIL) == ("en", found.content)
        assert found.content_for("de-CH", Channel.SMS) == ("en", found.content)  # no German SMS


class TestPreferences:
    def test_defaults_are_on_except_marketing(self) -> None:
        preferences = Preferences("u-1")
        assert preferences.enabled(Channel.EMAIL, Category.ACCOUNT)
        assert preferences.enabled(Channel.SMS, Category.BILLING)
        assert not preferences.enabled(Channel.EMAIL, Category.MARKETING)
        assert len(preferences.every_pair()) == len(Channel) * len(Category)

    def test_setting_reports_only_what_changed(self) -> None:
        preferences = Preferences("u-1")
        changed = preferences.set(
            [(Channel.EMAIL, Category.ACCOUNT, True), (Channel.SMS, Category.MARKETING, True)],
            now=NOW,
        )
        assert changed == [(Channel.SMS, Category.MARKETING, True)]
        assert preferences.update_time == NOW

    def test_security_cannot_be_turned_off_and_nothing_changes(self) -> None:
        preferences = Preferences("u-1")
        with pytest.raises(InvalidArgument) as caught:
            preferences.set(
                [(Channel.EMAIL, Category.ACCOUNT, False), (Channel.SMS, Category.SECURITY, False)],
                now=NOW,
            )
        assert caught.value.reason == "PREFERENCE_NOT_CHANGEABLE"
        assert [v.field for v in caught.value.violations] == ["preferences.preferences[1].enabled"]
        assert preferences.enabled(Channel.EMAIL, Category.ACCOUNT)

    def test_security_stays_on_whatever_was_stored(self) -> None:
        preferences = Preferences("u-1", {(Channel.EMAIL, Category.SECURITY): False})
        assert preferences.enabled(Channel.EMAIL, Category.SECURITY)


class TestDecide:
    def test_each_channel_is_queued_or_suppressed_with_its_reason(self) -> None:
        recipient = Recipient(user_id="u-1", email="a@example.com")
        preferences = Preferences("u-1", {(Channel.EMAIL, Category.ACCOUNT): False})
        decisions = decide([Channel.EMAIL, Channel.SMS], recipient, Category.ACCOUNT, preferences)
        assert [(d.channel, d.suppressed) for d in decisions] == [
            (Channel.EMAIL, SuppressionReason.OPTED_OUT),
            (Channel.SMS, SuppressionReason.NO_ADDRESS),
        ]

    def test_deleted_users_get_nothing_and_bare_addresses_ignore_preferences(self) -> None:
        deleted = Recipient(user_id="u-1", email="a@example.com", deleted=True)
        [decision] = decide([Channel.EMAIL], deleted, Category.SECURITY, Preferences("u-1"))
        assert decision.suppressed is SuppressionReason.USER_DELETED
        bare = Recipient(email="b@example.com")
        [decision] = decide([Channel.EMAIL], bare, Category.MARKETING, None)
        assert (decision.recipient, decision.suppressed) == ("b@example.com", None)


class TestTemplateChanges:
    def test_subfields_change_alone_and_whole_channels_are_replaced_or_removed(self) -> None:
        found = template(content=Content(email=EMAIL, sms=SMS))
        changes = template(content=Content(email=EmailContent("New subject", "")))
        changed = found.change(changes, frozenset({"email.subject", "sms"}), now=NOW)
        assert changed == ["content"]
        assert found.content == Content(email=EmailContent("New subject", EMAIL.text_body))

    def test_a_subfield_of_a_missing_channel_starts_it(self) -> None:
        found = template()
        found.change(template(content=Content(sms=SMS)), frozenset({"sms.text"}), now=NOW)
        assert found.content.sms == SMS

    def test_an_update_that_changes_nothing_keeps_the_update_time(self) -> None:
        found = template()
        earlier = found.update_time
        assert found.change(template(), frozenset({"email", "description"}), now=NOW.max) == []
        assert found.update_time == earlier
