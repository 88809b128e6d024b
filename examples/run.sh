#!/usr/bin/env bash
# examples/run.sh PREFIX [COMPILER...]: builds and runs every example against the lockstep
# installed in PREFIX (cmake --install ... --prefix PREFIX), once per compiler (default: g++ and
# clang++-16). Each example is a separate CMake project that knows lockstep only through
# find_package. First checks that the installed headers are exactly those <lockstep/sim.h>
# includes, directly or not (plus <lockstep/gtest.h>): nothing missing, nothing internal.
set -euo pipefail
if [ $# -lt 1 ]; then
  echo "usage: examples/run.sh PREFIX [COMPILER...]" >&2
  exit 2
fi
prefix=$(realpath "$1")
shift
compilers=("$@")
[ ${#compilers[@]} -gt 0 ] || compilers=(g++ clang++-16)
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/lockstep-examples.XXXXXX")
trap 'rm -rf "$work"' EXIT

inc="$prefix/include"
needed=$(echo '#include <lockstep/sim.h>' |
         "${compilers[0]}" -std=c++20 -MM -x c++ - -I"$inc" -I"$inc/lockstep" |
         tr ' \\' '\n\n' | grep "^$inc/lockstep/" | sort -u; echo "$inc/lockstep/gtest.h")
installed=$(find "$inc/lockstep" -type f | sort)
if [ "$(sort -u <<<"$needed")" != "$installed" ]; then
  echo "installed headers differ from what <lockstep/sim.h> includes (< needed, > installed):" >&2
  diff <(sort -u <<<"$needed") <(echo "$installed") >&2 || true
  exit 1
fi
echo "installed headers: $(wc -l <<<"$installed"), exactly what <lockstep/sim.h> includes"

for cxx in "${compilers[@]}"; do
  for example in bank inventory; do
    build="$work/$example-$(basename "$cxx")"
    echo "== $example with $cxx"
    cmake -S "$here/$example" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
          -DCMAKE_CXX_COMPILER="$cxx" -DCMAKE_PREFIX_PATH="$prefix" >/dev/null
    cmake --build "$build"
    ctest --test-dir "$build" --output-on-failure
  done
done
