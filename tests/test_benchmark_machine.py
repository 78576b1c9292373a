"""The benchmarks' before/after helper runs the tree it is given, wherever it is called from."""

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))

from machine import json_from_tree  # noqa: E402  (benchmarks/machine.py)

WHERE = "import json, digitnet; print(json.dumps(digitnet.__file__))"


def test_json_from_tree_imports_the_given_tree_even_from_the_repository_root(tmp_path, monkeypatch):
    (tmp_path / "digitnet").mkdir()
    (tmp_path / "digitnet" / "__init__.py").write_text("")
    monkeypatch.chdir(ROOT)
    assert Path(json_from_tree(tmp_path, WHERE)).parent == tmp_path / "digitnet"
    assert Path(json_from_tree(ROOT, WHERE)).parent == ROOT / "digitnet"
