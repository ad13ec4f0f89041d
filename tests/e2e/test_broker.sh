# scripts/broker: plain publish and subscribe; the password listener refuses
# no or a wrong password and takes lumo's and a OneNET-style user whose
# password holds '&', '=' and '%'; TLS 1.2+ with the generated CA, refused
# with the other one; restart keeps the ports, retained messages and queued
# ones; stop leaves no process.
. "$(dirname "$0")/lib.sh"

BROKER="$LUMO_SRC/scripts/broker"
DIR="$TMP/broker"
trap '"$BROKER" stop "$DIR" >/dev/null 2>&1; cleanup' EXIT
ONENET_USER=469948
ONENET_TOKEN='version=2018-10-31&res=products%2F469948%2Fdevices%2FChic_D&et=1673053248&method=sha1&sign=prIMDQ23WFI6PMj2IWpaRJJL4eE%3D'

"$BROKER" --help >"$TMP/out" 2>&1
check_status "--help" 0 $?
check_contains "--help" "$TMP/out" "usage: scripts/broker start DIR"
"$BROKER" frob "$DIR" >"$TMP/out" 2>&1
check_status "unknown command" 2 $?
check_contains "unknown command" "$TMP/out" "unknown command 'frob'"
"$BROKER" stop "$DIR" >"$TMP/out" 2>&1
check_status "stop before any start" 0 $?

BROKER_USER=$ONENET_USER BROKER_PASSWORD=$ONENET_TOKEN "$BROKER" start "$DIR" >"$TMP/uri" 2>"$TMP/err"
check_status "start" 0 $?
if [ ! -f "$DIR/env" ]; then
  fail "start wrote no $DIR/env"
  sed 's/^/    | /' "$TMP/err" >&2
  finish
  exit
fi
. "$DIR/env"
check_contains "start prints the plain URI" "$TMP/uri" "mqtt://127.0.0.1:$MQTT_PORT"
"$BROKER" env "$DIR" >"$TMP/out" 2>&1
check_contains "env" "$TMP/out" "MQTT_TLS_PORT=$MQTT_TLS_PORT"
check_contains "env" "$TMP/out" "MQTT_CLIENT_KEY=$DIR/tls/client.key"

sub() { # OUT ARGS...: one message, or give up after 3 s
  local out=$1
  shift
  mosquitto_sub -h 127.0.0.1 -t lumo/test -C 1 -W 3 "$@" >"$out" 2>&1
}

# (a) plain: a live message, and a retained one the later checks read.
# Line-buffered, to see the SUBACK before it exits.
stdbuf -oL mosquitto_sub -d -p "$MQTT_PORT" -t lumo/live -C 1 -W 5 >"$TMP/live" 2>&1 &
live=$!
wait_for "$TMP/live" "SUBACK" 5 || fail "the subscriber got no SUBACK"
mosquitto_pub -p "$MQTT_PORT" -t lumo/live -m hello
wait $live
check_status "plain subscriber" 0 $?
check_contains "plain publish reaches the subscriber" "$TMP/live" "hello"
mosquitto_pub -p "$MQTT_PORT" -t lumo/test -m kept -r
check_status "retained publish" 0 $?

# (b) passwords
sub "$TMP/out" -p "$MQTT_AUTH_PORT"
check_status "auth, no password" 5 $?
check_contains "auth, no password" "$TMP/out" "not authorised"
sub "$TMP/out" -p "$MQTT_AUTH_PORT" -u "$MQTT_USER" -P wrong
check_status "auth, wrong password" 5 $?
sub "$TMP/out" -p "$MQTT_AUTH_PORT" -u "$MQTT_USER" -P "$MQTT_PASSWORD"
check_status "auth, lumo" 0 $?
check_contains "auth, lumo" "$TMP/out" "kept"
sub "$TMP/out" -p "$MQTT_AUTH_PORT" -u "$ONENET_USER" -P "$ONENET_TOKEN"
check_status "auth, \$BROKER_USER with a token" 0 $?
check_contains "auth, \$BROKER_USER with a token" "$TMP/out" "kept"
sub "$TMP/out" -p "$MQTT_AUTH_PORT" -u "$ONENET_USER" -P "${ONENET_TOKEN%3D}"
check_status "auth, a token cut short" 5 $?

