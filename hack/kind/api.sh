# shellcheck shell=bash
# The app's REST API from bash, for hack/kind-test.sh: a cookie session with its CSRF token, the
# ledger the test books, and the reports it compares between a tenant and its restored copy.
# Sourced after hack/lib.sh (log, die); needs curl and node (JSON). Never run.

# The session the calls below use: the app's URL, a cookie jar, the CSRF token once fetched.
api_base=""
api_jar=""
api_csrf=""

# Starts a new session against the app at $1 (http://127.0.0.1:port), cookies kept in file $2.
api_session() {
  api_base="$1"
  api_jar="$2"
  api_csrf=""
  : >"$api_jar"
}

# Prints the value at dotted path $1 (data.0.id) of the JSON document on stdin: strings as they
# are, anything else as JSON. Fails when the path is missing.
json_field() {
  # shellcheck disable=SC2016 # JavaScript, single-quoted so that bash leaves its ${} alone
  node -e '
    let text = "";
    process.stdin.on("data", (chunk) => (text += chunk));
    process.stdin.on("end", () => {
      let value = JSON.parse(text);
      for (const key of process.argv[1].split(".")) value = value?.[key];
      if (value === undefined) {
        console.error(`no ${process.argv[1]} in ${text.slice(0, 500)}`);
        process.exit(1);
      }
      console.log(typeof value === "string" ? value : JSON.stringify(value));
    });
  ' "$1"
}

# Calls the API: $1 method, $2 path under /api/v1, $3 the status expected, $4 an optional JSON
# body. Prints the response body; dies with it on any other status. Unsafe methods carry the
# session's CSRF token once api_csrf_token has fetched it.
api() {
  local method="$1" path="$2" want="$3" body="${4:-}" out code
  out="$(mktemp)"
  local args=(-sS -o "$out" -w '%{http_code}' -X "$method" -b "$api_jar" -c "$api_jar"
    -H 'Accept: application/json')
  if [[ -n "$body" ]]; then args+=(-H 'Content-Type: application/json' --data "$body"); fi
  if [[ -n "$api_csrf" ]]; then args+=(-H "X-CSRF-Token: $api_csrf"); fi
  code="$(curl "${args[@]}" "$api_base/api/v1$path")" || code="no answer"
  if [[ "$code" != "$want" ]]; then
    { cat "$out" && echo; } >&2 || true
    rm -f "$out"
    die "$method /api/v1$path answered $code, not $want"
  fi
  cat "$out"
  rm -f "$out"
}

# Fetches the CSRF token of the session the cookie jar holds (after a register or login).
api_csrf_token() {
  local token
  token="$(api GET /auth/csrf 200 | json_field token)"
  api_csrf="$token"
}

# The ledger the end-to-end test books through the API, and what it must add up to.
readonly ledger_balance="1182.25"
readonly ledger_spending="-67.75"
readonly report_range="from=2026-01-01&to=2026-01-31"

# A transaction as POST /transactions takes it: $1 account, $2 date, $3 amount, $4 payee and
# optionally $5 a category.
transaction_json() {
  local category=""
  if [[ -n "${5:-}" ]]; then category=",\"categoryId\":\"$5\""; fi
  printf '{"accountId":"%s","date":"%s","amount":"%s","payee":"%s"%s}' "$1" "$2" "$3" "$4" \
    "$category"
}

# Books the test's ledger in the signed-in session's household: a category, an account opened
# with 1000.00 EUR, two groceries, one uncategorised payment and a refund. Prints the account id.
seed_ledger() {
  local category account
  category="$(api POST /categories 201 '{"name":"E2E groceries","kind":"expense"}' |
    json_field id)"
  account="$(api POST /accounts 201 "$(printf '%s' \
    '{"name":"E2E checking","type":"checking","currency":"EUR",' \
    '"openingBalance":"1000.00","openingDate":"2026-01-01"}')" | json_field id)"
  api POST /transactions 201 \
    "$(transaction_json "$account" 2026-01-05 -42.50 "Harbour market" "$category")" >/dev/null
  api POST /transactions 201 \
    "$(transaction_json "$account" 2026-01-12 -17.25 Bakery "$category")" >/dev/null
  api POST /transactions 201 "$(transaction_json "$account" 2026-01-19 -8.00 Kiosk)" >/dev/null
  api POST /transactions 201 "$(transaction_json "$account" 2026-01-26 250.00 Refund)" >/dev/null
  printf '%s\n' "$account"
}

# Saves what the comparison looks at into directory $1, for account $2: every account with its
# balance, January's spending report and the account's transactions. Dies unless the ledger
# adds up to what seed_ledger booked, so two empty tenants can never compare equal.
capture_reports() {
  local dir="$1" account="$2" balance total
  mkdir -p "$dir"
  api GET /accounts 200 >"$dir/accounts.json"
  api GET "/reports/spending?$report_range" 200 >"$dir/spending.json"
  api GET "/transactions?accountId=$account" 200 >"$dir/transactions.json"
  balance="$(api GET "/accounts/$account" 200 | json_field balance)"
  [[ "$balance" == "$ledger_balance" ]] ||
    die "account $account holds $balance, not the $ledger_balance booked"
  total="$(json_field total <"$dir/spending.json")"
  [[ "$total" == "$ledger_spending" ]] ||
    die "January's spending is $total, not the $ledger_spending booked"
}

# Prints JSON file $1 indented, one value a line, for a readable diff.
json_pretty() {
  node -e '
    const fs = require("node:fs");
    console.log(JSON.stringify(JSON.parse(fs.readFileSync(process.argv[1], "utf8")), null, 2));
  ' "$1"
}

# Fails unless the captures in directories $1 and $2 are byte for byte the same (one database,
# restored, answers identically), showing the difference.
compare_reports() {
  local file
  for file in accounts.json spending.json transactions.json; do
    if ! cmp -s "$1/$file" "$2/$file"; then
      diff -u <(json_pretty "$1/$file") <(json_pretty "$2/$file") >&2 || true
      die "$file differs between $1 and $2"
    fi
  done
}
