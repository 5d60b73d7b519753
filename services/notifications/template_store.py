"""Loads and saves templates (with their translations) on the open unit of work's connection."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection

from mesh.db.rows import as_utc
from mesh.paging import Page
from services.notifications.domain import Category, Content, EmailContent, SmsContent, Template
from services.notifications.orm import template_translations_table as translations_table
from services.notifications.orm import templates_table

_t = templates_table.c
_tr = translations_table.c


class TemplateStore:
    """The templates table seen as a collection of `Template`s."""

    def __init__(self, connection: AsyncConnection) -> None:
        self._connection = connection

    async def get(self, template_id: str) -> Template | None:
        row = await self._connection.execute(sa.select(templates_table).where(_t.id == template_id))
        found = row.first()
        if found is None:
            return None
        query = sa.select(translations_table).where(_tr.template_id == template_id)
        translations = {
            r.locale: _content_of(r._mapping) for r in (await self._connection.execute(query)).all()
        }
        return _template_of(found._mapping, translations)

    async def listing(self, category: Category | None, page: Page) -> list[Template]:
        """Up to `page.size + 1` templates after the page's position, by id (no translations)."""
        query = sa.select(templates_table).order_by(_t.id)
        if category is not None:
            query = query.where(_t.category == category.value)
        if page.after is not None:
            query = query.where(_t.id > page.after[0])
        rows = (await self._connection.execute(query.limit(page.size + 1))).all()
        return [_template_of(row._mapping, {}) for row in rows]

    async def add(self, template: Template) -> bool:
        """Inserts the template and its translations; False when the id is taken."""
        row = {**_row_of(template), "customized": False}
        result = await self._connection.execute(_insert_if_new(self._connection, row))
        if not result.rowcount:  # type: ignore[attr-defined]
            return False
        for locale, content in template.translations.items():
            values = {"template_id": template.id, "locale": locale, **_content_row(content)}
            await self._connection.execute(sa.insert(translations_table).values(**values))
        return True

    async def save(self, template: Template) -> None:
        """Writes back a template changed through the API (built-in updates no longer apply)."""
        values = {**_row_of(template), "customized": True}
        del values["id"], values["create_time"]
        await self._connection.execute(
            sa.update(templates_table).where(_t.id == template.id).values(**values)
        )

    async def delete(self, template_id: str) -> None:
        translations = sa.delete(translations_table).where(_tr.template_id == template_id)
        await self._connection.execute(translations)
        await self._connection.execute(sa.delete(templates_table).where(_t.id == template_id))

    async def install(self, built_in: Template) -> None:
        """Adds a built-in template, or refreshes it to this release's content unless staff
        customized it; its translations always follow the release."""
        if not await self.add(built_in):
            refreshed = _row_of(built_in)
            del refreshed["id"], refreshed["create_time"], refreshed["update_time"]
            await self._connection.execute(
                sa.update(templates_table)
                .where(_t.id == built_in.id, _t.customized.is_(False))
                .values(**refreshed)
            )
            stale = _tr.locale.not_in(list(built_in.translations))
            await self._connection.execute(
                sa.delete(translations_table).where(_tr.template_id == built_in.id, stale)
            )
            for locale, content in built_in.translations.items():
                await self._upsert_translation(built_in.id, locale, content)

    async def _upsert_translation(self, template_id: str, locale: str, content: Content) -> None:
        """Sets one translation (replicas starting together may both write it)."""
        values = _content_row(content)
        dialect: Any = postgresql if _dialect(self._connection) == "postgresql" else sqlite
        await self._connection.execute(
            dialect.insert(translations_table)
            .values(template_id=template_id, locale=locale, **values)
            .on_conflict_do_update(index_elements=[_tr.template_id, _tr.locale], set_=values)
        )


def _dialect(connection: AsyncConnection) -> str:
    return connection.dialect.name


def _insert_if_new(connection: AsyncConnection, row: dict[str, Any]) -> sa.Executable:
    if _dialect(connection) == "postgresql":
        return postgresql.insert(templates_table).values(row).on_conflict_do_nothing()
    return sqlite.insert(templates_table).values(row).on_conflict_do_nothing()


def _row_of(template: Template) -> dict[str, Any]:
    return {
        "id": template.id,
        "description": template.description,
        "category": template.category.value,
        **_content_row(template.content),
        "built_in": template.built_in,
        "create_time": template.create_time,
        "update_time": template.update_time,
    }


def _content_row(content: Content) -> dict[str, Any]:
    email, sms = content.email, content.sms
    return {
        "email_subject": email.subject if email else None,
        "email_text_body": email.text_body if email else None,
        "email_html_body": email.html_body if email else None,
        "sms_text": sms.text if sms else None,
    }


def _content_of(row: Any) -> Content:
    email = None
    if row["email_subject"] is not None:
        email = EmailContent(
            row["email_subject"], row["email_text_body"] or "", row["email_html_body"] or ""
        )
    sms = SmsContent(row["sms_text"]) if row["sms_text"] is not None else None
    return Content(email=email, sms=sms)


def _template_of(row: Any, translations: dict[str, Content]) -> Template:
    return Template(
        id=row["id"],
        category=Category(row["category"]),
        content=_content_of(row),
        create_time=as_utc(row["create_time"]),
        update_time=as_utc(row["update_time"]),
        description=row["description"],
        built_in=row["built_in"],
        translations=translations,
    )
