"""The package's shape: no import cycles between ledgerkit's modules, and which folder may import which.

Imports are read with ast from every module of the package and its sub-packages, at module
level and inside functions alike: an import deferred into a function (to keep ``--help`` fast)
is still a dependency, and a cycle through one still means two modules that cannot be
understood, tested or moved apart.

The layers (the shared architecture note): reading and rules decide, they never import a
writer (workbook, notice, combine, xlsxwriter, docx); no library folder imports the CLI, where all
printing is; support is the floor and imports nothing of ledgerkit outside itself.
"""

from __future__ import annotations

import ast
from pathlib import Path

from conftest import ROOT

PACKAGE = "ledgerkit"
SOURCE = ROOT / PACKAGE

# Cycles known and being removed elsewhere, as (module, module) pairs, each with a comment naming
# the branch that removes it. Empty: notice.py ↔ docx_render.py was listed here until the notice
# split (notice_content / notice_wording / notice_model) merged. A new cycle is never added here.
KNOWN_CYCLES: set[tuple[str, str]] = set()


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imported_modules(path: Path, modules: set[str]) -> set[str]:
    """The package's modules ``path`` imports, anywhere in the file."""
    name = module_name(path)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")
                anchor = anchor[: len(anchor) - (node.level - 1)]
                base = ".".join([*anchor, base] if base else anchor)
            found.add(base)
            # ``from . import notice`` imports the module notice, not a name in the package
            found.update(f"{base}.{alias.name}" for alias in node.names)
    return {m for m in found if m in modules and m != name}


def import_graph() -> dict[str, set[str]]:
    files = sorted(SOURCE.rglob("*.py"))
    modules = {module_name(p) for p in files}
    return {module_name(p): imported_modules(p, modules) for p in files}


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return found


def test_the_graph_is_read_from_the_sources():
    graph = import_graph()
    # A module-level import, a function-level one and a ``from . import x`` are all seen.
    assert "ledgerkit.errors" in graph["ledgerkit.workflow.report"]
    assert "ledgerkit.pipeline" in graph["ledgerkit.workflow.report"]  # inside report_one
    assert "ledgerkit.notice" in graph["ledgerkit.workflow.batch"]  # ``from . import notice`` in a function


def test_the_cycle_finder_finds_a_cycle_through_function_level_imports():
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert cycles({"a": {"b"}, "b": set()}) == []


def test_no_import_cycles_in_the_package():
    graph = import_graph()
    for a, b in KNOWN_CYCLES:  # look through a known cycle only at its own pair of edges
        graph[a].discard(b)
        graph[b].discard(a)
    found = cycles(graph)
    assert not found, "import cycles: " + "; ".join(" ↔ ".join(c) for c in found)


def test_known_cycles_are_still_cycles():
    """An entry that no longer is a cycle must be removed from KNOWN_CYCLES (so it cannot return)."""
    graph = import_graph()
    for a, b in KNOWN_CYCLES:
        assert b in graph[a] and a in graph[b], f"{a} ↔ {b} is no longer a cycle: remove it from KNOWN_CYCLES"


# ---- layering --------------------------------------------------------------------------------

WRITERS = ("ledgerkit.workbook", "ledgerkit.notice", "ledgerkit.combine")
WRITER_LIBRARIES = ("xlsxwriter", "docx")  # third-party packages that write Office files
# feedback/read.py opens the feedback with python-docx (a reader's use); its parse and facts decide.
DECIDING = ("ledgerkit.reading", "ledgerkit.rules", "ledgerkit.feedback.parse", "ledgerkit.feedback.facts")
CLI = ("ledgerkit.cli", "ledgerkit.__main__")  # ``python -m ledgerkit`` is the CLI's other door


def within(module: str, folders: tuple[str, ...]) -> bool:
    return any(module == f or module.startswith(f + ".") for f in folders)


