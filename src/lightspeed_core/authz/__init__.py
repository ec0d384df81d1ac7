"""Role-based access control: actions, policy evaluation and role resolution."""
