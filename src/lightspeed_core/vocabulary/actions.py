"""The actions RBAC rules grant (``authorization.access_rules[].actions``).

The 39 values are those of the reference service (contract section 5); the string values are
what appears in ``lightspeed-stack.yaml``. ``ADMIN`` grants every other action.
"""

from __future__ import annotations

from enum import StrEnum

__all__ = ["Action"]


class Action(StrEnum):
    """An action a role may be allowed to perform."""

    ADMIN = "admin"
    LIST_OTHER_CONVERSATIONS = "list_other_conversations"
    READ_OTHER_CONVERSATIONS = "read_other_conversations"
    QUERY_OTHER_CONVERSATIONS = "query_other_conversations"
    DELETE_OTHER_CONVERSATIONS = "delete_other_conversations"
    QUERY = "query"
    RESPONSES = "responses"
    STREAMING_QUERY = "streaming_query"
    GET_CONVERSATION = "get_conversation"
    LIST_CONVERSATIONS = "list_conversations"
    DELETE_CONVERSATION = "delete_conversation"
    UPDATE_CONVERSATION = "update_conversation"
    FEEDBACK = "feedback"
    GET_MODELS = "get_models"
    GET_TOOLS = "get_tools"
    GET_SKILLS = "get_skills"
    GET_SHIELDS = "get_shields"
    LIST_PROVIDERS = "list_providers"
    GET_PROVIDER = "get_provider"
    LIST_RAGS = "list_rags"
    GET_RAG = "get_rag"
    GET_METRICS = "get_metrics"
    GET_CONFIG = "get_config"
    INFO = "info"
    MODEL_OVERRIDE = "model_override"
    RLSAPI_V1_INFER = "rlsapi_v1_infer"
    REGISTER_MCP_SERVER = "register_mcp_server"
    LIST_MCP_SERVERS = "list_mcp_servers"
    DELETE_MCP_SERVER = "delete_mcp_server"
    A2A_AGENT_CARD = "a2a_agent_card"
    A2A_TASK_EXECUTION = "a2a_task_execution"
    A2A_MESSAGE = "a2a_message"
    A2A_JSONRPC = "a2a_jsonrpc"
    MANAGE_VECTOR_STORES = "manage_vector_stores"
    READ_VECTOR_STORES = "read_vector_stores"
    MANAGE_FILES = "manage_files"
    MANAGE_PROMPTS = "manage_prompts"
    READ_PROMPTS = "read_prompts"
    MANAGE_SAVED_PROMPTS = "manage_saved_prompts"
