"""Walk the configuration model types along a pydantic error location.

Pydantic error locations contain segments that are not YAML keys: the tag of a
discriminated-union member (``shields.0.redaction.config``) or the member name of a plain
union (``require_approval.ApprovalFilter.always``). :func:`walk_location` follows the model
types to tell those apart, and returns the YAML path plus the model that owns the last key
(needed to list the allowed keys of an unknown key).
"""

from __future__ import annotations

import types
from dataclasses import dataclass, field
from typing import Annotated, Any, Literal, Union, get_args, get_origin

from pydantic import BaseModel
from pydantic.fields import FieldInfo

from lightspeed_core.config.keypaths import PathSegment

__all__ = ["Location", "literal_values", "union_members", "unwrap", "walk_location"]


def unwrap(annotation: Any) -> tuple[Any, str | None]:
    """Strip ``Annotated`` layers; return the bare type and any discriminator found."""
    discriminator: str | None = None
    while get_origin(annotation) is Annotated:
        base, *metadata = get_args(annotation)
        for item in metadata:
            if isinstance(item, FieldInfo) and isinstance(item.discriminator, str):
                discriminator = item.discriminator
        annotation = base
    return annotation, discriminator


def union_members(annotation: Any) -> list[Any] | None:
    """Members (``None`` excluded) of a union type, or ``None`` if it is not a union."""
    if get_origin(annotation) in (Union, types.UnionType):
        return [member for member in get_args(annotation) if member is not type(None)]
    return None


def literal_values(annotation: Any) -> tuple[Any, ...]:
    """Values of a ``Literal`` type (after unwrapping), else ``()``."""
    bare, _ = unwrap(annotation)
    return get_args(bare) if get_origin(bare) is Literal else ()


def _is_model(annotation: Any) -> bool:
    return isinstance(annotation, type) and issubclass(annotation, BaseModel)


def _member_tag_matches(member: Any, tag: str) -> bool:
    bare, _ = unwrap(member)
    if get_origin(bare) is Literal:
        return tag.startswith("literal[")
    name = getattr(bare, "__name__", None)
    # Members with validators are tagged like "function-after[_check(), ApprovalFilter]".
    return name is not None and (tag == name or tag.endswith(f", {name}]"))


def _discriminated_member(members: list[Any], discriminator: str, tag: object) -> Any | None:
    for member in members:
        bare, _ = unwrap(member)
        if _is_model(bare):
            info = bare.model_fields.get(discriminator)
            if info is not None and tag in literal_values(info.annotation):
                return bare
    return None


@dataclass
class Location:
    """Result of :func:`walk_location`.

    Attributes:
        segments: The YAML path (union tag segments removed).
        owner: The model in which the last key segment was looked up, if any.
        union_at: Length of ``segments`` where a plain (non-discriminated) union was crossed,
            or ``None``; errors of different members of the same union share it.
        union_member: The member the error belongs to, when ``union_at`` is set.
    """

    segments: list[PathSegment] = field(default_factory=list)
    owner: type[BaseModel] | None = None
    union_at: int | None = None
    union_member: Any = None


def _step_union(
    annotation: Any, discriminator: str | None, segment: PathSegment, location: Location
) -> tuple[Any, bool]:
    """Resolve a union at ``segment``; returns (type, whether the segment was a tag)."""
    members = union_members(annotation) or []
    if discriminator is not None:
        chosen = _discriminated_member(members, discriminator, segment)
        if chosen is not None:
            return chosen, True
    elif isinstance(segment, str):
        for member in members:
            if _member_tag_matches(member, segment):
                location.union_at = len(location.segments)
                location.union_member = member
                return member, True
    return Any, False


def walk_location(root: type[BaseModel], loc: tuple[int | str, ...]) -> Location:
    """Map a pydantic error location to the YAML path, following ``root``'s field types."""
    location = Location()
    current: Any = root
    discriminator: str | None = None
    for segment in loc:
        if segment == "[key]":  # pydantic's marker for an invalid mapping key
            continue
        while True:
            current, found = unwrap(current)
            discriminator = found or discriminator
            members = union_members(current)
            if members is not None and len(members) == 1:
                current = members[0]
                continue
            break
        if union_members(current) is not None:
            current, was_tag = _step_union(current, discriminator, segment, location)
            discriminator = None
            if was_tag:
                continue
        discriminator = None
        location.segments.append(segment)
        current = _child_type(current, segment, location)
    return location


def _child_type(current: Any, segment: PathSegment, location: Location) -> Any:
    if _is_model(current) and isinstance(segment, str):
        location.owner = current
        info = current.model_fields.get(segment)
        if info is None:
            return Any
        if isinstance(info.discriminator, str):
            return Annotated[info.annotation, FieldInfo(discriminator=info.discriminator)]
        return info.annotation
    origin = get_origin(current)
    args = get_args(current)
    if origin in (list, tuple, set, frozenset) and args:
        return args[0]
    if origin is dict and len(args) == 2:
        return args[1]
    return Any
