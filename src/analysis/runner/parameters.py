"""Which parameters each notebook gets: what it declares, the params file, ``-p`` overrides, secrets."""

from __future__ import annotations

import ast
import hashlib
import json
import os
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import papermill

from ..errors import ConfigError, ParameterError
from ..jsonsafe import jsonable
from ..yamlio import load_yaml, parse_yaml
from .discover import discover_notebooks

#: Environment variables whose values never appear in an artifact, whatever the parameters say.
ALWAYS_SECRET_ENV = ("WS_JWT_SECRET", "JWT_SECRET_KEY", "MONGO_URI", "MONGODB_URI", "REDIS_URL", "PROMETHEUS_URL")


def inspect_parameters(notebook: Path) -> dict[str, dict[str, Any]]:
    """Parameters of a notebook as papermill sees them.

    Parameters
    ----------
    notebook : Path
        The ``.ipynb`` file (its cell tagged ``parameters``).

    Returns
    -------
    dict
        name → ``{"type": ..., "default": <source text>, "help": ...}``, in declaration order.

    Raises
    ------
    ConfigError
        The notebook cannot be read.
    """
    try:
        found = papermill.inspect_notebook(str(notebook))
    except Exception as exc:  # papermill raises plain exceptions on unreadable notebooks
        raise ConfigError(f"{notebook}: cannot inspect parameters: {exc}") from exc
    return {
        name: {"type": _type_of(p["inferred_type_name"], p["default"]), "default": p["default"], "help": p["help"]}
        for name, p in found.items()
    }


def _type_of(annotated: str, default: str) -> str:
    """The annotated type, else the type of the literal default (papermill infers only annotations)."""
    if annotated and annotated != "None":
        return annotated
    try:
        value = ast.literal_eval(default)
    except (ValueError, SyntaxError):
        return "expr"
    if isinstance(value, list) and value:
        return f"list[{type(value[0]).__name__}]"
    return type(value).__name__


def load_params_file(path: str | os.PathLike[str]) -> dict[str, dict[str, Any]]:
    """Read a parameter set: ``{notebook stem: {parameter: value}}``.

    Parameters
    ----------
    path : str or PathLike
        The YAML file (``params/default.yaml``).

    Returns
    -------
    dict
        notebook stem → parameters (empty for an empty file).

    Raises
    ------
    ConfigError
        One line: ``FILE: not found``, ``FILE:LINE: invalid YAML (...)``, or
        ``FILE: expected a mapping ...`` when it is not a mapping of mappings.
    """
    data = load_yaml(path)
    if data is None:
        return {}
    if not isinstance(data, dict) or not all(isinstance(v, dict) or v is None for v in data.values()):
        raise ConfigError(f"{path}: expected a mapping of notebook name → mapping of parameters")
    return {str(k): dict(v or {}) for k, v in data.items()}


def parse_overrides(items: Iterable[str]) -> dict[str, Any]:
    """Parse ``-p key=value`` items.

    Values are YAML scalars or lists (``-p sizes=[100,1000]``); a value that is not valid
    YAML is kept as its text, and an empty value is the empty string.

    Raises
    ------
    ParameterError
        An item without ``=`` or without a key.
    """
    out: dict[str, Any] = {}
    for item in items:
        key, sep, raw = item.partition("=")
        key = key.strip()
        if not sep or not key:
            raise ParameterError(f"-p {item!r}: expected key=value")
        try:
            out[key] = parse_yaml(raw, f"-p {key}") if raw.strip() else ""
        except ConfigError:
            out[key] = raw
    return out


def plan_parameters(
    notebooks: Sequence[Path],
    file_params: Mapping[str, Mapping[str, Any]],
    overrides: Mapping[str, Any],
    *,
    params_file: str | None = None,
    inspected: Mapping[str, Mapping[str, Any]] | None = None,
) -> dict[str, dict[str, Any]]:
    """Decide the parameters each notebook gets, rejecting unknown names up front.

    ``file_params`` sections name notebooks by stem; every key must be a parameter the
    notebook declares. An override ``key=value`` goes to every selected notebook that
    declares ``key`` (``stem.key=value`` targets one); it must match at least one.

    Parameters
    ----------
    notebooks : sequence of Path
        The selected notebooks.
    file_params : mapping
        What :func:`load_params_file` read (may name notebooks that are not selected).
    overrides : mapping
        What :func:`parse_overrides` read.
    params_file : str, optional
        The params file's name, for errors.
    inspected : mapping, optional
        :func:`inspect_parameters` of the notebooks, when already known.

    Returns
    -------
    dict
        notebook stem → the parameters to inject.

    Raises
    ------
    ParameterError
        One line naming the file (or ``-p KEY``) and the unknown notebook or parameter.
    """
    inspected = dict(inspected or {})
    for nb in notebooks:
        inspected.setdefault(nb.stem, inspect_parameters(nb))
    plan: dict[str, dict[str, Any]] = {nb.stem: {} for nb in notebooks}
    _plan_file(plan, file_params, inspected, params_file or "params")
    _plan_overrides(plan, overrides, inspected)
    return plan


