# lumo lumi discover|devices|read|write|listen against `lumo sim lumi` over
# loopback multicast, inside a private network namespace: exact output,
# exit statuses and messages.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/netns.sh"

GW=7811dcb7a982
LAMP=158d000200d554
PASSWORD=0987654321qwerty
IF="--interface 127.0.0.1"
unset LUMO_LUMI_PASSWORD

# check_equals WHAT FILE EXPECTED: FILE holds exactly EXPECTED (plus a newline).
check_equals() {
  if [ "$(cat "$2")" = "$3" ]; then pass; else
    fail "$1: expected:"
    printf '%s\n' "$3" | sed 's/^/    | /' >&2
    echo "    got:" >&2
    sed 's/^/    | /' "$2" >&2
  fi
}

# usage WHAT MESSAGE ARGS...: `lumo lumi ARGS` exits 2 with exactly MESSAGE
# and the pointer to the subcommand's help.
usage() {
  local what=$1 msg=$2
  shift 2
  "$LUMO" lumi "$@" >"$TMP/out" 2>"$TMP/err"
  check_status "$what" 2 $?
  local sub=" ${1:-}"
  case "${1:-}" in discover | devices | read | write | listen) ;; *) sub= ;; esac
  check_equals "$what" "$TMP/err" "lumo lumi$sub: $msg
(see 'lumo lumi$sub --help')"
  check_equals "$what: nothing on stdout" "$TMP/out" ""
}

# ---- help ----
"$LUMO" lumi --help >"$TMP/help" 2>&1
check_status "lumi --help" 0 $?
check_contains "lumi --help" "$TMP/help" "usage: lumo lumi SUBCOMMAND [options] [args]"
for line in "  discover              list the gateways that answer whois" \
  "  devices               list a gateway's devices and their state" \
  "  read SID              read one device's state" \
  "  write SID KEY=VALUE...  set attributes of a device (needs --password)" \
  "  listen                print device events as they happen"; do
  check_contains "lumi --help lists" "$TMP/help" "$line"
done
"$LUMO" help lumi >"$TMP/out" 2>&1
check_status "help lumi" 0 $?
check_equals "help lumi is lumi --help" "$TMP/out" "$(cat "$TMP/help")"
"$LUMO" --help >"$TMP/out" 2>&1
check_contains "lumo --help lists lumi" "$TMP/out" \
  "  lumi discover|devices|read|write|listen   Xiaomi/Aqara gateway, one-shot"
for sub in discover devices read write listen; do
  "$LUMO" lumi $sub --help >"$TMP/out" 2>&1
  check_status "lumi $sub --help" 0 $?
  check_contains "lumi $sub --help" "$TMP/out" "usage: lumo lumi $sub"
  check_contains "lumi $sub --help" "$TMP/out" "--log-level LEVEL"
done
check_contains "listen --help" "$TMP/out" "--count N           stop after N events"

# ---- usage errors ----
usage "no subcommand" "give a subcommand: discover, devices, read, write or listen"
usage "unknown subcommand" \
  "unknown subcommand 'scan' (discover, devices, read, write or listen)" scan
usage "read without SID" "give the SID of the device to read (see 'lumo lumi devices')" \
  read $IF
usage "write without SID" "give the SID of the device, then KEY=VALUE..." \
  write --password $PASSWORD
usage "write without values" "give at least one KEY=VALUE to write, e.g. status=on" \
  write $LAMP --password $PASSWORD
usage "write without password" \
  "give --password: the gateway's LAN-mode key from the Mi Home app (or set LUMO_LUMI_PASSWORD)" \
  write $LAMP status=on
usage "bad KEY=VALUE" "'status:on' is not KEY=VALUE (e.g. status=on)" \
  write $LAMP status:on --password $PASSWORD
usage "empty key" "'=on' is not KEY=VALUE (e.g. status=on)" \
  write $LAMP =on --password $PASSWORD
usage "writing key" "'key' is made from --password: leave it out" \
  write $LAMP key=abc --password $PASSWORD
usage "short password" \
  "the password must be the 16 characters shown in the Mi Home app's LAN mode page, not 5" \
  write $LAMP status=on --password 12345
usage "option of another subcommand" "unknown option '--count'" discover --count 3
usage "bad timeout" "--timeout needs seconds from 0.1 to 3600, not 'soon'" \
  devices --timeout soon
