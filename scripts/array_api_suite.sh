#!/usr/bin/env bash
# Runs the array API standard's official test suite (data-apis/array-api-tests, with its
# array-api spec submodule) against rusttorch and against array-api-strict under the same
# settings, and prints both pass counts and the tests array-api-strict passes that rusttorch
# does not (docs/array-api.md). Nothing of the suite is kept in this repository: it is cloned
# into a temporary directory (or ARRAY_API_TESTS_DIR, reused when it exists).
#
#   scripts/array_api_suite.sh                 # after `make develop`
#   MAX_EXAMPLES=50 scripts/array_api_suite.sh -k linalg
#
# Extra arguments go to both pytest runs. Needs git and network access on the first run.
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
PYTHON="${PYTHON:-$ROOT/.venv/bin/python}"
MAX_EXAMPLES="${MAX_EXAMPLES:-20}"
TESTS_COMMIT="${ARRAY_API_TESTS_COMMIT:-55fcc60179efa2680ddd6cd926ddf17b83530e2b}"
DIR="${ARRAY_API_TESTS_DIR:-$(mktemp -d)/array-api-tests}"
OUT="${ARRAY_API_OUT:-$ROOT/bench-results/array-api}"

if [ ! -d "$DIR/array_api_tests" ]; then
    git clone -q https://github.com/data-apis/array-api-tests "$DIR"
    git -C "$DIR" checkout -q "$TESTS_COMMIT"
    git -C "$DIR" submodule update -q --init  # the spec, at the commit the suite pins
    # The suite assumes complex dtypes exist; rusttorch has none (TypeError by design). Two local
    # guards, never committed anywhere.
    "$PYTHON" - "$DIR" <<'EOF'
import pathlib, sys
root = pathlib.Path(sys.argv[1]) / "array_api_tests"
p = root / "dtype_helpers.py"
s = p.read_text()
s = s.replace(
    "    [(dt, dtype_nbits[dt]) for dt in complex_dtypes], key=lambda x: x[1]\n)[0]\n",
    "    [(dt, dtype_nbits[dt]) for dt in complex_dtypes], key=lambda x: x[1]\n"
    ")[0] if complex_dtypes else None\n",
)
p.write_text(s)
p = root / "test_signatures.py"
s = p.read_text()
s = s.replace(
    "cmplx_name = dh.dtype_to_name[dh.widest_complex_dtype]",
    'cmplx_name = dh.dtype_to_name[dh.widest_complex_dtype] if dh.complex_dtypes else "complex128"',
)
p.write_text(s)
EOF
fi
"$PYTHON" -m pip install -q -r "$DIR/requirements.txt" array-api-strict

# Skip exactly the standard's dtypes rusttorch does not have (for both libraries).
SKIP="$("$PYTHON" -c '
import rusttorch as rt
names = ["int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64",
         "float32", "float64", "complex64", "complex128"]
print(",".join(n for n in names if not hasattr(rt, n)))')"
mkdir -p "$OUT"
echo "ARRAY_API_TESTS_SKIP_DTYPES=$SKIP, --max-examples $MAX_EXAMPLES"

for module in array_api_strict rusttorch; do
    (cd "$DIR" && ARRAY_API_TESTS_MODULE=$module ARRAY_API_TESTS_VERSION=2024.12 \
        ARRAY_API_TESTS_SKIP_DTYPES="$SKIP" \
        "$PYTHON" -m pytest array_api_tests --max-examples "$MAX_EXAMPLES" -q -p no:cacheprovider \
        --json-report --json-report-file="$OUT/$module.json" "$@" >"$OUT/$module.log" 2>&1) || true
    tail -n 1 "$OUT/$module.log"
done

"$PYTHON" - "$OUT/array_api_strict.json" "$OUT/rusttorch.json" <<'EOF'
import collections, json, sys
def outcomes(path):
    return {t["nodeid"]: t["outcome"] for t in json.load(open(path))["tests"]}
strict, ours = outcomes(sys.argv[1]), outcomes(sys.argv[2])
passed = [k for k, v in strict.items() if v == "passed"]
lost = [k for k in passed if ours.get(k) != "passed"]
n_ours = sum(v == "passed" for v in ours.values())
print(f"array-api-strict passes {len(passed)}, rusttorch passes {n_ours} "
      f"({n_ours / len(passed):.1%}); of array-api-strict's passes rusttorch passes "
      f"{len(passed) - len(lost)} ({(len(passed) - len(lost)) / len(passed):.1%})")
for name, n in collections.Counter(k.split("::")[0] for k in lost).most_common():
    print(f"  {n:4d} lost in {name}")
for k in lost:
    print("    ", k)
EOF
