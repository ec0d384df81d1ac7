"""OGX's stored prompt templates (its Prompts API), behind a small typed port.

``/v1/prompts`` reaches OGX only through :class:`PromptStore`. :class:`LibraryPromptStore`
calls the in-process stack's prompt service directly; :class:`ServerPromptStore` uses the
``ogx-client`` ``prompts`` API of a remote server. ``llm/factory.py`` picks one where it
decides the backend mode.

Failures become domain errors: OGX reports the prompt (or version) missing → 404
``Prompt not found``; OGX rejects a value (a version that is not the latest, a variable the
template uses but does not declare) → 422 ``Invalid attribute value`` with OGX's text; OGX
unreachable → 503; anything else → 500.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

from lightspeed_core.errors import (
    InternalError,
    LightspeedError,
    NotFoundError,
    UnprocessableError,
)
from lightspeed_core.llm.catalog import unwrap_list
from lightspeed_core.llm.failures import classify_exception, is_connection_error

ClientSource = Callable[[], Any]
"""Returns the started backend's OGX client."""


@dataclass(frozen=True, slots=True)
class StoredPrompt:
    """One version of a prompt template."""

    prompt_id: str
    version: int
    prompt: str | None = None
    variables: list[str] = field(default_factory=list)
    is_default: bool = False


class PromptStore(Protocol):
    """OGX's prompt templates: versioned, one default version per prompt."""

    async def create(self, prompt: str, variables: list[str] | None) -> StoredPrompt: ...

    async def list_prompts(self) -> list[StoredPrompt]:
        """The default version of every prompt."""
        ...

    async def get(self, prompt_id: str, version: int | None = None) -> StoredPrompt:
        """A version (default: the default one); 404 if there is none."""
        ...

    async def update(
        self,
        prompt_id: str,
        prompt: str,
        version: int,
        variables: list[str] | None,
        set_as_default: bool,
    ) -> StoredPrompt:
        """Store a new version after ``version`` (which must be the latest; 422 otherwise)."""
        ...

    async def delete(self, prompt_id: str) -> bool:
        """Delete every version; ``False`` if OGX has no such prompt."""
        ...


def _status(exc: BaseException) -> int | None:
    status = getattr(exc, "status_code", None) or getattr(exc, "status", None)
    return int(status) if isinstance(status, int) else None


def _detail(exc: BaseException) -> str:
    """OGX's own message: from an HTTP error body when there is one."""
    body = getattr(exc, "body", None)
    if isinstance(body, str | bytes):
        try:
            parsed = json.loads(body)
        except ValueError:
            parsed = None
        if isinstance(parsed, dict):
            error = parsed.get("error")
            message = error.get("message") if isinstance(error, dict) else parsed.get("detail")
            if message:
                return str(message)
    errors = getattr(exc, "errors", None)
    if callable(errors) and type(exc).__name__ == "ValidationError":
        return "; ".join(str(e.get("msg", "")) for e in errors()) or str(exc)
    return str(exc) or type(exc).__name__


def translate(exc: BaseException, prompt_id: str | None) -> LightspeedError:
    """The domain error for a failed prompts call (see the module docstring)."""
    if isinstance(exc, LightspeedError):
        return exc
    if is_connection_error(exc):
        return classify_exception("prompts", exc)
    status = _status(exc)
    if status == 404 or "NotFound" in type(exc).__name__:
        return NotFoundError("Prompt", prompt_id or "")
    if status in (400, 422) or type(exc).__name__ in ("ValidationError", "InvalidParameterError"):
        return UnprocessableError("Invalid attribute value", _detail(exc))
    return InternalError("Internal server error", f"Prompt operation failed: {_detail(exc)}")


async def _call[T](call: Callable[[], Awaitable[T]], prompt_id: str | None = None) -> T:
    try:
        return await call()
    except Exception as exc:
        raise translate(exc, prompt_id) from exc


def _record(prompt: Any) -> StoredPrompt:
    return StoredPrompt(
        prompt_id=str(prompt.prompt_id),
        version=int(prompt.version),
        prompt=prompt.prompt,
        variables=list(prompt.variables or []),
        is_default=bool(prompt.is_default),
    )


class LibraryPromptStore:
    """The in-process stack's prompt service (no HTTP emulation)."""

    def __init__(self, client: ClientSource) -> None:
        self._client = client

    def _service(self) -> Any:
        from ogx_api import Api

        return self._client().impls[Api.prompts]

    async def create(self, prompt: str, variables: list[str] | None) -> StoredPrompt:
        from ogx_api.prompts.models import CreatePromptRequest

        request = CreatePromptRequest(prompt=prompt, variables=variables)
        return _record(await _call(lambda: self._service().create_prompt(request)))

    async def list_prompts(self) -> list[StoredPrompt]:
        listing = await _call(lambda: self._service().list_prompts())
        return [_record(p) for p in unwrap_list(listing)]

    async def get(self, prompt_id: str, version: int | None = None) -> StoredPrompt:
        from ogx_api.prompts.models import GetPromptRequest

        request = GetPromptRequest(prompt_id=prompt_id, version=version)
        return _record(await _call(lambda: self._service().get_prompt(request), prompt_id))

    async def update(
        self,
        prompt_id: str,
        prompt: str,
        version: int,
        variables: list[str] | None,
        set_as_default: bool,
    ) -> StoredPrompt:
        from ogx_api.prompts.models import UpdatePromptRequest

        request = UpdatePromptRequest(
            prompt_id=prompt_id,
            prompt=prompt,
            version=version,
            variables=variables,
            set_as_default=set_as_default,
        )
        return _record(await _call(lambda: self._service().update_prompt(request), prompt_id))

    async def delete(self, prompt_id: str) -> bool:
        from ogx_api.prompts.models import DeletePromptRequest

        request = DeletePromptRequest(prompt_id=prompt_id)
        try:
            await _call(lambda: self._service().delete_prompt(request), prompt_id)
        except NotFoundError:
            return False
        return True


class ServerPromptStore:
    """A remote OGX server's ``/v1/prompts`` through ``ogx-client``."""

    def __init__(self, client: ClientSource) -> None:
        self._client = client

    def _api(self) -> Any:
        return self._client().prompts

    async def create(self, prompt: str, variables: list[str] | None) -> StoredPrompt:
        from ogx_client.models.create_prompt_request import CreatePromptRequest

        request = CreatePromptRequest(prompt=prompt, variables=variables)
        return _record(await _call(lambda: self._api().create(request)))

    async def list_prompts(self) -> list[StoredPrompt]:
        listing = await _call(lambda: self._api().list())  # ogx-client: a plain list
        return [_record(p) for p in unwrap_list(listing)]

    async def get(self, prompt_id: str, version: int | None = None) -> StoredPrompt:
        return _record(await _call(lambda: self._api().retrieve(prompt_id, version), prompt_id))

    async def update(
        self,
        prompt_id: str,
        prompt: str,
        version: int,
        variables: list[str] | None,
        set_as_default: bool,
    ) -> StoredPrompt:
        from ogx_client.models.update_prompt_body_request import UpdatePromptBodyRequest

        body = UpdatePromptBodyRequest(
            prompt=prompt, version=version, variables=variables, set_as_default=set_as_default
        )
        return _record(await _call(lambda: self._api().update(prompt_id, body), prompt_id))

    async def delete(self, prompt_id: str) -> bool:
        try:
            await _call(lambda: self._api().delete(prompt_id), prompt_id)
        except NotFoundError:
            return False
        return True