usage "bad interface" "--interface needs an IPv4 address, not 'eth0'" \
  devices --interface eth0
usage "bad count" "--count needs a whole number of events from 1, not '0'" \
  listen --count 0
usage "two SIDs" "unexpected argument '158d0001c2f110' (one SID at a time)" \
  read $LAMP 158d0001c2f110
usage "bad log level" "--log-level must be debug, info, warn, error or off, not 'loud'" \
  devices --log-level loud

# ---- no gateway: a namespace of its own, where nothing answers ----
start=$(date +%s%N)
unshare -n bash -c 'ip link set lo up; ip link set lo multicast on
  ip route add 224.0.0.0/4 dev lo src 127.0.0.1
  "$0" lumi discover --interface 127.0.0.1 --timeout 1 >"$1/out" 2>"$1/err"' \
  "$LUMO" "$TMP"
check_status "discover with no gateway" 1 $?
elapsed=$((($(date +%s%N) - start) / 1000000))
if [ $elapsed -lt 2500 ]; then pass; else fail "discover with no gateway took ${elapsed} ms"; fi
check_equals "discover with no gateway" "$TMP/err" \
  "lumo lumi discover: no gateway answered within 1 s on interface 127.0.0.1: is LAN mode on, and is 127.0.0.1 this host's address on the gateway's network? (see --interface)"
check_equals "discover with no gateway: stdout" "$TMP/out" ""
unshare -n bash -c 'ip link set lo up; ip link set lo multicast on
  ip route add 224.0.0.0/4 dev lo src 127.0.0.1
  "$0" lumi devices --timeout 1 >"$1/out" 2>"$1/err"' "$LUMO" "$TMP"
check_status "devices with no gateway" 1 $?
check_equals "devices with no gateway" "$TMP/err" \
  "lumo lumi devices: no gateway answered within 1 s on any interface: is LAN mode on? try --interface with this host's address on the gateway's network"

# ---- against the simulator ----
# start_sim PROTO: a simulated gateway speaking protocol PROTO, its console
# on fd 3 (kept open between commands), its pid in $sim.
start_sim() {
  rm -f "$TMP/ctl"
  mkfifo "$TMP/ctl"
  "$LUMO" sim lumi --bind 127.0.0.2 --interface 127.0.0.1 --heartbeat 0.2 --proto "$1" \
    --device-heartbeat 0 <"$TMP/ctl" >"$TMP/sim$1.out" 2>"$TMP/sim$1.err" &
  sim=$!
  PIDS="$PIDS $sim"
  exec 3>"$TMP/ctl"
  wait_for "$TMP/sim$1.err" "gateway $GW" 10 || fail "the simulator did not start"
}
start_sim 1

"$LUMO" lumi discover $IF --timeout 1 >"$TMP/out" 2>"$TMP/err"
check_status "discover" 0 $?
check_equals "discover table" "$TMP/out" \
  "SID           IP         PORT  MODEL    PROTO
7811dcb7a982  127.0.0.2  9898  gateway  1.1.2"
check_equals "discover: nothing on stderr" "$TMP/err" ""
"$LUMO" lumi discover $IF --timeout 1 --json >"$TMP/out" 2>&1
check_status "discover --json" 0 $?
check_equals "discover --json" "$TMP/out" \
  '{"sid":"7811dcb7a982","ip":"127.0.0.2","port":9898,"model":"gateway","proto_version":"1.1.2"}'

"$LUMO" lumi devices $IF >"$TMP/out" 2>"$TMP/err"
check_status "devices" 0 $?
awk '{print $1, $2, $3, $4, $5}' "$TMP/out" >"$TMP/cols"
check_equals "devices: sid, model, kind, name, online" "$TMP/cols" \
  "SID MODEL KIND NAME ONLINE
7811dcb7a982 gateway gateway - yes
158d0001c2f110 sensor_motion.aq2 motion - yes
158d0001d3a221 sensor_magnet.aq2 magnet - yes
158d0001e4b332 sensor_switch.aq2 switch - yes
158d0001f5c443 sensor_ht sensor_ht - yes
158d000200d554 plug plug - yes"
check_contains "devices: state as key=value" "$TMP/out" \
  "158d0001f5c443  sensor_ht          sensor_ht  -     yes     temperature=21.5 humidity=45.2 voltage=3025"
