#!/usr/bin/env python3
"""The README's recipe for adding LiveImport to one's own JupyterLite site, as
tests/browser/site-recipe.test.mjs runs it (exactly as written).

The README's recipe for a Sphinx site with jupyterlite-sphinx likewise, for
tests/browser/sphinx-recipe.test.mjs (HEADING "A Sphinx site
(jupyterlite-sphinx)").

Usage:
  site_recipe.py blocks README [HEADING]
      Print, as a JSON list, the ```bash blocks of the README section
      HEADING (default "Add it to your own site"; its heading up to the next
      heading of the same or a higher level), in order.
  site_recipe.py files README HEADING
      Print, as a JSON list of {"path", "text"}, the files the section shows:
      every fenced block (any language but bash) whose preceding line ends
      with a colon and starts with a path in backquotes (`` `docs/conf.py`: ``).
  site_recipe.py download README WHEEL_DIR [HEADING]
      Download, once, every package the blocks' ``pip install`` commands name
      from PyPI (with their dependencies, for the running CPython) into
      WHEEL_DIR, so that the test can run the commands offline
      (``PIP_NO_INDEX=1 PIP_FIND_LINKS=WHEEL_DIR``). Local wheel paths in the
      commands are left to the test. A stamp keyed by the requirements makes a
      second run do nothing.

Exit status: non-zero (pip's, or 2 with a message) on failure.
"""
import hashlib
import json
import os
import re
import shlex
import subprocess
import sys

HEADING = "Add it to your own site"


def fenced(readme, heading=HEADING):
    """The fenced blocks of the section, in order: (language, text, the line
    before the fence)."""
    with open(readme, encoding="utf-8") as f:
        lines = f.read().split("\n")
    start = level = None
    for i, line in enumerate(lines):
        m = re.match(r"^(#+)\s+(.*)$", line)
        if m and m.group(2).strip() == heading:
            start, level = i + 1, len(m.group(1))
            break
    if start is None:
        raise SystemExit(f"site_recipe: no '{heading}' heading in {readme}")
    found, current, language, before = [], None, None, ""
    for i in range(start, len(lines)):
        line = lines[i]
        m = re.match(r"^(#+)\s", line)
        if current is None and m and len(m.group(1)) <= level:
            break
        if current is None and line.startswith("```"):
            current, language, before = [], line[3:].strip(), lines[i - 1]
        elif current is not None and line.strip() == "```":
            found.append((language, "\n".join(current) + "\n", before))
            current = None
        elif current is not None:
            current.append(line)
    return found


def blocks(readme, heading=HEADING):
    """The ```bash blocks of the recipe section, in order."""
    found = [text for language, text, _ in fenced(readme, heading) if language == "bash"]
    if not found:
        raise SystemExit(f"site_recipe: no ```bash block under '{heading}'")
    return found


def files(readme, heading):
    """The files the section shows: [{"path", "text"}]."""
    found = []
    for language, text, before in fenced(readme, heading):
        m = re.match(r"`([^`]+)`.*:$", before.strip())
        if language != "bash" and m:
            found.append({"path": m.group(1), "text": text})
    if not found:
        raise SystemExit(f"site_recipe: no file block under '{heading}'")
    return found


def requirements(readme, heading=HEADING):
    """The PyPI requirements of the blocks' ``pip install`` commands."""
    reqs = []
    for block in blocks(readme, heading):
        for command in block.replace("\\\n", " ").split("\n"):
            words = shlex.split(command, comments=True)
            if len(words) < 3 or not words[0].endswith("pip") or words[1] != "install":
                continue
            for word in words[2:]:
                if word.startswith("-") or word.endswith(".whl") or word.startswith((".", "/")):
                    continue
                reqs.append(word)
    return reqs


def download(readme, dest, heading=HEADING):
    reqs = requirements(readme, heading)
    key = hashlib.sha256(json.dumps([sys.version, reqs]).encode()).hexdigest()
    stamp = os.path.join(dest, ".stamp")
    try:
        with open(stamp) as f:
            if f.read() == key:
                return 0
    except OSError:
        pass
    os.makedirs(dest, exist_ok=True)
    print("site recipe wheels:", " ".join(reqs), file=sys.stderr)
    rc = subprocess.run([sys.executable, "-m", "pip", "download", "--quiet",
                         "--disable-pip-version-check", "--only-binary=:all:", "-d", dest,
                         *reqs]).returncode
    if rc:
        return rc
    with open(stamp, "w") as f:
        f.write(key)
    return 0


def main(argv):
    if len(argv) in (2, 3) and argv[0] == "blocks":
        print(json.dumps(blocks(*argv[1:])))
        return 0
    if len(argv) == 3 and argv[0] == "files":
        print(json.dumps(files(*argv[1:])))
        return 0
    if len(argv) in (3, 4) and argv[0] == "download":
        return download(*argv[1:])
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
