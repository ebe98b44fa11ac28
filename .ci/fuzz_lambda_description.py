"""Loaded into the fuzzer's own Python environment by .ci/fuzz.

Hypothesis reads a source file with `ast.parse` only to describe a filter function in its
messages. On Python 3.11 that call can fail deep in a stack with "AST constructor recursion
depth mismatch" (a SystemError of the interpreter, not of the API under test), which would
end the whole run. Such a failure now leaves the description unknown, as Hypothesis does
for any function whose source it cannot read.
"""

import hypothesis.internal.lambda_sources as _sources

_describe = _sources._lambda_description


def _lambda_description(f, *args, **kwargs):
    try:
        return _describe(f, *args, **kwargs)
    except SystemError:
        return "lambda: <unknown>"


_sources._lambda_description = _lambda_description