check_equals "devices: nothing on stderr" "$TMP/err" ""
"$LUMO" lumi devices $IF --json >"$TMP/out" 2>&1
check_status "devices --json" 0 $?
jq -r '.sid + " " + .kind' "$TMP/out" >"$TMP/kinds1"
check_equals "devices --json kinds" "$TMP/kinds1" \
  "7811dcb7a982 gateway
158d0001c2f110 motion
158d0001d3a221 magnet
158d0001e4b332 switch
158d0001f5c443 sensor_ht
158d000200d554 plug"
check_contains "devices --json plug" "$TMP/out" \
  '{"sid":"158d000200d554","model":"plug","kind":"plug","name":null,"online":true,"state":{"status":"off","inuse":0,"load_power":0,"power_consumed":0}}'

"$LUMO" lumi read $LAMP $IF >"$TMP/out" 2>"$TMP/err"
check_status "read" 0 $?
check_equals "read the plug" "$TMP/out" "status=off
inuse=0
load_power=0
power_consumed=0"
"$LUMO" lumi read $LAMP $IF --json >"$TMP/out" 2>&1
check_equals "read --json" "$TMP/out" \
  '{"sid":"158d000200d554","model":"plug","kind":"plug","state":{"status":"off","inuse":0,"load_power":0,"power_consumed":0}}'
"$LUMO" lumi read nope $IF >"$TMP/out" 2>"$TMP/err"
check_status "read of an unknown device" 1 $?
check_equals "read of an unknown device" "$TMP/err" \
  "lumo lumi read: gateway $GW has no device 'nope' (see 'lumo lumi devices')"

# Writes: the ack, then the new state; a wrong key is refused.
"$LUMO" lumi write $LAMP status=on --password $PASSWORD $IF >"$TMP/out" 2>"$TMP/err"
check_status "write" 0 $?
check_equals "write: the ack" "$TMP/out" "ok: wrote status=on to $LAMP (plug)
ack: status=off inuse=0 load_power=0 power_consumed=0"
check_equals "write: nothing on stderr" "$TMP/err" ""
"$LUMO" lumi read $LAMP $IF >"$TMP/out" 2>&1
head -1 "$TMP/out" >"$TMP/first"
check_equals "read after the write" "$TMP/first" "status=on"
LUMO_LUMI_PASSWORD=$PASSWORD "$LUMO" lumi write $LAMP $IF --json \
  a=21.5 b=-3 c=0x10 d=true e=false f='"123"' g=on >"$TMP/out" 2>"$TMP/err"
check_status "write --json, password from the environment" 0 $?
jq -c .written "$TMP/out" >"$TMP/w"
check_equals "write --json: value types" "$TMP/w" \
  '{"a":21.5,"b":-3,"c":16,"d":true,"e":false,"f":"123","g":"on"}'
jq -c '[.sid, .model, .ack.status]' "$TMP/out" >"$TMP/w"
check_equals "write --json: sid, model, ack" "$TMP/w" '["158d000200d554","plug","on"]'
"$LUMO" lumi write $LAMP status=off --password 0987654321QWERTY $IF --timeout 2 \
  --log-level debug >"$TMP/out" 2>"$TMP/err"
check_status "write with a wrong password" 1 $?
grep -v '^20' "$TMP/err" >"$TMP/msg" # the message, without the debug log lines
check_equals "write with a wrong password" "$TMP/msg" \
  "lumo lumi write: gateway rejected the key: check the password set in the Mi Home app's LAN mode"
check_equals "write with a wrong password: stdout" "$TMP/out" ""
check_not_contains "the password is never printed" "$TMP/err" "0987654321QWERTY"
check_contains "debug logging was on" "$TMP/err" "DEBUG [lumi]"
"$LUMO" lumi read $LAMP $IF >"$TMP/out" 2>&1
head -1 "$TMP/out" >"$TMP/first"
check_equals "the refused write changed nothing" "$TMP/first" "status=on"

# listen NAME ARGS...: starts `lumo lumi listen ARGS` in the background
# (output in $TMP/NAME.out and NAME.err, its pid in $lp) and waits until it
# listens.
listen() {
  local name=$1
  shift
  timeout 15 "$LUMO" lumi listen $IF "$@" >"$TMP/$name.out" 2>"$TMP/$name.err" &
  lp=$!
  wait_for "$TMP/$name.err" "listening to gateway $GW (5 devices); Ctrl-C to stop" 10 ||
    fail "listen $name did not get ready"
}

