// An async export of a JavaScript component (componentize-qjs, default
// async runtime), called with `--invoke`: the task waits on two host
// `wait-for` subtasks at once before `task.return`.
// kiln-test: invoke = "greet(\"World\")"
// kiln-test: stdout = "\"Hello, World! (waited: short, long)\"\n"
import { waitFor } from "wasi:clocks/monotonic-clock@0.3.0";

export async function greet(name) {
  const order = [];
  await Promise.all([
    waitFor(30000000).then(() => order.push("long")),
    waitFor(5000000).then(() => order.push("short")),
  ]);
  return `Hello, ${name}! (waited: ${order.join(", ")})`;
}
