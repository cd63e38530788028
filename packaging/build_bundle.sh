#!/usr/bin/env bash
# Build the PyInstaller bundle (build.spec) and smoke-test it the way a user would run it:
# read-only install folder, empty home directory, no network, no display (Qt offscreen).
#
#   packaging/build_bundle.sh            # build (incremental: reuses build/pyinstaller) + smoke test
#   packaging/build_bundle.sh --clean    # build from scratch
#   packaging/build_bundle.sh --no-build # smoke-test the existing dist/cta-desktop
#
# Env: PYTHON (default: the active venv, else .venv/bin/python, else python3), BUNDLE_FIRST_WINDOW_RUNS
# (default 3, 0 skips), BUNDLE_STEP_TIMEOUT (seconds per smoke-test step, default 900),
# BUNDLE_SHOTS_DIR (keep the GUI screenshots there).
# Prints timings and the bundle size; any failure exits non-zero with a line starting "BUNDLE FAILED".
set -euo pipefail

cd "$(dirname "$0")/.."
ROOT=$PWD
if [ -z "${PYTHON:-}" ]; then
  if [ -n "${VIRTUAL_ENV:-}" ]; then PYTHON=$VIRTUAL_ENV/bin/python
  elif [ -x .venv/bin/python ]; then PYTHON=$ROOT/.venv/bin/python
  else PYTHON=python3; fi
fi
DIST=$ROOT/dist/cta-desktop
EXE=$DIST/cta-desktop
CLI=$DIST/cta-desktop-cli
STEP_TIMEOUT=${BUNDLE_STEP_TIMEOUT:-900}
CLEAN=""
BUILD=1
for arg in "$@"; do
  case $arg in
    --clean) CLEAN=--clean ;;
    --no-build) BUILD=0 ;;
    *) echo "usage: $0 [--clean] [--no-build]" >&2; exit 2 ;;
  esac
done

fail() { echo "BUNDLE FAILED: $*" >&2; exit 1; }
now() { date +%s.%N; }
secs() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }
step() { echo; echo "== $* =="; }

# ------------------------------------------------------------------------------------------------
if [ "$BUILD" = 1 ]; then
  step "pyinstaller build.spec $CLEAN"
  # A previous smoke test leaves dist/ read-only; make it removable again.
  [ -d "$DIST" ] && chmod -R u+w "$DIST"
  "$PYTHON" -c "import PyInstaller" 2>/dev/null || fail "$PYTHON has no PyInstaller; pip install -e '.[bundle]'"
  t0=$(now)
  "$PYTHON" -m PyInstaller --noconfirm $CLEAN --log-level WARN \
      --workpath build/pyinstaller --distpath dist build.spec || fail "pyinstaller exited $?"
  echo "build time: $(secs "$t0") s"
fi
[ -x "$EXE" ] && [ -x "$CLI" ] || fail "$EXE or $CLI missing; build first"