# Three reports as three events, normalised.
listen json --count 3 --json
echo "motion hall" >&3
echo "open door" >&3
echo "temp lounge 21.5" >&3
wait $lp
check_status "listen --count 3" 0 $?
check_status "listen: event times are Unix seconds" 3 \
  "$(grep -cE '^\{"time":[0-9]{10}(\.[0-9]{1,3})?,' "$TMP/json.out")"
sed -E 's/"time":[0-9.]+,/"time":T,/' "$TMP/json.out" >"$TMP/events"
check_equals "listen --json" "$TMP/events" \
  '{"time":T,"device":"158d0001c2f110","model":"sensor_motion.aq2","event":"motion","data":{"status":"motion"}}
{"time":T,"device":"158d0001d3a221","model":"sensor_magnet.aq2","event":"open","data":{"status":"open"}}
{"time":T,"device":"158d0001f5c443","model":"sensor_ht","event":"report","data":{"temperature":21.5}}'

# Text lines, and the --device and --event filters.
listen text --count 1 --device $LAMP
echo "close door" >&3
echo "off lamp" >&3
wait $lp
check_status "listen --device" 0 $?
sed -E 's/^[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{3}/TIME/' \
  "$TMP/text.out" >"$TMP/events"
check_equals "listen text line" "$TMP/events" \
  "TIME  158d000200d554  plug                off                 status=off"
listen report --count 1 --event report --json
echo "click button" >&3
wait $lp
check_status "listen --event report" 0 $?
jq -c '[.event, .data]' "$TMP/report.out" >"$TMP/events"
check_equals "listen --event report" "$TMP/events" '["report",{"status":"click"}]'

# Heartbeats (every 0.2 s here) are not printed by default; --for ends it.
"$LUMO" lumi listen $IF --for 0.8 >"$TMP/out" 2>"$TMP/err"
check_status "listen --for" 0 $?
check_equals "listen: heartbeats hidden" "$TMP/out" ""
"$LUMO" lumi listen $IF --for 0.8 --event heartbeat --json >"$TMP/out" 2>&1
if [ "$(grep -c '"event":"heartbeat"' "$TMP/out")" -ge 2 ]; then pass; else
  fail "listen --event heartbeat printed no heartbeats"
fi

# SIGINT ends listen with status 0 (no `timeout` in between: it is the
# signal's receiver that is tested).
"$LUMO" lumi listen $IF >"$TMP/sigint.out" 2>"$TMP/sigint.err" &
lp=$!
wait_for "$TMP/sigint.err" "listening to gateway" 10 || fail "listen did not get ready"
kill -INT $lp
wait $lp
check_status "listen stopped by SIGINT" 0 $?

# ---- a protocol v2 gateway: discovery, params, channel_0 for the plug ----
exec 3>&-
kill $sim
wait $sim 2>/dev/null
start_sim 2
"$LUMO" lumi discover $IF --timeout 1 --json >"$TMP/out" 2>&1
check_equals "v2: discover --json" "$TMP/out" \
  '{"sid":"7811dcb7a982","ip":"127.0.0.2","port":9898,"model":"gateway.v3","proto_version":"2.0.2"}'
"$LUMO" lumi devices $IF --json >"$TMP/out" 2>&1
check_status "v2: devices" 0 $?
jq -r '.sid + " " + .kind' "$TMP/out" >"$TMP/kinds"
check_equals "v2: devices --json kinds" "$TMP/kinds" "$(cat "$TMP/kinds1")"
"$LUMO" lumi write $LAMP status=on --password $PASSWORD $IF >"$TMP/out" 2>&1
check_status "v2: write" 0 $?
"$LUMO" lumi read $LAMP $IF --json >"$TMP/out" 2>&1
jq -c .state.status "$TMP/out" >"$TMP/w"
check_equals "v2: read after the write" "$TMP/w" '"on"'
listen v2 --count 2 --json
echo "motion hall" >&3
echo "off lamp" >&3
wait $lp
check_status "v2: listen" 0 $?
jq -c '[.event, .data]' "$TMP/v2.out" >"$TMP/events"
check_equals "v2: listen, normalised" "$TMP/events" '["motion",{"status":"motion"}]
["off",{"status":"off"}]'

exec 3>&-
finish
