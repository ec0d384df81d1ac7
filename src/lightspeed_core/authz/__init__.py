"""Role-based access control: actions, the pure policy, ownership and secondary checks.

How roles and actions flow:

1. The authentication module (``lightspeed_core.auth``) yields a
   :class:`~lightspeed_core.auth.base.Principal` whose ``roles`` always include ``*``
   (jwk-token adds the roles its JWT role rules match).
2. Every route declares its one action with ``Depends(require(Action.X))``
   (``lightspeed_core.api.deps``); ``require`` computes :func:`allowed_actions` for the
   principal's roles, answers 403 ``User does not have permission to access this endpoint``
   if ``X`` is missing, and hands the handler an :class:`Authorized` (principal + every
   allowed action).
3. Handlers and services make the secondary checks with that ``Authorized``, always through
   these functions - never by comparing user IDs themselves:

   * :func:`check_conversation_access` (``auth, owner_id, action, conversation_id``):
     before reading, continuing, updating, deleting or giving feedback on a conversation;
     ``owner_id`` is the stored owner or ``None`` when the conversation is not in the
     database (then answer 404 / ``deleted: false``).
   * :func:`may_list_all_conversations`: whether ``GET /v1/conversations`` lists everyone's.
   * :func:`check_model_override`: before honouring ``provider``/``model`` in a request.

The pure core is :func:`is_allowed` ``(policy, action, principal, resource=None)``, with
:class:`OwnedResource` describing an owned object; it is tested table-driven without HTTP.
"""

from lightspeed_core.authz.context import Authorized
from lightspeed_core.authz.overrides import check_model_override
from lightspeed_core.authz.ownership import (
    OwnedResource,
    ResourceKind,
    check_conversation_access,
    may_act_on,
    may_list_all_conversations,
)
from lightspeed_core.authz.policy import (
    ALL_ACTIONS,
    DEFAULT_ACTIONS,
    AccessPolicy,
    allowed_actions,
    is_allowed,
)
from lightspeed_core.vocabulary.actions import Action

__all__ = [
    "ALL_ACTIONS",
    "DEFAULT_ACTIONS",
    "AccessPolicy",
    "Action",
    "Authorized",
    "OwnedResource",
    "ResourceKind",
    "allowed_actions",
    "check_conversation_access",
    "check_model_override",
    "is_allowed",
    "may_act_on",
    "may_list_all_conversations",
]
