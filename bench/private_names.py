"""Lines of the project's own code that touch a Viewflow private name or a context variable.

A goal of issue 12 is that none do: the flow uses Viewflow through its public API, and no
module keeps a mode in a `contextvars.ContextVar`. Counted with a grep-like scan of the
project's Python files (not .venv, not node_modules):

- a name with a leading underscore imported from a `viewflow` module;
- `._name` attribute use on a Viewflow object: on a name imported from viewflow, on `viewflow.`
  itself, or on the variables the project's flow code calls Viewflow's objects by (`activation`,
  `flow_task`, `flow_class`, `node`, `task`, `process`, `this`), in files that import viewflow;
- any line that uses `contextvars` or `ContextVar`.

Django's `_meta` and dunder names are not private names.
"""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SKIP = {".venv", "node_modules", "var", ".git", "dist", "__pycache__"}
VIEWFLOW_OBJECTS = ["activation", "flow_task", "flow_class", "node", "task", "process", "this"]
IMPORT = re.compile(r"^\s*from\s+viewflow[\w.]*\s+import\s+(.*)$")
CONTEXT = re.compile(r"\bcontextvars\b|\bContextVar\b")


def files(root: Path = ROOT):
    for path in sorted(root.rglob("*.py")):
        if not SKIP & set(path.relative_to(root).parts):
            yield path


def scan(root: Path = ROOT) -> list[str]:
    """`path:line: text` of every offending line."""
    found = []
    for path in files(root):
        lines = path.read_text(encoding="utf-8").splitlines()
        imported, in_import = set(), False
        for line in lines:
            match = IMPORT.match(line)
            if match or in_import:
                names = match.group(1) if match else line
                in_import = "(" in line and ")" not in line if match else ")" not in line
                imported |= set(re.findall(r"\b([A-Za-z_]\w*)\b(?!\s+as\b)", names)) - {"import"}
        uses_viewflow = bool(imported) or any("viewflow" in line for line in lines)
        owners = sorted(imported | (set(VIEWFLOW_OBJECTS) if uses_viewflow else set()), key=len)
        attribute = (
            re.compile(r"\b(?:viewflow(?:\.\w+)*|" + "|".join(map(re.escape, owners)) + r")\._(?!_|meta\b)\w")
            if owners
            else re.compile(r"\bviewflow(?:\.\w+)*\._(?!_)\w")
        )  # fmt: skip
        in_import = in_text = False
        for number, line in enumerate(lines, start=1):
            quotes = line.count('"""') + line.count("'''")
            if in_text or quotes:
                in_text = in_text != (quotes % 2 == 1)  # a docstring, not code
                continue
            code = line.split("#", 1)[0]
            match = IMPORT.match(code)
            private_import = False
            if match or in_import:
                names = match.group(1) if match else code
                in_import = ("(" in code and ")" not in code) if match else ")" not in code
                private_import = bool(re.search(r"(?:^|[\s,(])_(?!_)\w", names))
            if private_import or attribute.search(code) or CONTEXT.search(code):
                found.append(f"{path.relative_to(root)}:{number}: {line.strip()}")
    return found


if __name__ == "__main__":
    hits = scan()
    print("\n".join(hits))
    print(f"{len(hits)} lines")
