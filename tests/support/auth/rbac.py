"""Evaluate Kubernetes RBAC (ClusterRoles + ClusterRoleBindings) from manifest files.

Lets the Kubernetes API double answer 403 exactly where the shipped manifests
(``deploy/kubernetes/rbac.yaml``) would make a real API server answer 403.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml


@dataclass(frozen=True)
class Subject:
    """A user, a group or a service account (``namespace`` set)."""

    kind: str
    name: str
    namespace: str | None = None


@dataclass(frozen=True)
class Rbac:
    """Cluster-wide roles and who they are bound to."""

    roles: dict[str, list[dict[str, Any]]]
    bindings: list[tuple[str, list[Subject]]]

    @classmethod
    def load(cls, *paths: Path) -> Rbac:
        roles: dict[str, list[dict[str, Any]]] = {}
        bindings: list[tuple[str, list[Subject]]] = []
        for path in paths:
            for doc in yaml.safe_load_all(path.read_text()):
                if not doc:
                    continue
                if doc["kind"] == "ClusterRole":
                    roles[doc["metadata"]["name"]] = doc.get("rules", [])
                elif doc["kind"] == "ClusterRoleBinding":
                    subjects = [
                        Subject(s["kind"], s["name"], s.get("namespace"))
                        for s in doc.get("subjects", [])
                    ]
                    bindings.append((doc["roleRef"]["name"], subjects))
        return cls(roles, bindings)

    def _rules(self, user: str, groups: tuple[str, ...]) -> list[dict[str, Any]]:
        rules: list[dict[str, Any]] = []
        for role, subjects in self.bindings:
            for subject in subjects:
                name = subject.name
                if subject.kind == "ServiceAccount":
                    name = f"system:serviceaccount:{subject.namespace}:{subject.name}"
                if (subject.kind == "Group" and name in groups) or (
                    subject.kind in ("User", "ServiceAccount") and name == user
                ):
                    rules.extend(self.roles.get(role, []))
        return rules

    def allows(
        self,
        user: str,
        groups: tuple[str, ...],
        *,
        verb: str,
        group: str = "",
        resource: str = "",
        name: str | None = None,
        path: str | None = None,
    ) -> bool:
        for rule in self._rules(user, groups):
            if verb not in rule.get("verbs", []) and "*" not in rule.get("verbs", []):
                continue
            if path is not None:
                if path in rule.get("nonResourceURLs", []):
                    return True
                continue
            names = rule.get("resourceNames")
            if (
                group in rule.get("apiGroups", [])
                and resource in rule.get("resources", [])
                and (not names or name in names)
            ):
                return True
        return False