def _plan_file(plan: dict[str, dict[str, Any]], file_params: Mapping[str, Mapping[str, Any]],
               inspected: Mapping[str, Mapping[str, Any]], src: str) -> None:
    """Add the params file's values of the selected notebooks to ``plan``."""
    all_stems = {nb.stem for nb in discover_notebooks()} | set(plan)
    for section, values in file_params.items():
        if section not in all_stems:
            raise ParameterError(f"{src}: unknown notebook section '{section}' (known: {', '.join(sorted(all_stems))})")
        if section not in plan:
            continue
        for key, value in values.items():
            if key not in inspected[section]:
                raise ParameterError(
                    f"{src}: {section}: unknown parameter '{key}' (known: {', '.join(sorted(inspected[section]))})"
                )
            plan[section][key] = value


def _plan_overrides(plan: dict[str, dict[str, Any]], overrides: Mapping[str, Any],
                    inspected: Mapping[str, Mapping[str, Any]]) -> None:
    """Add the ``-p`` values to ``plan`` (they win over the params file)."""
    for key, value in overrides.items():
        target, _, name = key.rpartition(".")
        stems = [target] if target else list(plan)
        if target and target not in plan:
            raise ParameterError(f"-p {key}: notebook '{target}' is not selected")
        hit = [s for s in stems if name in inspected[s]]
        if not hit:
            raise ParameterError(f"-p {key}: no selected notebook has a parameter '{name}'")
        for s in hit:
            plan[s][name] = value


def secret_env_names(plan: Mapping[str, Mapping[str, Any]], inspected: Mapping[str, Mapping[str, Any]]) -> set[str]:
    """Environment variables whose values must be scrubbed from the artifacts.

    Parameters
    ----------
    plan : mapping
        :func:`plan_parameters` output.
    inspected : mapping
        :func:`inspect_parameters` of every selected notebook.

    Returns
    -------
    set of str
        The variables named by ``*_env`` parameters (given or default), plus :data:`ALWAYS_SECRET_ENV`.
    """
    names = set(ALWAYS_SECRET_ENV)
    for stem, params in inspected.items():
        for pname, meta in params.items():
            if pname.endswith("_env"):
                value = plan.get(stem, {}).get(pname, meta.get("default"))
                if isinstance(value, str):
                    value = value.strip().strip("'\"")
                    if value:
                        names.add(value)
    return names


def effective_parameters(plan: Mapping[str, Mapping[str, Any]],
                         inspected: Mapping[str, Mapping[str, Any]]) -> dict[str, dict[str, Any]]:
    """What each notebook really runs with: its literal defaults, overridden by the plan.

    Parameters
    ----------
    plan : mapping
        The values set for this run (from :func:`plan_parameters`).
    inspected : mapping
        The declared parameters and defaults (from :func:`inspect_parameters`).

    Returns
    -------
    dict
        notebook stem → parameter → value (a default that is not a literal keeps its source text).
    """
    out: dict[str, dict[str, Any]] = {}
    for stem, params in inspected.items():
        values: dict[str, Any] = {}
        for name, meta in params.items():
            try:
                values[name] = ast.literal_eval(meta["default"])
            except (ValueError, SyntaxError):
                values[name] = meta["default"]
        values.update(plan.get(stem, {}))
        out[stem] = values
    return out


def params_hash(effective: Mapping[str, Mapping[str, Any]]) -> str:
    """A short, stable hash of the effective parameters of a run (which runs are comparable).

    Examples
    --------
    >>> params_hash({"03_slo": {"source": "export"}}) == params_hash({"03_slo": {"source": "export"}})
    True
    >>> params_hash({"03_slo": {"source": "export"}}) == params_hash({"03_slo": {"source": "prometheus"}})
    False
    """
    text = json.dumps(jsonable(effective), sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()[:16]