def external_imports(path: Path) -> set[str]:
    """Top-level names of the non-ledgerkit packages ``path`` imports, anywhere in the file."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            found.update(alias.name.partition(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and not node.level and node.module:
            found.add(node.module.partition(".")[0])
    return found - {PACKAGE}


def layer_violations(graph: dict[str, set[str]], externals: dict[str, set[str]]) -> list[str]:
    """Every import that crosses a layer the wrong way, as "a → b"."""
    bad: list[str] = []
    for module, imports in sorted(graph.items()):
        for target in sorted(imports):
            if within(module, DECIDING) and within(target, WRITERS):
                bad.append(f"{module} → {target}（读取、校验不导入写出）")
            if not within(module, CLI) and within(target, CLI):
                bad.append(f"{module} → {target}（库不导入命令行）")
            if within(module, ("ledgerkit.support",)) and not within(target, ("ledgerkit.support",)):
                bad.append(f"{module} → {target}（support 不导入上层）")
        if within(module, DECIDING):
            bad += [
                f"{module} → {lib}（读取、校验不导入写出）"
                for lib in sorted(externals[module] & set(WRITER_LIBRARIES))
            ]
    return bad


def test_layering_rules_catch_each_kind_of_crossing():
    graph = {
        "ledgerkit.reading.read": {"ledgerkit.workbook.styles"},
        "ledgerkit.rules.validate": {"ledgerkit.model"},
        "ledgerkit.workflow.watch": {"ledgerkit.cli.main"},
        "ledgerkit.support.atomic": {"ledgerkit.errors"},
        "ledgerkit.cli.main": {"ledgerkit.workflow.watch"},
    }
    externals = {m: set() for m in graph} | {"ledgerkit.rules.validate": {"docx", "pandera"}}
    found = layer_violations(graph, externals)
    assert found == [
        "ledgerkit.reading.read → ledgerkit.workbook.styles（读取、校验不导入写出）",
        "ledgerkit.rules.validate → docx（读取、校验不导入写出）",
        "ledgerkit.support.atomic → ledgerkit.errors（support 不导入上层）",
        "ledgerkit.workflow.watch → ledgerkit.cli.main（库不导入命令行）",
    ]


def test_each_folder_imports_only_what_its_layer_may():
    graph = import_graph()
    externals = {module_name(p): external_imports(p) for p in sorted(SOURCE.rglob("*.py"))}
    assert "python_calamine" in externals["ledgerkit.reading.read"]  # the external imports are seen
    found = layer_violations(graph, externals)
    assert not found, "layer crossings:\n" + "\n".join(found)


# ---- printing only in cli/ ------------------------------------------------------------------

# support/console.py sets the streams' error handler (it writes nothing), before the CLI prints.
MAY_TOUCH_STREAMS = {"ledgerkit.support.console"}


def console_writes(path: Path) -> list[str]:
    """Each place ``path`` writes to the console itself: print(), sys.stdout/stderr, a rich
    Console, click.echo, a logging StreamHandler; as "line: what"."""
    found: list[str] = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Call):
            f = node.func
            bare = f.id if isinstance(f, ast.Name) else ""
            attr = f.attr if isinstance(f, ast.Attribute) else ""
            owner = f.value.id if isinstance(f, ast.Attribute) and isinstance(f.value, ast.Name) else ""
            if bare in {"print", "Console", "StreamHandler"} or attr in {"Console", "StreamHandler"}:
                found.append(f"{node.lineno}: {bare or attr}()")
            elif owner == "click" and attr in {"echo", "secho"}:
                found.append(f"{node.lineno}: click.{attr}()")
        elif (
            isinstance(node, ast.Attribute)
            and node.attr in {"stdout", "stderr"}
            and isinstance(node.value, ast.Name)
            and node.value.id == "sys"
        ):
            found.append(f"{node.lineno}: sys.{node.attr}")
    return sorted(found, key=lambda w: int(w.partition(":")[0]))


def test_the_console_finder_sees_each_way_of_printing(tmp_path):
    sample = tmp_path / "m.py"
    sample.write_text(
        "import sys, logging\nprint('x')\nsys.stderr.write('x')\nlogging.StreamHandler()\n"
        "from rich.console import Console\nConsole().print('x')\n",
        encoding="utf-8",
    )
    assert console_writes(sample) == ["2: print()", "3: sys.stderr", "4: StreamHandler()", "6: Console()"]


def test_printing_only_in_the_cli():
    found = [
        f"{module_name(p)}:{where}"
        for p in sorted(SOURCE.rglob("*.py"))
        if not within(module_name(p), CLI) and module_name(p) not in MAY_TOUCH_STREAMS
        for where in console_writes(p)
    ]
    assert not found, "the library writes to the console (return lines or take a callback):\n" + "\n".join(
        found
    )


# ---- pure rooms: compare/ and watch's decide ------------------------------------------------

PURE = ("ledgerkit.compare", "ledgerkit.workflow.watch.decide")
# What a pure room may import of ledgerkit: the plain data and the text and figure rules.
PURE_MAY_IMPORT = (
    "ledgerkit.compare",
    "ledgerkit.model",
    "ledgerkit.figures",
    "ledgerkit.text",
    "ledgerkit.formats",
    "ledgerkit.support.speed",
    "ledgerkit.workflow.watch.state",  # decide reads the record's types
)
FILE_CALLS = {"open", "stat", "exists", "is_file", "is_dir", "iterdir", "read_text", "read_bytes", "glob"}


def file_calls(path: Path) -> list[str]:
    """Calls that touch the file system, as "line: name"."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Call):
            f = node.func
            name = f.id if isinstance(f, ast.Name) else f.attr if isinstance(f, ast.Attribute) else ""
            if name in FILE_CALLS:
                found.append(f"{node.lineno}: {name}()")
    return found


def test_the_pure_rooms_read_no_file_and_import_no_stage_that_does():
    graph = import_graph()
    files = {module_name(p): p for p in sorted(SOURCE.rglob("*.py"))}
    pure = [m for m in graph if within(m, PURE)]
    assert "ledgerkit.compare.match" in pure and "ledgerkit.workflow.watch.decide" in pure
    # ``from .. import formats`` names the package itself too: its __init__ holds nothing
    bad = [
        f"{m} → {t}"
        for m in pure
        for t in sorted(graph[m])
        if t != PACKAGE and not within(t, PURE_MAY_IMPORT)
    ]
    bad += [f"{m}:{where}" for m in pure for where in file_calls(files[m]) + console_writes(files[m])]
    assert not bad, "a pure room reaches a file, the console or a stage that does:\n" + "\n".join(bad)
