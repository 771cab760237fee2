#!/usr/bin/env bash
# Runs one Kiln fuzz target for a given time and prints how many cases ran.
#
#   fuzz/run.sh <compile|differential> <seconds> [extra libFuzzer flags...]
#
# - Builds the target with `cargo fuzz build -s none` (works on stable Rust:
#   no sanitizer means no -Z flag; see fuzz/README.md).
# - Runs it in chunks of at most $KILN_FUZZ_CHUNK seconds (default 600) on
#   the persistent corpus fuzz/corpus/<target>, so that the few resources a
#   case may leak on purpose (a Kiln instance whose instantiation failed is
#   kept alive, as the runtime requires) never pile up.
# - Seeds an empty corpus with random inputs of a few KB, so wasm-smith makes
#   modules of a useful size from the start.
# - Stops at the first finding: the crash input is in
#   fuzz/artifacts/<target>/, and the reproduction command is printed.
# - Prints the total `N cases executed` (the sum of libFuzzer's final `#N`
#   / `Done N runs` over the chunks) and exits 0, or 1 on a finding.
set -euo pipefail

if [ $# -lt 2 ]; then
    echo "usage: $0 <compile|differential> <seconds> [libFuzzer flags...]" >&2
    exit 2
fi
target=$1
total=$2
shift 2
chunk=${KILN_FUZZ_CHUNK:-600}

cd "$(dirname "$0")"
corpus=corpus/$target
artifacts=artifacts/$target
logs=logs
mkdir -p "$corpus" "$artifacts" "$logs"

if [ -z "$(ls -A "$corpus")" ]; then
    for i in $(seq 1 64); do
        head -c $((512 * (1 + i % 16))) /dev/urandom >"$corpus/seed-$i"
    done
fi

cargo fuzz build -s none "$target" >&2
bin=target/x86_64-unknown-linux-gnu/release/$target

cases=0
left=$total
status=0
n=0
while [ "$left" -gt 0 ]; do
    n=$((n + 1))
    this=$((left < chunk ? left : chunk))
    log=$logs/$target-$(date -u +%Y%m%dT%H%M%S)-$n.log
    set +e
    "$bin" "$corpus" -artifact_prefix="$artifacts/" -max_total_time="$this" \
        -max_len=8192 -len_control=0 -rss_limit_mb=4096 -timeout=60 \
        -print_final_stats=1 "$@" >"$log" 2>&1
    rc=$?
    set -e
    # `Done N runs` on a clean end; after a finding the last `#N` line.
    ran=$(grep -oE '^Done [0-9]+ runs' "$log" | grep -oE '[0-9]+' | tail -1 || true)
    if [ -z "$ran" ]; then
        ran=$(grep -oE '^#[0-9]+' "$log" | tr -d '#' | tail -1 || true)
    fi
    cases=$((cases + ${ran:-0}))
    echo "chunk $n: ${ran:-0} cases (of at most ${this}s; log: fuzz/$log)" >&2
    grep -E '^kiln-fuzz' "$log" | tail -1 >&2 || true
    if [ "$rc" -ne 0 ]; then
        echo "FINDING in chunk $n (exit $rc):" >&2
        grep -E "panicked at" -A14 "$log" | head -40 >&2 || true
        grep -E "Test unit written|ERROR: libFuzzer" "$log" >&2 || true
        echo "reproduce: cd fuzz && KILN_FUZZ_DUMP=/tmp/case.wasm $bin <crash file>" >&2
        status=1
        break
    fi
    left=$((left - this))
done

echo "$target: $cases cases executed"
exit $status
