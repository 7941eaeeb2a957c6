"""analysis.yamlio: the one YAML loader and its one error format (``file:line: problem``)."""

from pathlib import Path

import pytest

from analysis.errors import ConfigError
from analysis.yamlio import load_yaml, parse_yaml


def test_load_a_mapping_and_an_empty_file(tmp_path: Path):
    f = tmp_path / "p.yaml"
    f.write_text("a: 1\nb: [x, y]\n", encoding="utf-8")
    assert load_yaml(f) == {"a": 1, "b": ["x", "y"]}
    empty = tmp_path / "empty.yaml"
    empty.write_text("")
    assert load_yaml(empty) is None


def test_invalid_yaml_names_the_file_and_the_line(tmp_path: Path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("a: 1\nb: [1, 2\nc: 3\n")
    with pytest.raises(ConfigError) as exc:
        load_yaml(bad)
    message = str(exc.value)
    assert message.startswith(f"{bad}:3: invalid YAML (") and "\n" not in message


def test_not_found(tmp_path: Path):
    missing = tmp_path / "missing.yaml"
    with pytest.raises(ConfigError) as exc:
        load_yaml(missing)
    assert str(exc.value) == f"{missing}: not found"
    with pytest.raises(ConfigError, match=": not found"):
        load_yaml(tmp_path)  # a directory is not a YAML file


def test_not_utf8(tmp_path: Path):
    latin = tmp_path / "latin.yaml"
    latin.write_bytes("name: caf\xe9\n".encode("latin-1"))
    with pytest.raises(ConfigError) as exc:
        load_yaml(latin)
    assert str(exc.value) == f"{latin}: not UTF-8 text"


def test_multi_returns_every_document_without_empty_ones(tmp_path: Path):
    f = tmp_path / "multi.yaml"
    f.write_text("---\na: 1\n---\n---\nb: 2\n")
    assert load_yaml(f, multi=True) == [{"a": 1}, {"b": 2}]
    with pytest.raises(ConfigError, match=r"multi.yaml:\d+: invalid YAML"):
        f.write_text("a: 1\n---\nb: [\n")
        load_yaml(f, multi=True)


def test_parse_yaml_names_where_the_text_came_from():
    assert parse_yaml("[100, 1000]", "-p sizes") == [100, 1000]
    with pytest.raises(ConfigError) as exc:
        parse_yaml("key: [1,", "-p sizes")
    assert str(exc.value).startswith("-p sizes:1: invalid YAML (")


def test_safe_loader_refuses_python_objects():
    with pytest.raises(ConfigError, match="invalid YAML"):
        parse_yaml("!!python/object/apply:os.system ['true']", "evil.yaml")
