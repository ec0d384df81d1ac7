"""Metric names: the contract's ``ls_*`` names, in one place."""

REST_API_CALLS = "ls_rest_api_calls_total"
RESPONSE_DURATION = "ls_response_duration_seconds"
PROVIDER_MODEL_CONFIGURATION = "ls_provider_model_configuration"
LLM_CALLS = "ls_llm_calls_total"
LLM_CALL_FAILURES = "ls_llm_calls_failures_total"
LLM_VALIDATION_ERRORS = "ls_llm_validation_errors_total"
LLM_TOKENS_SENT = "ls_llm_token_sent_total"
LLM_TOKENS_RECEIVED = "ls_llm_token_received_total"
LLM_INFERENCE_DURATION = "ls_llm_inference_duration_seconds"
STARTED_IN_DEGRADED_MODE = "ls_started_in_degraded_mode"
SPLUNK_EVENTS_SENT = "ls_splunk_events_sent_total"
SPLUNK_EVENTS_DROPPED = "ls_splunk_events_dropped_total"
MCP_SERVER_FAILURES = "ls_mcp_server_failures_total"
TRANSCRIPT_FAILURES = "ls_transcript_failures_total"

DURATION_BUCKETS = (0.1, 0.5, 1.0, 2.5, 5.0, 10.0, 20.0, 30.0, 60.0, 120.0, float("inf"))
