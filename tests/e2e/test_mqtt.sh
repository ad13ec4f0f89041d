# lumo.mqtt and lumo.onenet against a real mosquitto (scripts/broker:
# plain, password and TLS listeners on 127.0.0.1): each tests/mqtt/test_*.lua,
# then the engine-restart runs of tests/mqtt/engine_restart.lua.
. "$(dirname "$0")/lib.sh"

BROKER="$LUMO_SRC/scripts/broker"
DIR="$TMP/broker"
trap '"$BROKER" stop "$DIR" >/dev/null 2>&1; cleanup' EXIT
# The OneNET test's device logs in to the password listener as the platform
# would let it: user = product id, password = its token (fixed et).
export ONENET_ET=4102444800
BROKER_USER=469948
BROKER_PASSWORD=$(LUMO_ONENET_KEY=rs2FaE5BuygJZkWKDA5okKt1RFpwOx53hbu6hwyCS4U= \
  "$LUMO" onenet token --product 469948 --device Chic_D --method sha1 --et $ONENET_ET)
export BROKER_USER BROKER_PASSWORD
if ! "$BROKER" start "$DIR" >"$TMP/broker.out" 2>&1; then
  fail "the broker did not start"
  sed 's/^/    | /' "$TMP/broker.out" >&2
  finish
fi
. "$DIR/env"
export MQTT_PORT MQTT_AUTH_PORT MQTT_TLS_PORT MQTT_USER MQTT_PASSWORD MQTT_CA \
  MQTT_OTHER_CA MQTT_CLIENT_CERT MQTT_CLIENT_KEY MQTT_DIR BROKER
export MQTT_STATE="$TMP/state"

run() { # NAME FILE [VAR=VALUE...]: one lumo run, which must exit 0
  local name=$1 file=$2
  shift 2
  env "$@" timeout 90 "$LUMO" run --no-watch --log-level warn --state-dir "$MQTT_STATE" "$file" \
    >"$TMP/$name.out" 2>&1
  check_run "$name" $? "$TMP/$name.out" "broker log" "$DIR/mosquitto.log" 15
}

for t in "$LUMO_SRC"/tests/mqtt/test_*.lua; do
  run "$(basename "$t" .lua)" "$t"
  "$BROKER" start "$DIR" >/dev/null 2>&1 # a test may have stopped it; no-op if running
done

# The one-shot commands: lumo mqtt pub|sub, lumo onenet post.
"$LUMO" mqtt sub --uri "mqtt://127.0.0.1:$MQTT_PORT" --count 2 --json --log-level info \
  'cli/#' >"$TMP/sub.out" 2>"$TMP/sub.err" &
sub=$!
wait_for "$TMP/sub.err" "subscribed to 1 filter" 10 || fail "mqtt sub: no subscription"
"$LUMO" mqtt pub --uri "mqtt://127.0.0.1:$MQTT_PORT" cli/a hello >"$TMP/out" 2>&1
check_status "mqtt pub" 0 $?
echo '{"x":1}' | "$LUMO" mqtt pub --uri "mqtt://127.0.0.1:$MQTT_PORT" --qos 0 cli/b - \
  >"$TMP/out" 2>&1
check_status "mqtt pub from stdin" 0 $?
wait $sub
check_status "mqtt sub --count 2" 0 $?
check_contains "mqtt sub --json" "$TMP/sub.out" '{"topic":"cli/a","payload":"hello","qos":1,"retained":false}'
check_contains "mqtt sub, stdin payload" "$TMP/sub.out" '"topic":"cli/b","payload":"{\"x\":1}\n"'
"$LUMO" mqtt pub --uri "mqtt://127.0.0.1:$MQTT_AUTH_PORT" --user lumo --password wrong \
  --timeout 2 cli/a x >"$TMP/out" 2>&1
check_status "mqtt pub, wrong password" 1 $?
check_contains "mqtt pub, wrong password" "$TMP/out" "not authorised"
"$LUMO" mqtt pub --uri "mqtts://localhost:$MQTT_TLS_PORT" --ca "$MQTT_CA" cli/a x >"$TMP/out" 2>&1
check_status "mqtt pub over TLS" 0 $?
"$LUMO" mqtt sub 'a/#/b' >"$TMP/out" 2>&1
check_status "mqtt sub, bad filter" 2 $?
check_contains "mqtt sub, bad filter" "$TMP/out" "'#' must be the last level"

MQTT_URI="mqtt://127.0.0.1:$MQTT_PORT" "$LUMO" run "$LUMO_SRC/tests/mqtt/onenet_platform.lua" \
  >"$TMP/platform.log" 2>&1 &
platform=$!
wait_for "$TMP/platform.log" "[platform] ready" 10 || fail "the OneNET platform did not start"
post() {
  LUMO_ONENET_KEY=rs2FaE5BuygJZkWKDA5okKt1RFpwOx53hbu6hwyCS4U= "$LUMO" onenet post \
    --product 469948 --device Chic_D --method sha1 --et $ONENET_ET \
    --uri "mqtt://127.0.0.1:$MQTT_AUTH_PORT" "$@" >"$TMP/out" 2>&1
}
post temperature=21.5 note=hi 'status={"c":1}'
check_status "onenet post" 0 $?
check_contains "onenet post" "$TMP/out" "accepted"
post --json reject_me=1
check_status "onenet post, rejected" 1 $?
check_contains "onenet post, rejected" "$TMP/out" '{"accepted":false,"error":"Illegal Data","code":98}'
kill $platform

# The last will: a lumo killed outright has the broker publish its will.
cat >"$TMP/will.lua" <<LUA
local mq = lumo.mqtt.connect{uri = "mqtt://127.0.0.1:$MQTT_PORT", client_id = "willer",
                             state_dir = "$TMP/state",
                             will = {topic = "cli/will", payload = "willer is gone", qos = 1}}
mq:on("connected", function() io.stdout:write("up\\n"); io.stdout:flush() end)
LUA
"$LUMO" run --no-watch "$TMP/will.lua" >"$TMP/will.out" 2>&1 &
willer=$!
wait_for "$TMP/will.out" "up" 10 || fail "the client with a will did not connect"
timeout 10 stdbuf -oL mosquitto_sub -d -p "$MQTT_PORT" -t cli/will -C 1 >"$TMP/will.got" 2>&1 &
sub=$!
wait_for "$TMP/will.got" "SUBACK" 5 || fail "the will's listener got no SUBACK"
kill -9 $willer
wait $sub
check_contains "the will was published" "$TMP/will.got" "willer is gone"

er="$LUMO_SRC/tests/mqtt/engine_restart.lua"
run engine-subscribe "$er" STEP=subscribe
"$BROKER" stop "$DIR" >/dev/null
run engine-publish "$er" STEP=publish
"$BROKER" restart "$DIR" >/dev/null
run engine-collect "$er" STEP=collect

finish