# ------------------------------------------------------------------------------------------------
step "bundle contents"
du -sh "$DIST" | awk '{print "bundle size: " $1}'
echo "bundle bytes: $(du -sb "$DIST" | cut -f1)  files: $(find "$DIST" -type f | wc -l)"
echo "largest files:"
# (head closes the pipe early; with pipefail that SIGPIPE would end the script, hence the || true)
largest=$(find "$DIST" -type f -printf '%s\t%P\n' | sort -rn | head -8 || true)
awk -F'\t' '{printf "  %7.1f MB  %s\n", $1 / 1e6, $2}' <<<"$largest"
INTERNAL=$DIST/_internal
[ -f "$INTERNAL/models/vocab.json" ] || fail "models/vocab.json is not in the bundle"
ls "$INTERNAL"/models/*.nzb >/dev/null 2>&1 || fail "no .nzb models in the bundle"
EXAMPLE_CSV=$(find "$INTERNAL/resources/example" -name '*.csv' | sort | sed -n 1p)
[ -n "$EXAMPLE_CSV" ] || fail "the example dataset is not in the bundle"
[ -f "$INTERNAL/resources/icons/cta-desktop.svg" ] || fail "the icon is not in the bundle"
cuda=$(find "$DIST" \( -ipath '*nvidia*' -o -iname 'libcud*' -o -iname 'libcublas*' -o -iname 'libnccl*' \) | head -3 || true)
[ -z "$cuda" ] || fail "CUDA libraries in the bundle: $cuda"
other_qt=$(find "$INTERNAL" -maxdepth 1 \( -name 'PyQt5' -o -name 'PyQt6' -o -name 'PySide2' \) | head -3 || true)
[ -z "$other_qt" ] || fail "other Qt bindings in the bundle: $other_qt"
echo "Qt libraries: $(find "$INTERNAL" -name 'libQt6*.so*' -printf '%f\n' 2>/dev/null | sed 's/\.so.*//' | sort -u | tr '\n' ' ')"
tf=$(find "$INTERNAL" -maxdepth 1 \( -name 'tensorflow' -o -name 'keras' -o -name 'h5py' -o -name 'grpc' \) | head -3 || true)
[ -z "$tf" ] || fail "TensorFlow/Keras in the bundle (the dense reference here is LiteRT): $tf"
[ -d "$INTERNAL/ai_edge_litert" ] || fail "LiteRT (ai_edge_litert) is not in the bundle"
ls "$INTERNAL"/models/*.tflite.xz >/dev/null 2>&1 || fail "no .tflite exports in the bundle's models"
echo "runtimes: $(for d in ai_edge_litert onnxruntime onnx numba llvmlite PySide6; do [ -d "$INTERNAL/$d" ] && printf '%s %s  ' "$d" "$(du -sh "$INTERNAL/$d" | cut -f1)"; done)"
echo "no CUDA libraries, no other Qt bindings, no TensorFlow"

# ------------------------------------------------------------------------------------------------
# Run as a user would: the install read-only, a fresh empty home (so user data and the numba
# cache start empty and must be created outside the bundle), no network, no display.
STAMP=$(mktemp "${TMPDIR:-/tmp}/cta-bundle-stamp.XXXXXX")
SANDBOX=$(mktemp -d "${TMPDIR:-/tmp}/cta-bundle-test.XXXXXX")
mkdir -p "$SANDBOX/home"
chmod -R a-w "$DIST"
trap 'chmod -R u+w "$DIST"; rm -rf "$SANDBOX" "$STAMP"' EXIT
ISOLATE=()
if [ "$(id -u)" = 0 ] && unshare -m -n true 2>/dev/null; then
  # root ignores file modes, so mount the bundle read-only in a private mount namespace, and give
  # it a private network namespace (no interfaces up: no way out).
  ISOLATE=(unshare -m -n sh -c 'mount --bind "$0" "$0" && mount -o remount,bind,ro "$0" && exec "$@"' "$DIST")
  echo "isolation: bundle mounted read-only, no network (unshare -m -n)"
elif unshare -r -n true 2>/dev/null; then
  ISOLATE=(unshare -r -n)
  echo "isolation: bundle read-only by file modes, no network (unshare -r -n)"
else
  echo "isolation: bundle read-only by file modes; network not isolated (unshare not permitted here)"
fi
run_user() {
  # Only what a desktop session would set; none of the developer overrides (CTA_*).
  # A hung step (e.g. a modal dialog offscreen) fails the build instead of hanging CI.
  env -i PATH=/usr/bin:/bin HOME="$SANDBOX/home" LANG=C.UTF-8 TMPDIR="$SANDBOX" \
      QT_QPA_PLATFORM=offscreen timeout -k 10 "$STEP_TIMEOUT" "${ISOLATE[@]}" "$@"
}

step "self-test (first run: numba compiles its kernels into the user cache)"
t0=$(now)
run_user "$CLI" self-test -v || fail "self-test failed (first run)"
echo "self-test, cold: $(secs "$t0") s"

step "self-test (second run: kernels from the cache)"
t0=$(now)
run_user "$CLI" self-test --json > "$SANDBOX/selftest.json" || fail "self-test failed (second run)"
"$PYTHON" - "$SANDBOX/selftest.json" <<'EOF' || fail "self-test did not check the bundled dense runtimes"
import json, sys
text = open(sys.argv[1], encoding="utf-8").read()
checks = {c["name"]: c for c in json.loads(text[text.index("{"):])["checks"]}
assert "tflite" in checks["dense-peers"]["data"]["peers"], checks["dense-peers"]
print("self-test (JSON):", checks["dense-peers"]["detail"])
EOF
echo "self-test, warm: $(secs "$t0") s"
echo "user dirs created:"; (cd "$SANDBOX/home" && find . -maxdepth 3 -type d | sed 's/^/  /')
# ONNX Runtime (>= 1.29) keeps a telemetry device id and event store there unless told not to (onnx_rt.py).
[ ! -e "$SANDBOX/home/.cache/Microsoft" ] || fail "ONNX Runtime telemetry files in the user's home: $(find "$SANDBOX/home/.cache/Microsoft" | head -3)"

# The windowed executable takes the same commands (it is what a double click starts).
step "windowed executable runs headless commands too"
run_user "$EXE" self-test --no-tf --no-example || fail "the windowed executable's self-test failed"

if run_user "$CLI" analyze --help >/dev/null 2>&1; then
  step "analyze the example dataset (bundled CLI)"
  t0=$(now)
  run_user "$CLI" analyze "$EXAMPLE_CSV" --json > "$SANDBOX/analyze.json" || fail "analyze failed"
  "$PYTHON" - "$SANDBOX/analyze.json" <<'EOF' || fail "analyze printed no usable JSON"
import json, sys
text = open(sys.argv[1], encoding="utf-8").read()
summary = json.loads(text[text.index("{"):])
n = summary.get("n_tweets")
assert isinstance(n, int) and n > 0, summary
print(f"analysed {n} tweets: {summary.get('counts')}")
EOF
  echo "analyze: $(secs "$t0") s"
fi

step "analyse 25,000 tweets with worker processes (multiprocessing in the frozen app)"
# The example, repeated with distinct ids and texts: large enough that analysis starts its
# tokenising processes, which a frozen app must start through freeze_support (packaging/launcher.py).
"$PYTHON" - "$EXAMPLE_CSV" "$SANDBOX/big.csv" 25000 <<'EOF' || fail "cannot write the large test CSV"
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1], encoding="utf-8", newline="")))
with open(sys.argv[2], "w", encoding="utf-8", newline="") as fh:
    w = csv.DictWriter(fh, fieldnames=list(rows[0]))
    w.writeheader()
    for i in range(int(sys.argv[3])):
        r = dict(rows[i % len(rows)])
        r["id"] = str(10**18 + i)
        r["text"] = f"{r['text']} #{i}"
        w.writerow(r)
EOF
t0=$(now)
run_user "$CLI" analyze "$SANDBOX/big.csv" --workers 2 --json > "$SANDBOX/big.json" || fail "analyze with worker processes failed"
"$PYTHON" -c "import json,sys; t=open(sys.argv[1]).read(); s=json.loads(t[t.index('{'):]); assert s['n_tweets'] == 25000, s['n_tweets']; print('analysed', s['n_tweets'], 'tweets:', s.get('counts'))" "$SANDBOX/big.json" \
    || fail "analyze with worker processes gave a wrong summary"
echo "analyze 25,000 tweets, 2 workers (CLI): $(secs "$t0") s"
if run_user "$CLI" screenshot --help >/dev/null 2>&1; then
  t0=$(now)
  run_user "$EXE" screenshot "$SANDBOX/shots-big" --dataset "$SANDBOX/big.csv" --bench-n 0 >/dev/null \
      || fail "the bundled GUI failed to analyse 25,000 tweets"
  echo "import + analyse 25,000 tweets in the GUI (worker processes from a threaded app): $(secs "$t0") s"
fi

if run_user "$CLI" bench --help >/dev/null 2>&1; then
  step "bench --peers: NZB vs the dense runtimes the bundle ships (small run)"
  t0=$(now)
  run_user "$CLI" bench --peers --n 1024 --batch 512 --rounds 2 --json > "$SANDBOX/bench.json" || fail "bench failed"
  "$PYTHON" - "$SANDBOX/bench.json" <<'EOF' || fail "bench printed no usable JSON"
import json, sys
text = open(sys.argv[1], encoding="utf-8").read()
r = json.loads(text[text.index("{"):])
assert {"nzb", "tflite"} <= set(r["engines"]), r["engines"].keys()
assert "dense_tf" in r["missing"], r["missing"]  # no TensorFlow in the bundle, and the benchmark says so
for name, e in r["engines"].items():
    assert e["peak_mem_bytes"], (name, e.get("memory_error"))  # each measured in its own worker process
    print(f"  {name:<12} {e['tweets_per_s']:>9,.0f} tweets/s  peak {e['peak_mem_bytes'] / 1e6:6.1f} MB")
print(f"NZB vs best ({r['best_dense']}) {r['speedup']:.2f}x, max rel err {r['max_rel_err']:.1e}, "
      f"label agreement {r['label_agreement']}; missing: {r['missing']}")
EOF
  echo "bench: $(secs "$t0") s"
fi

# ------------------------------------------------------------------------------------------------
if run_user "$CLI" screenshot --help >/dev/null 2>&1; then
  step "GUI offscreen: open the window, import + analyse the example, render every tab"
  mkdir -p "$SANDBOX/shots"
  t0=$(now)
  run_user "$EXE" screenshot "$SANDBOX/shots" --bench-n 256 || fail "the bundled GUI (screenshot) failed"
  n=$(find "$SANDBOX/shots" -name '*.png' -size +1k | wc -l)
  [ "$n" -gt 0 ] || fail "screenshot wrote no PNGs"
  echo "screenshot: $n PNGs in $(secs "$t0") s: $(cd "$SANDBOX/shots" && ls | tr '\n' ' ')"
  if [ -n "${BUNDLE_SHOTS_DIR:-}" ]; then mkdir -p "$BUNDLE_SHOTS_DIR" && cp "$SANDBOX"/shots/*.png "$BUNDLE_SHOTS_DIR"/; fi
else
  echo "note: no screenshot command yet; only the window opening is checked"
fi

RUNS=${BUNDLE_FIRST_WINDOW_RUNS:-3}
if [ "$RUNS" -gt 0 ]; then
  step "time to first window (GUI executable, offscreen, $RUNS runs)"
  run_user "$PYTHON" "$ROOT/packaging/time_to_first_window.py" --runs "$RUNS" -- "$EXE" \
      || fail "the bundled GUI did not open a window"
fi

step "the bundle wrote nothing inside itself"
[ -z "$(find "$DIST" -newer "$STAMP" -print -quit)" ] || fail "files changed inside $DIST"
echo "ok"
echo
echo "BUNDLE OK: $DIST"
