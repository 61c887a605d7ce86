#!/usr/bin/env bash
# Run every ledgerkit command as a user would, from an installed copy: .ci/smoke.sh VENV
# (watch is left to the suite: it runs until stopped, as serve does, and serve is run below.)
# From a temp folder outside the checkout, on a copy of examples/整改台账.xlsx; each command's
# exit code and outputs are checked. Used for the wheel, sdist and offline-bundle installs.
set -euo pipefail
venv=$(cd "$1" && pwd)
example="$(cd "$(dirname "$0")/.." && pwd)/examples/整改台账.xlsx"
lk="$venv/bin/ledgerkit"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
cp "$example" 台账.xlsx

step() {  # step EXPECTED_EXIT NAME COMMAND...: run, show the last lines, fail on another exit code
  local want=$1 name=$2
  shift 2
  local rc=0
  "$@" >"$name.out" 2>&1 || rc=$?
  if [ "$rc" != "$want" ]; then
    echo "smoke FAIL: $name exited $rc, expected $want: $*" >&2
    cat "$name.out" >&2
    exit 1
  fi
  echo "smoke ok  : $name (exit $rc)"
}
exists() {
  local f
  for f in "$@"; do
    [ -s "$f" ] || { echo "smoke FAIL: missing output $f" >&2; ls -R >&2; exit 1; }
  done
}

# The package imported is the installed one, never a checkout (the cwd is the temp folder).
where=$("$venv/bin/python" -c "import ledgerkit; print(ledgerkit.__file__)")
case "$where" in
  "$venv"/*) echo "smoke ok  : ledgerkit imported from $where" ;;
  *) echo "smoke FAIL: ledgerkit imported from $where, not from $venv" >&2; exit 1 ;;
esac

step 0 help "$lk" --help
step 0 version "$lk" --version
step 0 report "$lk" report 台账.xlsx --as-of 2024-12-23
exists "输出/台账（清洗）.xlsx" 输出/*通报（草稿）.docx
step 0 check "$lk" check 台账.xlsx --json
step 0 summary "$lk" summary 台账.xlsx --json --as-of 2024-12-23
"$venv/bin/python" -c "import json,sys; s=json.load(open(sys.argv[1])); assert s['measures'] == 108, s" summary.out
step 0 compare "$lk" compare "输出/台账（清洗）.xlsx" 台账.xlsx -o 对照
exists 对照/变化对照.xlsx
mkdir 各单位 && cp 台账.xlsx 各单位/
step 0 combine "$lk" combine 各单位
exists 各单位/输出/巡察整改进展汇总.xlsx 各单位/输出/巡察整改进展汇总.docx
step 0 since "$lk" report 台账.xlsx --since "输出/台账（清洗）.xlsx" -o 本周
exists "本周/台账（清洗）.xlsx"
step 0 init "$lk" init 新单位
exists 新单位/台账模板.xlsx 新单位/ledgerkit.toml
[ -d 新单位/inbox ] || { echo "smoke FAIL: init wrote no inbox/" >&2; exit 1; }
step 0 mail "$lk" mail 本周/*.docx --to leader@example.com
exists 本周/*.eml

# serve: the page answers through the address it prints (the token is traded for a cookie), and
# SIGTERM stops it cleanly. This is what proves uvicorn, starlette, jinja2 and the pages installed.
mkdir 网页 && cp 台账.xlsx 网页/
"$lk" serve 网页 --port 0 --no-browser >serve.out 2>&1 &
server=$!
url=""
for _ in $(seq 120); do
  url=$(grep -o 'http://[A-Za-z0-9.:/?=&_%-]*' serve.out | head -1 || true)
  [ -n "$url" ] || ! kill -0 "$server" 2>/dev/null && break
  sleep 0.5
done
if [ -z "$url" ]; then
  kill "$server" 2>/dev/null || true
  echo "smoke FAIL: serve printed no address" >&2; cat serve.out >&2; exit 1
fi
"$venv/bin/python" - "$url" <<'EOF_PY'
import http.cookiejar
import sys
import urllib.request

opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
with opener.open(sys.argv[1], timeout=60) as page:
    body = page.read().decode("utf-8")
assert page.status == 200 and "<title>" in body and "台账" in body, body[:500]
EOF_PY
kill -TERM "$server"
rc=0
wait "$server" || rc=$?
[ "$rc" = 0 ] || { echo "smoke FAIL: serve exited $rc after SIGTERM" >&2; cat serve.out >&2; exit 1; }
echo "smoke ok  : serve (page answered, SIGTERM exit 0)"
echo "smoke: every command ran from $venv"
