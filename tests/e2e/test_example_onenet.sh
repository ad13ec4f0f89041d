# examples/onenet_forward.lua between the simulated gateway and a local
# mosquitto playing OneNET (tests/mqtt/onenet_platform.lua): a temperature
# and a humidity report become data points the platform accepts; the
# device logs in with its token; a command "on" switches the plug.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/netns.sh"

BROKER="$LUMO_SRC/scripts/broker"
DIR="$TMP/broker"
trap 'kill $PIDS 2>/dev/null; "$BROKER" stop "$DIR" >/dev/null 2>&1; cleanup' EXIT
KEY=rs2FaE5BuygJZkWKDA5okKt1RFpwOx53hbu6hwyCS4U=
ET=4102444800
BROKER_USER=469948 BROKER_PASSWORD=$(LUMO_ONENET_KEY=$KEY "$LUMO" onenet token \
  --product 469948 --device Chic_D --method sha256 --et $ET) \
  "$BROKER" start "$DIR" >"$TMP/broker.out" 2>&1 || { fail "broker"; finish; }
. "$DIR/env"

mkfifo "$TMP/sim"
"$LUMO" sim lumi --bind 127.0.0.2 --interface 127.0.0.1 --heartbeat 0.5 \
  --device-heartbeat 0 <"$TMP/sim" >"$TMP/sim.out" 2>"$TMP/sim.err" &
PIDS="$!"
exec 3>"$TMP/sim"
MQTT_URI="mqtt://127.0.0.1:$MQTT_PORT" MQTT_STATE="$TMP/state" \
  "$LUMO" run "$LUMO_SRC/tests/mqtt/onenet_platform.lua" 2>"$TMP/platform.log" &
PIDS="$PIDS $!"
LUMO_INTERFACE=127.0.0.1 LUMO_ONENET_KEY=$KEY LUMO_ONENET_ET=$ET LUMO_STATE_DIR="$TMP/state" \
  LUMO_ONENET_URI="mqtt://127.0.0.1:$MQTT_AUTH_PORT" \
  "$LUMO" run "$LUMO_SRC/examples/onenet_forward.lua" 2>"$TMP/log" &
engine=$!
PIDS="$PIDS $engine"
wait_for "$TMP/platform.log" "[platform] ready" 10 || fail "the platform did not start"
wait_for "$TMP/log" "connected to OneNET as Chic_D" 10 || fail "the example did not log in"
wait_for "$TMP/log" "gateway 7811dcb7a982 ready" 10 || fail "the gateway was not found"
echo "temp lounge 23.5" >&3
# (the example logs its Lua table as JSON: the order of v and t varies)
wait_for "$TMP/log" 'OneNET accepted {"temperature":' 10 ||
  fail "the temperature was not accepted"
echo "humidity lounge 41" >&3
wait_for "$TMP/log" 'OneNET accepted {"humidity":' 10 ||
  fail "the humidity was not accepted"
check_contains "the humidity's value" "$TMP/log" '"v":41' 
check_contains "the platform saw the data point" "$TMP/platform.log" '"temperature":[{"v":23.5,"t":'

timeout 5 stdbuf -oL mosquitto_sub -d -p "$MQTT_PORT" -t '$sys/469948/Chic_D/cmd/response/+' -C 1 \
  >"$TMP/response" 2>&1 &
sub=$!
wait_for "$TMP/response" "SUBACK" 5 || fail "the listener got no SUBACK"
mosquitto_pub -p "$MQTT_PORT" -t '$sys/469948/Chic_D/cmd/request/k1' -m on
wait $sub
check_contains "the command was answered" "$TMP/response" "ok"
echo "devices" >&3
wait_for "$TMP/sim.out" '"status":"on"' 5
check_contains "the command switched the simulated plug on" "$TMP/sim.out" '"status":"on"'
kill -INT $engine
wait $engine
check_status "engine exit" 0 $?
finish
