"""Typed validation of notebook and CLI parameters.

A notebook declares its parameters twice on purpose: once as plain assignments in
the ``parameters`` cell (what papermill injects into) and once as a frozen dataclass
in ``analysis`` (what is checked). The validation cell calls::

    from analysis.params import validate
    P = validate(SloParams, globals())

and gets a typed object or one :class:`~analysis.errors.ParameterError` line naming
the parameter and the problem.

Constraints are given in the dataclass field metadata::

    top_n: int = field(default=20, metadata={"min": 1, "max": 1000})
    profile: str = field(default="realistic", metadata={"choices": ("realistic", "heavy")})
    mongo_uri_env: str = field(default="", metadata={"env": True})
"""

from __future__ import annotations

import dataclasses
import os
import re
import types
import typing
from collections.abc import Mapping
from typing import Any, TypeVar

from .errors import ParameterError

T = TypeVar("T")

_ENV_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def _type_name(tp: Any) -> str:
    if isinstance(tp, type):
        return tp.__name__
    return str(tp).replace("typing.", "")


#: How an error names each scalar type.
_SCALAR_NAMES = {str: "a string", int: "an integer", float: "a number", bool: "true or false"}


def scalar_problem(value: Any, tp: type) -> str | None:
    """Why ``value`` is not a ``tp`` (str, int, float or bool), or None when it is.

    An int is a number (lossless int→float); a bool is neither an integer nor a number.
    The one scalar check of notebook parameters, profiles and catalogs: each caller prefixes
    its own place (``parameter 'x'``, ``file.yaml: key``) and raises its own error type.
    """
    if tp is bool:
        ok = isinstance(value, bool)
    elif tp in (int, float):
        ok = not isinstance(value, bool) and isinstance(value, (int, float) if tp is float else int)
    else:
        ok = isinstance(value, tp)
    return None if ok else f"expected {_SCALAR_NAMES[tp]}, got {value!r:.60}"


def _coerce(name: str, value: Any, tp: Any) -> Any:
    """Check ``value`` against the annotation ``tp``; allow lossless int→float."""
    origin = typing.get_origin(tp)
    args = typing.get_args(tp)
    if tp is Any:
        return value
    if origin in (typing.Union, types.UnionType):
        if value is None and type(None) in args:
            return None
        errors = []
        for arg in args:
            if arg is type(None):
                continue
            try:
                return _coerce(name, value, arg)
            except ParameterError as exc:
                errors.append(str(exc))
        raise ParameterError(f"parameter '{name}': expected {_type_name(tp)}, got {type(value).__name__} {value!r:.60}")
    if origin in (list, tuple):
        if not isinstance(value, (list, tuple)):
            raise ParameterError(f"parameter '{name}': expected a list, got {type(value).__name__} {value!r:.60}")
        item_t = args[0] if args else Any
        return [_coerce(f"{name}[{i}]", v, item_t) for i, v in enumerate(value)]
    if origin is dict:
        if not isinstance(value, Mapping):
            raise ParameterError(f"parameter '{name}': expected a mapping, got {type(value).__name__}")
        return dict(value)
    if tp in _SCALAR_NAMES:
        problem = scalar_problem(value, tp)
        if problem:
            raise ParameterError(f"parameter '{name}': {problem}")
        return float(value) if tp is float else value
    if isinstance(tp, type) and not isinstance(value, tp):
        raise ParameterError(f"parameter '{name}': expected {_type_name(tp)}, got {type(value).__name__}")
    return value


def _check_constraints(name: str, value: Any, meta: Mapping[str, Any]) -> None:
    if value is None:
        return
    values = value if isinstance(value, list) else [value]
    for v in values:
        if "choices" in meta and v not in meta["choices"]:
            raise ParameterError(f"parameter '{name}': {v!r} is not one of {', '.join(map(repr, meta['choices']))}")
        if "min" in meta and isinstance(v, (int, float)) and v < meta["min"]:
            raise ParameterError(f"parameter '{name}': {v!r} is below the minimum {meta['min']}")
        if "max" in meta and isinstance(v, (int, float)) and v > meta["max"]:
            raise ParameterError(f"parameter '{name}': {v!r} is above the maximum {meta['max']}")
    if meta.get("nonempty") and not value:
        raise ParameterError(f"parameter '{name}': must not be empty")
    if meta.get("env") and value:
        if not _ENV_NAME.match(str(value)):
            raise ParameterError(
                f"parameter '{name}': must name an environment variable (e.g. MONGO_URI), not hold a value"
            )


def validate(cls: type[T], namespace: Mapping[str, Any], *, strict_unknown: Mapping[str, Any] | None = None) -> T:
    """Build a typed parameter object from a notebook namespace or a mapping.

    Parameters
    ----------
    cls : dataclass type
        The frozen dataclass describing the parameters (types, defaults, metadata).
    namespace : Mapping
        Where the values are read, usually ``globals()`` of the notebook. Names not in
        ``cls`` are ignored here (the runner rejects unknown names before execution).
    strict_unknown : Mapping, optional
        A mapping whose every key must be a field of ``cls`` (e.g. a CLI's ``-p``
        values); an unknown key raises.

    Returns
    -------
    T
        The validated instance.

    Raises
    ------
    ParameterError
        One line naming the first bad parameter.
    """
    if not dataclasses.is_dataclass(cls):
        raise TypeError(f"{cls!r} is not a dataclass")
    hints = typing.get_type_hints(cls)
    fields = {f.name: f for f in dataclasses.fields(cls)}
    if strict_unknown is not None:
        unknown = sorted(set(strict_unknown) - set(fields))
        if unknown:
            raise ParameterError(
                f"unknown parameter '{unknown[0]}' (known: {', '.join(sorted(fields))})"
            )
    kwargs: dict[str, Any] = {}
    for name, f in fields.items():
        if name in namespace:
            value = _coerce(name, namespace[name], hints[name])
        elif f.default is not dataclasses.MISSING:
            value = f.default
        elif f.default_factory is not dataclasses.MISSING:  # type: ignore[misc]
            value = f.default_factory()  # type: ignore[misc]
        else:
            raise ParameterError(f"parameter '{name}' is required")
        _check_constraints(name, value, f.metadata)
        kwargs[name] = value
    obj = cls(**kwargs)
    post = getattr(obj, "check", None)
    if callable(post):
        post()
    return obj


def env_value(param: str, env_name: str, *, required: bool = True) -> str | None:
    """Read the secret or URI an ``*_env`` parameter names.

    Parameters
    ----------
    param : str
        The parameter's name (for the error message).
    env_name : str
        The environment variable it names; empty means "not configured".
    required : bool
        Raise when the variable is unset or empty.

    Returns
    -------
    str or None
        The value, or None when ``env_name`` is empty, or unset and not required.
    """
    if not env_name:
        return None
    value = os.environ.get(env_name)
    if not value:
        if required:
            raise ParameterError(f"parameter '{param}' names environment variable {env_name}, which is not set")
        return None
    return value
