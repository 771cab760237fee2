# A WASI 0.2 command in Python (componentize-py): print, input, arguments
# and environment through CPython on wasi-libc.
# kiln-test: args = one two
# kiln-test: env = PY_MODE=sync
# kiln-test: stdin = "a line\n"
# kiln-test: stdout = "hello from python p2\nargs ['one', 'two']\nPY_MODE=sync\ngot 'a line'\n"
# kiln-test: stderr-contains = "to stderr"
import os
import sys
from wit_world import exports


class Run(exports.Run):
    def run(self) -> None:
        print("hello from python p2")
        print("args", sys.argv[1:])
        print("PY_MODE=" + os.environ.get("PY_MODE", "?"))
        print("got", repr(input()))
        print("to stderr", file=sys.stderr)
