"""Managing templates: built-ins installed at start-up, the rest created by staff."""

from __future__ import annotations

from mesh.idempotency import mark_committed
from mesh.paging import next_token
from meshwork.notifications.v1 import events_pb2
from services.notifications import commands, errors, filters, messages, validation
from services.notifications.domain import Template
from services.notifications.handlers.common import Deps
from services.notifications.template_store import TemplateStore
from services.notifications.templates import built_in_templates


async def install_built_ins(deps: Deps) -> None:
    """Adds the built-in templates, or refreshes those staff have not customized."""
    async with deps.unit_of_work() as uow:
        store = TemplateStore(uow.connection)
        for template in built_in_templates(now=deps.clock()):
            await store.install(template)
        await uow.commit()


async def create_template(command: commands.CreateTemplate, deps: Deps) -> Template:
    created_by = command.caller.user_id or ""
    template = validation.new_template(command, deps.renderer, now=deps.clock())
    async with deps.unit_of_work() as uow:
        if not await TemplateStore(uow.connection).add(template):
            raise errors.template_already_exists(template.id)
        uow.add_event(events_pb2.TemplateCreated(template_id=template.id, created_by=created_by))
        await mark_committed(uow.connection)
        await uow.commit()
    return template


async def get_template(command: commands.GetTemplate, deps: Deps) -> Template:
    template_id = command.template_id
    async with deps.reading() as uow:
        template = await TemplateStore(uow.connection).get(template_id.strip())
    if template is None:
        raise errors.template_not_found(template_id)
    return template


async def list_templates(command: commands.ListTemplates, deps: Deps) -> tuple[list[Template], str]:
    """By id; the second value is the next page's token."""
    category, page = filters.templates_query(command)
    async with deps.reading() as uow:
        found = await TemplateStore(uow.connection).listing(category, page)
    return found[: page.size], next_token(page, found, lambda template: (template.id,))


async def update_template(command: commands.UpdateTemplate, deps: Deps) -> Template:
    """Changes the fields the mask names; messages already queued keep their content."""
    target, changes, paths = validation.template_changes(command)
    async with deps.unit_of_work() as uow:
        store = TemplateStore(uow.connection)
        template = await store.get(target)
        if template is None:
            raise errors.template_not_found(target)
        changed = template.change(changes, paths, now=deps.clock())
        validation.check_content(template.content, deps.renderer)
        if changed:
            await store.save(template)
            uow.add_event(messages.template_updated(target, paths, command.caller.user_id or ""))
            await mark_committed(uow.connection)
            await uow.commit()
    return template


async def delete_template(command: commands.DeleteTemplate, deps: Deps) -> None:
    """Deletes a template that is not built in; deleting a missing one is NOT_FOUND."""
    template_id, actor = command.template_id, command.caller
    async with deps.unit_of_work() as uow:
        store = TemplateStore(uow.connection)
        template = await store.get(template_id.strip())
        if template is None:
            raise errors.template_not_found(template_id)
        if template.built_in:
            raise errors.template_built_in(template.id)
        await store.delete(template.id)
        uow.add_event(
            events_pb2.TemplateDeleted(template_id=template.id, deleted_by=actor.user_id or "")
        )
        await mark_committed(uow.connection)
        await uow.commit()
