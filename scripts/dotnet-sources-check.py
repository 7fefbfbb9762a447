"""Checks the generated C# sources of the .NET package where no .NET SDK can build them.

Usage: python dotnet-sources-check.py ASSEMBLY_JSII SOURCES_DIR

No C# compiler that reads jsii's C# (C# 8: nullable reference types, default interface members) can be
installed here, and the NuGet packages they compile against cannot be fetched. So this checks what can be
checked without them: every .cs file parses with a complete C# grammar (tree-sitter-c-sharp), and every
type and member of the jsii assembly is declared in them under its .NET name, which must not be a C#
keyword. It is not a compilation: types and overloads are not resolved.
"""
import glob
import json
import os
import sys

import tree_sitter_c_sharp
from tree_sitter import Language, Parser

# C# keywords (not contextual ones): a member named like one would not compile without '@'.
CSHARP_KEYWORDS = set("""abstract as base bool break byte case catch char checked class const continue decimal default
delegate do double else enum event explicit extern false finally fixed float for foreach goto if implicit in int
interface internal is lock long namespace new null object operator out override params private protected public
readonly ref return sbyte sealed short sizeof stackalloc static string struct switch this throw true try typeof uint
ulong unchecked unsafe ushort using virtual void volatile while""".split())


def pascal(name):
    return name[0].upper() + name[1:]


def first_error(node):
    stack = [node]
    while stack:
        n = stack.pop()
        if n.type == "ERROR" or n.is_missing:
            return n
        stack.extend(reversed(n.children))
    return None


def declared_names(tree):
    """Names of every type and member declaration in a parsed file."""
    names = set()
    stack = [tree.root_node]
    while stack:
        n = stack.pop()
        if n.type.endswith("_declaration"):
            name = n.child_by_field_name("name")
            if name is not None:
                names.add(name.text.decode())
        if n.type == "enum_member_declaration":
            for c in n.children:
                if c.type == "identifier":
                    names.add(c.text.decode())
        stack.extend(n.children)
    return names


def main(assembly_path, sources_dir):
    assembly = json.load(open(assembly_path))
    parser = Parser(Language(tree_sitter_c_sharp.language()))
    files = sorted(glob.glob(os.path.join(sources_dir, "**", "*.cs"), recursive=True))
    if not files:
        print(f"no C# sources in {sources_dir}: run `npx projen package:dotnet` first")
        return 1
    problems = []
    declared = set()
    for f in files:
        tree = parser.parse(open(f, "rb").read())
        error = first_error(tree.root_node)
        if error is not None:
            line, column = error.start_point
            problems.append(f"{os.path.relpath(f, sources_dir)}:{line + 1}:{column + 1}: C# syntax error ({'missing ' + error.type if error.is_missing else 'unexpected text'})")
        declared |= declared_names(tree)

    expected = 0
    for fqn, t in assembly["types"].items():
        names = [t["name"]]  # structs also get an I-prefixed interface; the class keeps the jsii name
        members = [m["name"] for m in t.get("properties", []) + t.get("methods", [])]
        members += [m["name"] for m in t.get("members", [])]  # enum members keep their case
        for name in names:
            expected += 1
            if name not in declared:
                problems.append(f"type {fqn}: no C# declaration named {name}")
        for member in members:
            expected += 1
            dotnet = member if t["kind"] == "enum" else pascal(member)
            if dotnet in CSHARP_KEYWORDS:
                problems.append(f"{fqn}.{member}: its .NET name {dotnet} is a C# keyword")
            elif dotnet not in declared:
                problems.append(f"{fqn}.{member}: no C# declaration named {dotnet}")

    for p in problems:
        print(p)
    print(f".NET sources: {len(files)} C# files parsed, {expected} jsii types and members declared under their .NET names; "
          f"{len(problems)} problem(s)")
    return 1 if problems else 0


if __name__ == "__main__":
    if len(sys.argv) != 3:
        print(__doc__)
        sys.exit(2)
    sys.exit(main(sys.argv[1], sys.argv[2]))
