"""The plain-completion prompt the provider renders for the base model."""

from __future__ import annotations

from typing import Any

from ogx_api import (
    OpenAIAssistantMessageParam,
    OpenAIChatCompletionContentPartImageParam,
    OpenAIChatCompletionContentPartTextParam,
    OpenAIChatCompletionToolCall,
    OpenAIChatCompletionToolCallFunction,
    OpenAIDeveloperMessageParam,
    OpenAIImageURL,
    OpenAISystemMessageParam,
    OpenAIToolMessageParam,
    OpenAIUserMessageParam,
)

from lightspeed_ogx.llamacpp.prompt import message_text, render_prompt


def test_system_user_and_assistant_history_render_exactly() -> None:
    messages = [
        OpenAISystemMessageParam(content="You are a helpful assistant."),
        OpenAIUserMessageParam(content="What is a pod?"),
        OpenAIAssistantMessageParam(content="The smallest deployable unit."),
        OpenAIUserMessageParam(content="And a node?"),
    ]
    assert render_prompt(messages) == (
        "You are a helpful assistant.\n"
        "\n"
        "Question: What is a pod?\n"
        "Answer: The smallest deployable unit.\n"
        "Question: And a node?\n"
        "Answer:"
    )


def test_without_system_text_the_prompt_starts_with_the_question() -> None:
    messages = [OpenAISystemMessageParam(content="   "), OpenAIUserMessageParam(content=" Hi? ")]
    assert render_prompt(messages) == "Question: Hi?\nAnswer:"


def test_system_and_developer_texts_are_separate_paragraphs() -> None:
    messages = [
        OpenAISystemMessageParam(content="First rule."),
        OpenAIDeveloperMessageParam(content="Second rule."),
        OpenAIUserMessageParam(content="Q"),
    ]
    assert render_prompt(messages) == "First rule.\n\nSecond rule.\n\nQuestion: Q\nAnswer:"


def test_tool_results_become_context_before_the_next_line() -> None:
    call = OpenAIChatCompletionToolCall(
        id="c1", function=OpenAIChatCompletionToolCallFunction(name="search", arguments="{}")
    )
    messages = [
        OpenAIUserMessageParam(content="Earlier?"),
        OpenAIAssistantMessageParam(content=None, tool_calls=[call]),
        OpenAIToolMessageParam(tool_call_id="c1", content="Fact one."),
        OpenAIToolMessageParam(tool_call_id="c1", content="Fact two."),
        OpenAIUserMessageParam(content="Now?"),
        OpenAIToolMessageParam(tool_call_id="c2", content="Fact three."),
    ]
    assert render_prompt(messages) == (
        "Question: Earlier?\n"
        "Context: Fact one. Fact two.\n"
        "Question: Now?\n"
        "Context: Fact three.\n"
        "Answer:"
    )


def test_content_parts_keep_text_and_skip_images() -> None:
    parts = [
        OpenAIChatCompletionContentPartTextParam(text="Look at"),
        OpenAIChatCompletionContentPartImageParam(
            image_url=OpenAIImageURL(url="https://example.com/a.png")
        ),
        OpenAIChatCompletionContentPartTextParam(text="this."),
    ]
    assert render_prompt([OpenAIUserMessageParam(content=parts)]) == (
        "Question: Look at\nthis.\nAnswer:"
    )


def test_plain_dict_messages_render_like_objects() -> None:
    messages: list[dict[str, Any]] = [
        {"role": "system", "content": "S."},
        {"role": "user", "content": [{"type": "text", "text": "Q?"}]},
        {"role": "assistant", "content": "A."},
        {"role": "user", "content": "Again?"},
    ]
    assert render_prompt(messages) == "S.\n\nQuestion: Q?\nAnswer: A.\nQuestion: Again?\nAnswer:"


def test_message_text_flattens_every_content_shape() -> None:
    assert message_text(None) == ""
    assert message_text("plain") == "plain"
    assert message_text([{"text": "a"}, {"image": "x"}, {"text": "b"}]) == "a\nb"
    assert message_text([OpenAIChatCompletionContentPartTextParam(text="c")]) == "c"
