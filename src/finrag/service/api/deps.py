"""FastAPI dependencies as ``Annotated`` aliases: the runtime, the dispatcher and the caller.

Cheap dependencies are ``async`` so they run on the event loop (a sync dependency costs a
worker-thread hop per request); key lookup does I/O and runs in a worker thread.

The caller presents ``Authorization: Bearer <key>`` (or ``X-API-Key: <key>``); the key is
checked against its stored hash, then the per-key token bucket is charged. Role aliases
(``ViewerDep``, ``AnalystDep``, ``AdminDep``) refuse weaker roles with 403; ``OperatorDep``
also requires the operator tenant (``settings.tenant``) for platform-wide actions (prompt
rollout, audit chain verification and purge).
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Annotated, Any

from anyio import CapacityLimiter
from fastapi import Depends, Header, Request

from finrag.errors import AccessDeniedError
from finrag.observability.metrics import RATE_LIMITED
from finrag.service.jobs import Dispatcher
from finrag.service.repositories.keys import authenticate
from finrag.service.runtime import Runtime
from finrag.service.security import AuthenticationError, Principal, RateLimitedError, Role

__all__ = [
    "AdminDep",
    "AnalystDep",
    "AskLimiterDep",
    "DispatcherDep",
    "OperatorDep",
    "PrincipalDep",
    "RuntimeDep",
    "ViewerDep",
    "get_principal",
    "require",
]


async def get_runtime(request: Request) -> Runtime:
    """The app's Runtime."""
    runtime: Runtime = request.app.state.runtime
    return runtime


async def get_dispatcher(request: Request) -> Dispatcher:
    """The app's job dispatcher."""
    dispatcher: Dispatcher = request.app.state.dispatcher
    return dispatcher


async def get_ask_limiter(request: Request) -> CapacityLimiter:
    """The app's bound on concurrently running questions."""
    limiter: CapacityLimiter = request.app.state.ask_limiter
    return limiter


RuntimeDep = Annotated[Runtime, Depends(get_runtime)]
AskLimiterDep = Annotated[CapacityLimiter, Depends(get_ask_limiter)]
DispatcherDep = Annotated[Dispatcher, Depends(get_dispatcher)]


def _presented_key(authorization: str | None, x_api_key: str | None) -> str:
    if x_api_key:
        return x_api_key.strip()
    if authorization:
        scheme, _, value = authorization.partition(" ")
        if scheme.lower() == "bearer" and value.strip():
            return value.strip()
    raise AuthenticationError(
        "missing API key: send 'Authorization: Bearer <key>' or 'X-API-Key: <key>'"
    )


def get_principal(
    runtime: RuntimeDep,
    authorization: Annotated[str | None, Header()] = None,
    x_api_key: Annotated[str | None, Header()] = None,
) -> Principal:
    """The authenticated caller, after charging its rate limit."""
    principal = authenticate(runtime.engine, _presented_key(authorization, x_api_key))
    if runtime.limiter is not None:
        wait = runtime.limiter.acquire(principal.key_id)
        if wait > 0:
            RATE_LIMITED.inc()
            raise RateLimitedError(
                f"rate limit of key {principal.key_id} exceeded; retry in {wait:.2f}s", wait
            )
    return principal


PrincipalDep = Annotated[Principal, Depends(get_principal)]


def require(role: Role) -> Callable[[Principal], Coroutine[Any, Any, Principal]]:
    """A dependency that passes callers with at least ``role``."""

    async def check(principal: PrincipalDep) -> Principal:
        principal.require(role)
        return principal

    check.__name__ = f"require_{role.name}"
    return check


ViewerDep = Annotated[Principal, Depends(require(Role.viewer))]
AnalystDep = Annotated[Principal, Depends(require(Role.analyst))]
AdminDep = Annotated[Principal, Depends(require(Role.admin))]


async def require_operator(principal: AdminDep, runtime: RuntimeDep) -> Principal:
    """Admins of the operator tenant (``settings.tenant``) only: platform-wide actions."""
    operator = runtime.settings.tenant
    if principal.tenant != operator:
        raise AccessDeniedError(
            f"this action affects every tenant; it needs an admin key of the operator tenant "
            f"{operator!r}, not of {principal.tenant!r}"
        )
    return principal


OperatorDep = Annotated[Principal, Depends(require_operator)]
