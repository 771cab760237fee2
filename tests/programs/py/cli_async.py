# A WASI 0.3 command in Python (componentize-py): `run` is an async
# export; stdout, stderr and stdin are `stream<u8>`s with result futures;
# three concurrent `wait-for`s finish in deadline order; arguments and
# environment.
# kiln-test: args = one two
# kiln-test: env = PY_MODE=async
# kiln-test: stdin = "some input, é€😀\n"
# kiln-test: stdout = "hello from python p3\nargs: one two\nPY_MODE=async\norder: fast,mid,slow\nstdin: 22 bytes, upper: SOME INPUT, É€😀\n"
# kiln-test: stderr-like-wasmtime
import asyncio
import wit_world
from wit_world import exports
from wit_world.imports import stdout, stderr, stdin, environment, monotonic_clock


class Run(exports.Run):
    async def run(self) -> None:
        tx, rx = wit_world.byte_stream()
        done = stdout.write_via_stream(rx)
        etx, erx = wit_world.byte_stream()
        edone = stderr.write_via_stream(erx)
        with tx:
            await tx.write_all(b"hello from python p3\n")
            args = environment.get_arguments()
            await tx.write_all(("args: " + " ".join(args[1:]) + "\n").encode())
            env = dict(environment.get_environment())
            await tx.write_all(("PY_MODE=" + env.get("PY_MODE", "?") + "\n").encode())
            order = []

            async def sleeper(name, ms):
                await monotonic_clock.wait_for(ms * 1_000_000)
                order.append(name)

            await asyncio.gather(sleeper("slow", 30), sleeper("fast", 5), sleeper("mid", 15))
            await tx.write_all(("order: " + ",".join(order) + "\n").encode())
            srx, _ = stdin.read_via_stream()
            total = b""
            with srx:
                while not srx.writer_dropped:
                    total += await srx.read(4096)
            text = total.decode().upper().strip()
            await tx.write_all(("stdin: %d bytes, upper: %s\n" % (len(total), text)).encode())
        with etx:
            await etx.write_all(b"to stderr through a stream\n")
        await done.read()
        await edone.read()