# (c) TLS
sub "$TMP/out" -h localhost -p "$MQTT_TLS_PORT" --cafile "$MQTT_CA"
check_status "TLS" 0 $?
check_contains "TLS" "$TMP/out" "kept"
sub "$TMP/out" -h localhost -p "$MQTT_TLS_PORT" --cafile "$MQTT_CA" \
  --cert "$MQTT_CLIENT_CERT" --key "$MQTT_CLIENT_KEY"
check_status "TLS, client certificate" 0 $?
# Refused in the connect call (status 1) or a moment later in the loop (8).
if sub "$TMP/out" -h localhost -p "$MQTT_TLS_PORT" --cafile "$MQTT_OTHER_CA"; then
  fail "TLS, the other CA: accepted"
else
  pass
fi
check_contains "TLS, the other CA" "$TMP/out" "TLS error"
openssl s_client -connect "127.0.0.1:$MQTT_TLS_PORT" -tls1_1 -cipher 'DEFAULT@SECLEVEL=0' \
  </dev/null >"$TMP/out" 2>&1
check_contains "TLS 1.1 refused" "$TMP/out" "alert protocol version"
openssl s_client -connect "127.0.0.1:$MQTT_TLS_PORT" -tls1_2 -CAfile "$MQTT_CA" \
  -verify_hostname localhost </dev/null >"$TMP/out" 2>&1
check_contains "TLS 1.2" "$TMP/out" "Verify return code: 0 (ok)"

# (d) restart: the same ports; retained and queued messages kept.
mosquitto_sub -p "$MQTT_PORT" -c -i lumo-test-queue -q 1 -t lumo/queued -E
mosquitto_pub -p "$MQTT_PORT" -q 1 -t lumo/queued -m waiting
old_pid=$MQTT_PID
ports="$MQTT_PORT $MQTT_AUTH_PORT $MQTT_TLS_PORT"
"$BROKER" restart "$DIR" >"$TMP/uri" 2>"$TMP/err"
check_status "restart" 0 $?
. "$DIR/env"
check_status "restart keeps the ports" "$ports" "$MQTT_PORT $MQTT_AUTH_PORT $MQTT_TLS_PORT"
if [ "$MQTT_PID" != "$old_pid" ]; then pass; else fail "restart: still pid $old_pid"; fi
sub "$TMP/out" -p "$MQTT_PORT"
check_contains "a retained message survives restart" "$TMP/out" "kept"
mosquitto_sub -p "$MQTT_PORT" -c -i lumo-test-queue -q 1 -t lumo/queued -C 1 -W 3 >"$TMP/out" 2>&1
check_contains "a queued message survives restart" "$TMP/out" "waiting"
sub "$TMP/out" -p "$MQTT_AUTH_PORT" -u "$ONENET_USER" -P "$ONENET_TOKEN"
check_status "\$BROKER_USER kept by restart" 0 $?
"$BROKER" start "$DIR" >"$TMP/out" 2>&1
check_status "start when running" 0 $?
check_contains "start when running" "$TMP/out" "mqtt://127.0.0.1:$MQTT_PORT"

# (e) stop
"$BROKER" stop "$DIR" >"$TMP/out" 2>&1
check_status "stop" 0 $?
if [ -n "$(tr -d '\0' 2>/dev/null </proc/"$MQTT_PID"/cmdline)" ]; then
  fail "stop: pid $MQTT_PID still runs"
else
  pass
fi
left=""
for c in /proc/[0-9]*/cmdline; do
  case "$(tr '\0' ' ' 2>/dev/null <"$c")" in *"$DIR/mosquitto.conf"*) left="$left ${c//[!0-9]/}" ;; esac
done
if [ -z "$left" ]; then pass; else fail "stop: a mosquitto from $DIR still runs:$left"; fi
for p in $ports; do
  if [ -z "$(ss -Hltn "sport = :$p")" ]; then pass; else fail "stop: port $p still listens"; fi
done
"$BROKER" stop "$DIR" >"$TMP/out" 2>&1
check_status "stop when stopped" 0 $?

finish
