"""rlsapi v1: the question with its context, the sandboxed prompt, quota subjects, verbosity."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from lightspeed_core.auth.base import Principal
from lightspeed_core.authz.context import Authorized
from lightspeed_core.authz.policy import DEFAULT_ACTIONS
from lightspeed_core.config.models.misc import RlsapiV1Configuration
from lightspeed_core.errors import BackendUnavailableError, InternalError
from lightspeed_core.llm.prompts import SystemPrompts
from lightspeed_core.rlsapi.infer import build_rlsapi, question_text, quota_subject
from lightspeed_core.rlsapi.prompt import PromptTemplate, render_system_prompt
from lightspeed_core.schemas.rlsapi import RlsapiV1InferRequest, RlsapiV1SystemInfo
from lightspeed_core.splunk import Splunk
from lightspeed_core.testing.fake_llm import FakeLLM, Reply, ScriptedTool
from lightspeed_core.testing.fakes import InMemoryConversations, RecordingQuota, RecordingSink
from lightspeed_core.testing.services import fake_ports

RHEL = RlsapiV1SystemInfo(os="RHEL", version="9.3", arch="x86_64", id="m-1")
USER = Principal("u-1", "alice", org_id="org-1")
SYSTEM = Principal("sys-cn", "sys-cn", org_id="org-2", system_id="sys-cn")


def _request(**fields: object) -> RlsapiV1InferRequest:
    return RlsapiV1InferRequest.model_validate({"question": "Why?", **fields})


def test_question_joins_context_with_blank_lines() -> None:
    body = _request(
        context={
            "stdin": "piped",
            "attachments": {"contents": "key=value", "mimetype": "text/plain"},
            "terminal": {"output": "bash: foo: command not found"},
        }
    )
    assert question_text(body) == "Why?\n\npiped\n\nkey=value\n\nbash: foo: command not found"
    assert question_text(_request(context={"terminal": {"output": "  "}})) == "Why?"


def test_prompt_variables() -> None:
    now = datetime(2026, 12, 7, tzinfo=UTC)
    template = "You help on {{ os }} {{ version }} ({{ arch }}); today is {{ date }}."
    rendered = render_system_prompt(template, RHEL, now)
    assert rendered == "You help on RHEL 9.3 (x86_64); today is 2026-12-07."
    assert render_system_prompt("Plain {not a template", RHEL) == "Plain {not a template"


@pytest.mark.parametrize(
    "template",
    [
        "{{ ''.__class__.__mro__[1].__subclasses__() }}",
        "{{ ''.__class__ }}",
        "{{ cycler.__init__.__globals__.os.popen('id').read() }}",
        "{{ lipsum.__globals__['os'] }}",
        "{% set x = [] %}{{ x.append(1) }}",
    ],
)
def test_sandbox_refuses_python_internals(template: str) -> None:
    with pytest.raises(InternalError) as caught:
        render_system_prompt(template, RHEL)
    assert caught.value.response == "System prompt template refused"


def test_broken_template_is_a_clear_500() -> None:
    with pytest.raises(InternalError, match="does not render"):
        render_system_prompt("{{ date }", RHEL)
    broken = PromptTemplate("{% if %}")  # compiled once: the error is kept, not raised
    with pytest.raises(InternalError, match="does not render"):
        broken.render(RHEL)


def test_compiled_template_renders_per_request() -> None:
    template = PromptTemplate("On {{ os }} {{ version }}")
    assert template.render(RHEL) == "On RHEL 9.3"
    assert template.render(RlsapiV1SystemInfo(os="Fedora", version="41")) == "On Fedora 41"


@pytest.mark.parametrize(
    ("configured", "principal", "expected"),
    [
        (None, USER, None),
        ("user_id", USER, "u-1"),
        ("org_id", USER, "org-1"),
        ("org_id", Principal("u-2", "bob"), "u-2"),  # no rh-identity data: user_id
        ("system_id", SYSTEM, "sys-cn"),
        ("system_id", USER, "u-1"),
    ],
)
def test_quota_subject(configured: str | None, principal: Principal, expected: str | None) -> None:
    config = RlsapiV1Configuration.model_validate({"quota_subject": configured})
    assert quota_subject(config, principal) == expected


async def test_stateless_answer_with_rendered_prompt_and_org_quota() -> None:
    llm, quota, store = FakeLLM([Reply("Use ls.")]), RecordingQuota(), InMemoryConversations()
    ports = fake_ports(
        llm=llm,
        quota=quota,
        conversations=store,
        prompts=SystemPrompts(default="Assist on {{ os }} {{ version }}."),
    )
    service = build_rlsapi(RlsapiV1Configuration(quota_subject="org_id"), ports.prompts.default)
    body = _request(context={"systeminfo": RHEL.model_dump()})
    answer = await service.infer(ports, body, Authorized(USER, DEFAULT_ACTIONS), {})
    assert answer.data.text == "Use ls."
    assert answer.data.request_id
    assert answer.data.tool_calls is None  # not verbose
    assert llm.requests[0].instructions == "Assist on RHEL 9.3."
    assert [r.user_id for r in quota.reserved] == ["org-1"]
    assert store.conversations == {}  # nothing stored


async def test_no_quota_without_subject_and_verbose_only_when_allowed() -> None:
    tool = ScriptedTool("search", {"q": "x"}, output="hit")
    quota = RecordingQuota()
    ports = fake_ports(llm=FakeLLM([Reply("ok", tools=(tool,))]), quota=quota)
    auth = Authorized(USER, DEFAULT_ACTIONS)
    body = _request(include_metadata=True)
    quiet = await build_rlsapi(RlsapiV1Configuration(), "x").infer(ports, body, auth, {})
    assert quiet.data.tool_calls is None
    assert quota.reserved == []
    verbose_service = build_rlsapi(RlsapiV1Configuration(allow_verbose_infer=True), "x")
    verbose = await verbose_service.infer(ports, body, auth, {})
    assert verbose.data.tool_calls is not None
    assert [c.name for c in verbose.data.tool_calls] == ["search"]
    assert verbose.data.input_tokens
    assert verbose.data.output_tokens == 1


async def test_each_request_sends_one_splunk_event() -> None:
    sink = RecordingSink()
    splunk = Splunk(sink, "prod", enabled=True)
    ports = fake_ports(llm=FakeLLM([Reply("Use ls."), Reply(error=BackendUnavailableError("x"))]))
    service = build_rlsapi(RlsapiV1Configuration(), "x")
    auth = Authorized(USER, DEFAULT_ACTIONS)
    body = _request(context={"systeminfo": RHEL.model_dump()})
    answer = await service.infer(ports, body, auth, {"user-agent": "cla/1.0"}, splunk)
    with pytest.raises(BackendUnavailableError):
        await service.infer(ports, body, auth, {}, splunk)
    [(kind, event), (failed_kind, failed)] = sink.sent
    assert kind == "infer_with_llm"
    assert event["response"] == "Use ls."
    assert event["request_id"] == answer.data.request_id
    assert (event["org_id"], event["cla_version"], event["deployment"]) == (
        "org-1",
        "cla/1.0",
        "prod",
    )
    assert (event["system_os"], event["system_version"]) == ("RHEL", "9.3")
    assert failed_kind == "infer_error"
    assert failed["response"] == "BackendUnavailableError"
