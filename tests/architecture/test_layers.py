"""Apps import downwards only. A lower app never names a higher one: it sends a signal
(mixora/personal_data.py: a person is deleted, a workspace is purged) or offers a registry
(export sections) that the higher apps answer. This is what lets deletion and exports cover a
new app without the lower layers learning about it."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

# Lower number, lower layer; an app may import its own layer and those below.
LAYERS = {
    "mixora": 0,
    "audit": 1,
    "accounts": 1,
    "support": 2,
    "notifications": 2,
    "connections": 2,
    "assistant": 2,
    "publishing": 3,
    "inbox": 4,
    "insights": 4,
    "consent": 5,
    "legal": 5,
    "privacy": 5,
    "exports": 5,
    "retention": 5,
    "home": 5,
    "billing": 6,
}
# Modules that wire the whole product together, and why they may look up.
WIRING = {
    "mixora/urls.py": "the URL root includes every app's URLs",
    "mixora/settings/": "settings name every app",
    "accounts/demo.py": "seeds a demo of the whole product",
    "accounts/management/": "commands that seed the whole demo",
    "accounts/forms.py": "the sign-up form records the marketing choice made on it",
}


def _modules() -> list[Path]:
    return [
        path
        for app in LAYERS
        for path in (ROOT / app).rglob("*.py")
        if "migrations" not in path.parts
        and not str(path.relative_to(ROOT)).startswith(tuple(WIRING))
    ]


def _runtime_nodes(tree: ast.AST) -> list[ast.AST]:
    """Every node but those under `if TYPE_CHECKING:` (type hints import nothing at run time)."""
    skipped = {
        id(inner)
        for node in ast.walk(tree)
        if isinstance(node, ast.If) and ast.unparse(node.test).endswith("TYPE_CHECKING")
        for child in node.body
        for inner in ast.walk(child)
    }
    return [node for node in ast.walk(tree) if id(node) not in skipped]


def _imported_apps(path: Path) -> set[str]:
    names = set()
    for node in _runtime_nodes(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module.split(".")[0])
    return names & set(LAYERS)


def test_the_walk_reads_the_apps():
    walked = {path.relative_to(ROOT).parts[0] for path in _modules()}
    assert walked == set(LAYERS)
    assert ROOT / "accounts" / "deletion.py" in _modules()


@pytest.mark.parametrize("app", sorted(LAYERS))
def test_an_app_imports_only_its_layer_and_below(app):
    upward = [
        f"{path.relative_to(ROOT)} imports {other}"
        for path in _modules()
        if path.relative_to(ROOT).parts[0] == app
        for other in _imported_apps(path)
        if LAYERS[other] > LAYERS[app]
    ]
    assert not upward, "send a signal or use a registry instead: " + "; ".join(upward)
