"""``model_override``: the secondary permission for choosing the model per request."""

from __future__ import annotations

from lightspeed_core.authz.context import Authorized
from lightspeed_core.errors import ForbiddenError
from lightspeed_core.vocabulary.actions import Action

__all__ = ["check_model_override"]


def check_model_override(auth: Authorized) -> None:
    """Raise the contract's 403 unless the caller holds ``model_override``.

    Call it when a request names a ``provider`` (or a ``provider/model`` ID on
    ``/v1/responses``).
    """
    if auth.may(Action.MODEL_OVERRIDE):
        return
    raise ForbiddenError(
        "This instance does not permit overriding model/provider in the query request "
        "(missing permission: model_override). Please remove the model and provider "
        "fields from your request.",
        "User lacks model_override permission required to override model/provider.",
    )
