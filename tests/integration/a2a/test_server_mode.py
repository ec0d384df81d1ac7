"""A2A through a remote OGX server (``ogx run``): the SDK client sends, streams and reads."""

from __future__ import annotations

from pathlib import Path

import pytest
from a2a.types.a2a_pb2 import GetTaskRequest, TaskState

from tests.integration.a2a.support import CARD, agent_client, ask, kind, only_task, text
from tests.integration.api.test_backend_modes import ogx_server, server_config
from tests.integration.streaming.server import serve
from tests.support.processes import free_port

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("a2a-server-mode")]
__all__ = ["ogx_server"]  # the module-scoped ``ogx run`` fixture


async def test_a2a_in_server_mode(ogx_server: str, tmp_path: Path) -> None:
    port = free_port()
    config = {
        **server_config(ogx_server),
        "service": {"host": "127.0.0.1", "port": port, "base_url": f"http://127.0.0.1:{port}"},
        "customization": {"agent_card_config": CARD},
    }
    async with serve(config, tmp_path, port) as live:
        assert live.services.llm.mode == "server"
        async with agent_client(live.base_url, protocol="0.3", streaming=False) as client:
            task = await only_task(client, ask("Say hello"))
            assert task.status.state == TaskState.TASK_STATE_COMPLETED
            assert [p.text for p in task.artifacts[0].parts] == ["Hello from stub"]
            got = await client.get_task(GetTaskRequest(id=task.id))
            assert got.status.state == TaskState.TASK_STATE_COMPLETED
        async with agent_client(live.base_url) as client:
            events = [e async for e in client.send_message(ask("[[tokens:3]] go"))]
        assert [kind(e) for e in events][-2:] == ["artifact", "status:COMPLETED"]
        assert text(events[-2]) == "tok0 tok1 tok2 "
