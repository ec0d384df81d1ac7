"""User feedback: the shared on/off toggle (``toggle.py``) and feedback files (``service.py``)."""
