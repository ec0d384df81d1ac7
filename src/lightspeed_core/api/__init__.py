"""The HTTP layer: routes (thin), request/response models, dependencies, error mapping."""
