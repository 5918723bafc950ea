"""The store as the API writes Tasks through it: a Task update that changes a member's record
is stored in one transaction with everything the rules derive from it, or not at all."""

from __future__ import annotations

from typing import Any

from adapter.errors import NotFound
from adapter.services.task_updates import TaskWrite


class MemberTaskStore:
    """A Store whose `update` of a member's Task goes through the member service; every other
    call is the store's own."""

    def __init__(self, store: Any, service: Any) -> None:
        self.store = store
        self.service = service

    def __getattr__(self, name: str) -> Any:
        return getattr(self.store, name)

    def update(
        self, resource_type: str, resource_id: str, resource: dict[str, Any], **options: Any
    ) -> Any:
        if resource_type != "Task":
            return self.store.update(resource_type, resource_id, resource, **options)
        write = TaskWrite(resource_id, {**resource, "id": resource_id}, options.get("if_match"))
        try:
            self.service.apply_task_update(write.task, first=write)
        except NotFound:
            pass  # no plan record for this member: the Task is all there is to store
        if write.outcomes:
            return write.outcomes[0]
        return self.store.update(resource_type, resource_id, resource, **options)
