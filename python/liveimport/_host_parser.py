"""The host parser of the engine (``_engine.pyi``, ``check_syntax``): the
running Python's own verdict on a module source, which has the last word on
every syntax error the engine finds (LiveImport 1.3.1's rule: a module whose
source ``ast.parse`` rejects cannot be analysed)."""

from __future__ import annotations

__all__ = ("check_syntax",)


def check_syntax(file: str, source: str) -> BaseException | None:
    """``None`` when the running Python's parser accepts ``source`` (the
    decoded text of the module file ``file``, a path used in messages only),
    else the exception ``ast.parse`` raises: a ``SyntaxError`` (or its
    subclasses ``IndentationError``, ``TabError``) with CPython's message,
    file, line and offset, or a ``ValueError`` for NUL bytes (before Python
    3.12). ``RecursionError`` and ``MemoryError`` (source nested too deeply for
    ``ast``'s objects, which CPython still imports) are no verdict: accepted.
    Never raises."""
    import ast  # loaded already in a notebook kernel; only asked about edited or suspect files

    try:
        ast.parse(source, file)
    except (SyntaxError, ValueError) as error:  # ValueError: NUL bytes, before 3.12
        return error
    except (RecursionError, MemoryError):
        # Not a syntax verdict: building the AST objects of very deeply nested (valid)
        # source exhausts the recursion limit, where compiling it for import does not.
        return None
    return None
