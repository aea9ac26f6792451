"""Everything Mixora knows about one network lives in its package under
`connections/platforms/<network>/`: outside those packages (and the emulator, which stands in
for the networks) no code names a network to branch on it."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from connections.platforms import Platform, Provider
from connections.platforms.registry import PACKAGES

ROOT = Path(__file__).resolve().parents[2]
NAMES = set(Platform.values) | set(Provider.values)
ENUM_MEMBERS = {member.name for member in (*Platform, *Provider)}
# Where naming a network is the point: its own package, the stand-in for it, the names table
# itself, deployment settings keyed by provider, tests and benchmarks that drive one network,
# the local demo's history.
EXEMPT = (
    *(f"connections/platforms/{package}/" for package in PACKAGES),
    "connections/platforms/__init__.py",  # the names table (stored in the database)
    "connections/platforms/registry.py",  # the list of network packages
    "emulator/",
    "tests/",
    "bench/",
    "mixora/settings/",
    "insights/demo.py",  # the local demo connects one chosen emulator account
    ".venv/",
    ".tools/",
    "var/",
)
_ANY_NAME = "|".join(sorted(NAMES))
TEMPLATE_BRANCH = re.compile(
    rf"""(==|!=)\s*["']({_ANY_NAME})["']"""  # platform == "x", platform != "x"
    rf"""|["']({_ANY_NAME})["']\s*(==|!=)"""  # "x" == platform
    rf"""|\bin\s+["'][^"']*\b({_ANY_NAME})\b[^"']*["']"""  # platform in "facebook instagram"
)


def _sources(suffix: str) -> list[Path]:
    return [
        path
        for path in ROOT.rglob(f"*{suffix}")
        if not str(path.relative_to(ROOT)).startswith(EXEMPT) and "migrations" not in path.parts
    ]


def _named_networks(path: Path, root: Path = ROOT) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and node.value in NAMES:
            found.append(f"{path.relative_to(root)}:{node.lineno} {node.value!r}")
        if (
            isinstance(node, ast.Attribute)
            and node.attr in ENUM_MEMBERS
            and isinstance(node.value, ast.Name)
            and node.value.id in ("Platform", "Provider")
        ):
            found.append(f"{path.relative_to(root)}:{node.lineno} {node.value.id}.{node.attr}")
    return found


def test_no_python_outside_the_network_packages_names_a_network():
    offenders = [hit for path in _sources(".py") for hit in _named_networks(path)]
    assert offenders == [], "ask the network's package instead:\n" + "\n".join(offenders)


def test_no_template_branches_on_a_network():
    offenders = [
        f"{path.relative_to(ROOT)}: {match.group(0)}"
        for path in _sources(".html")
        for match in TEMPLATE_BRANCH.finditer(path.read_text())
    ]
    assert offenders == [], "\n".join(offenders)


def test_the_walk_sees_the_code_it_guards():
    # A walk that read nothing would pass for the wrong reason.
    walked = {str(p.relative_to(ROOT)) for p in _sources(".py")}
    shared = {"connections/platforms/network.py", "connections/platforms/base.py"}
    assert {"inbox/windows.py", "publishing/publisher.py", "connections/views.py"} <= walked
    assert shared <= walked  # the interface every network shares is guarded too
    assert "templates/publishing/compose.html" in {
        str(p.relative_to(ROOT)) for p in _sources(".html")
    }


def test_the_check_catches_a_branch_on_a_name(tmp_path):
    sample = tmp_path / "sample.py"
    sample.write_text('if account.platform == "youtube" or p is Platform.X:\n    pass\n')
    assert len(_named_networks(sample, root=tmp_path)) == 2


@pytest.mark.parametrize(
    "template",
    [
        '{% if a.platform == "tiktok" %}',
        "{% if 'x' == a.platform %}",
        '{% if a.platform != "youtube" %}',
        '{% if a.platform in "facebook instagram" %}',
    ],
)
def test_the_template_check_catches_a_branch_on_a_name(template):
    assert TEMPLATE_BRANCH.search(template)


def test_the_template_check_leaves_other_text_alone():
    assert not TEMPLATE_BRANCH.search('{% if a.status == "active" %} in "the next" {{ x }}')
