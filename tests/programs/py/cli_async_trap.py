# A WASI 0.3 command in Python that raises after writing through its
# stdout stream: the uncaught exception traps (exit 134) with Wasmtime's
# report, after the line already written.
# kiln-test: stdout = "before the error\n"
# kiln-test: exit = 134
# kiln-test: stderr-contains = "IndexError: list index out of range"
# kiln-test: stderr-like-wasmtime
import wit_world
from wit_world import exports
from wit_world.imports import stdout


class Run(exports.Run):
    async def run(self) -> None:
        tx, rx = wit_world.byte_stream()
        done = stdout.write_via_stream(rx)
        with tx:
            await tx.write_all(b"before the error\n")
        await done.read()
        xs = [1, 2, 3]
        print(xs[10])
