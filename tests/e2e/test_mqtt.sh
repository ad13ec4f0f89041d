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
  env "$@" timeout 90 "$LUMO" run --no-watch --log-level warn "$file" >"$TMP/$name.out" 2>&1
  local status=$?
  if [ $status -eq 0 ]; then
    pass
  else
    fail "$name exited $status"
    sed 's/^/    | /' "$TMP/$name.out" >&2
    echo "    broker log:" >&2
    tail -15 "$DIR/mosquitto.log" 2>/dev/null | sed 's/^/    | /' >&2
  fi
}

for t in "$LUMO_SRC"/tests/mqtt/test_*.lua; do
  run "$(basename "$t" .lua)" "$t"
  "$BROKER" start "$DIR" >/dev/null 2>&1 # a test may have stopped it; no-op if running
done

er="$LUMO_SRC/tests/mqtt/engine_restart.lua"
run engine-subscribe "$er" STEP=subscribe
"$BROKER" stop "$DIR" >/dev/null
run engine-publish "$er" STEP=publish
"$BROKER" restart "$DIR" >/dev/null
run engine-collect "$er" STEP=collect

finish
