# lumo sim lumi: the simulated Lumi gateway over real UDP sockets and
# multicast, checked with socat and openssl as an outside client would. The
# network part runs in a private network namespace (loopback only).
if ! command -v socat >/dev/null; then
  echo "this test needs socat (scripts/deps installs it)" >&2
  exit 1
fi
. "$(dirname "$0")/netns.sh"
. "$(dirname "$0")/lib.sh"

GW=7811dcb7a982
HALL=158d0001c2f110
DOOR=158d0001d3a221
LOUNGE=158d0001f5c443
LAMP=158d000200d554
PASSWORD=0987654321qwerty

# ---- the command line ----
"$LUMO" --help >"$TMP/out" 2>&1
check_contains "lumo --help lists sim" "$TMP/out" "sim lumi             run a simulated Lumi gateway"
"$LUMO" sim --help >"$TMP/out" 2>&1
check_status "sim --help" 0 $?
check_contains "sim --help" "$TMP/out" "usage: lumo sim SIMULATOR [options]"
"$LUMO" help sim >"$TMP/out" 2>&1
check_contains "help sim" "$TMP/out" "usage: lumo sim SIMULATOR"
"$LUMO" sim lumi --help >"$TMP/out" 2>&1
check_status "sim lumi --help" 0 $?
check_contains "sim lumi --help" "$TMP/out" "usage: lumo sim lumi [options]"
check_contains "sim lumi --help options" "$TMP/out" "--heartbeat SECONDS"
check_contains "sim lumi --help commands" "$TMP/out" "no_motion SID SECONDS"
"$LUMO" sim >"$TMP/out" 2>&1
check_status "sim without a simulator" 2 $?
check_contains "sim without a simulator" "$TMP/out" "give a simulator to run: lumi"
"$LUMO" sim tuya >"$TMP/out" 2>&1
check_status "unknown simulator" 2 $?
check_contains "unknown simulator" "$TMP/out" "unknown simulator 'tuya' (lumi is the one there is)"
usage() { # usage WHAT TEXT ARGS...: lumo sim lumi ARGS exits 2 saying TEXT
  local what=$1 text=$2
  shift 2
  "$LUMO" sim lumi "$@" </dev/null >"$TMP/out" 2>&1
  check_status "$what" 2 $?
  check_contains "$what" "$TMP/out" "$text"
}
usage "short password" "--password must be 16 characters" --password 12345
usage "bad proto" "--proto must be 1 or 2, not '3'" --proto 3
usage "bad sid" "--sid needs 12 lower-case hex digits" --sid 12345
usage "bad bind" "--bind needs an IPv4 address, not 'localhost'" --bind localhost
usage "bad heartbeat" "--heartbeat needs seconds" --heartbeat 0
usage "bad random" "--random needs reports per second" --random lots
usage "unknown model" "model 'toaster' is not one lumo knows" --device toaster:158d0001aaaaaa
usage "bad device spec" "--device needs MODEL:SID[:NAME]" --device plug
usage "duplicate sid" "sid 158d0001aaaaaa is given twice" \
  --device plug:158d0001aaaaaa --device magnet:158d0001aaaaaa
usage "missing devices file" "cannot open $TMP/none.json" --devices "$TMP/none.json"
printf '[\n {"sid": "158d0001aaaaaa",\n  "model": }\n]\n' >"$TMP/bad.json"
usage "bad devices file" "$TMP/bad.json:3: not valid JSON" --devices "$TMP/bad.json"
printf '[{"sid": "158d0001aaaaaa"}]\n' >"$TMP/nomodel.json"
usage "entry without model" "entry 1 needs \"sid\" and \"model\"" --devices "$TMP/nomodel.json"
usage "unexpected argument" "unexpected argument 'extra'" extra
usage "unknown option" "unknown option '--bogus'" --bogus

# ---- the private network (netns.sh): loopback with multicast; 127.0.0.2 is the gateway ----

# ask ADDR:PORT JSON: sends one datagram from 127.0.0.1 and prints what comes
# back within half a second, then a newline.
ask() {
  printf '%s' "$2" | socat -t 0.5 - "UDP4-DATAGRAM:$1,bind=127.0.0.1" 2>/dev/null
  echo
}
# listen FILE: records every datagram multicast to 224.0.0.50:9898 on loopback.
listen() {
  socat -u "UDP4-RECV:9898,bind=224.0.0.50,ip-add-membership=224.0.0.50:127.0.0.1,reuseaddr" \
    "OPEN:$1,creat,append" 2>/dev/null &
  PIDS="$PIDS $!"
  LISTENER=$!
  sleep 0.2
}
# datagrams FILE: the recorded datagrams, one a line.
datagrams() { sed 's/}{"cmd"/}\n{"cmd"/g' "$1"; echo; }
# key TOKEN: the write key for TOKEN under $PASSWORD, as PROTOCOLS.md §1.4 says.
key() {
  printf '%s' "$1" | openssl enc -aes-128-cbc -nopad -iv 17996d093d28ddb3ba695a2e6f58562e \
    -K "$(printf '%s' "$PASSWORD" | od -An -tx1 | tr -d ' \n')" | od -An -tx1 | tr -d ' \n'
}
token_of() { sed -n 's/.*"token":"\([^"]*\)".*/\1/p' "$1" | head -1; }
# start_sim NAME ARGS...: runs lumo sim lumi with commands from a FIFO (fd 3
# writes to it); waits for the start-up line.
start_sim() {
  local name=$1
  shift
  rm -f "$TMP/$name.in"
  mkfifo "$TMP/$name.in"
  exec 3<>"$TMP/$name.in"
  "$LUMO" sim lumi "$@" <"$TMP/$name.in" >"$TMP/$name.out" 2>"$TMP/$name.err" &
  SIM=$!
  PIDS="$PIDS $SIM"
  wait_for "$TMP/$name.err" "[lumi-sim] gateway" 5 || fail "$name did not start"
}
stop_sim() {
  kill -INT "$SIM"
  wait "$SIM"
  check_status "$1 exits 0 on SIGINT" 0 $?
  exec 3>&-
}
say() { echo "$1" >&3; } # a console command

# ---- proto 1 ----
listen "$TMP/mc1"
start_sim sim1 --heartbeat 60 --device-heartbeat 0 --log-level debug
check_contains "start-up line" "$TMP/sim1.err" "gateway $GW (gateway, proto 1.1.2) at 127.0.0.2:9898"
check_contains "password redacted" "$TMP/sim1.err" "password 0987…"
wait_for "$TMP/mc1" '"cmd":"heartbeat"' 3 || fail "no heartbeat at start-up"

ask 224.0.0.50:4321 '{"cmd":"whois"}' >"$TMP/r"
check_contains "whois by multicast" "$TMP/r" \
  '{"cmd":"iam","sid":"7811dcb7a982","model":"gateway","ip":"127.0.0.2","port":"9898","proto_version":"1.1.2"}'
ask 127.0.0.2:4321 '{"cmd":"whois"}' >"$TMP/r"
check_contains "whois by unicast" "$TMP/r" '"cmd":"iam"'

ask 127.0.0.2:9898 '{"cmd":"get_id_list"}' >"$TMP/r"
check_contains "get_id_list" "$TMP/r" \
  "\"data\":\"[\\\"$HALL\\\",\\\"$DOOR\\\",\\\"158d0001e4b332\\\",\\\"$LOUNGE\\\",\\\"$LAMP\\\"]\""
check_contains "get_id_list_ack" "$TMP/r" "{\"cmd\":\"get_id_list_ack\",\"sid\":\"$GW\",\"token\":\""
TOKEN=$(token_of "$TMP/r")
if [[ "$TOKEN" =~ ^[A-Za-z0-9]{16}$ ]]; then pass; else fail "token '$TOKEN' is not 16 alphanumerics"; fi
HB_TOKEN=$(token_of "$TMP/mc1")
[ "$TOKEN" = "$HB_TOKEN" ] && pass || fail "get_id_list token $TOKEN differs from the heartbeat's $HB_TOKEN"
check_contains "heartbeat" "$TMP/mc1" \
  "{\"cmd\":\"heartbeat\",\"sid\":\"$GW\",\"model\":\"gateway\",\"short_id\":0,\"token\":\"$HB_TOKEN\",\"data\":\"{\\\"ip\\\":\\\"127.0.0.2\\\"}\"}"

ask 127.0.0.2:9898 "{\"cmd\":\"read\",\"sid\":\"$DOOR\"}" >"$TMP/r"
check_contains "read" "$TMP/r" "{\"cmd\":\"read_ack\",\"sid\":\"$DOOR\",\"model\":\"sensor_magnet.aq2\",\"short_id\":"
check_contains "read state" "$TMP/r" '"data":"{\"status\":\"close\",\"voltage\":\"3025\"}"}'
ask 127.0.0.2:9898 "{\"cmd\":\"read\",\"sid\":\"$GW\"}" >"$TMP/r"
check_contains "read the gateway" "$TMP/r" '"data":"{\"rgb\":0,\"illumination\":300,\"proto_version\":\"1.1.2\"}"'
ask 127.0.0.2:9898 '{"cmd":"read","sid":"158d0000000000"}' >"$TMP/r"
check_contains "read an unknown sid" "$TMP/r" \
  '{"cmd":"read_ack","sid":"158d0000000000","data":"{\"error\":\"No device\"}"}'

# A write with the right key: acknowledged with the state before, then the
# new state multicast as a report; the key's case does not matter.
KEY=$(key "$TOKEN")
[ ${#KEY} = 32 ] && pass || fail "openssl made no key ('$KEY')"
ask 127.0.0.2:9898 "{\"cmd\":\"write\",\"sid\":\"$LAMP\",\"data\":\"{\\\"status\\\":\\\"on\\\",\\\"key\\\":\\\"$KEY\\\"}\"}" >"$TMP/r"
check_contains "write_ack" "$TMP/r" "{\"cmd\":\"write_ack\",\"sid\":\"$LAMP\",\"model\":\"plug\",\"short_id\":"
check_contains "write_ack has the state before" "$TMP/r" '"data":"{\"status\":\"off\",'
wait_for "$TMP/mc1" "\"sid\":\"$LAMP\",\"model\":\"plug\"" 2
datagrams "$TMP/mc1" | grep -F '"cmd":"report"' >"$TMP/reports"
check_contains "report after write" "$TMP/reports" \
  "{\"cmd\":\"report\",\"sid\":\"$LAMP\",\"model\":\"plug\",\"short_id\":"
check_contains "report has the new state" "$TMP/reports" '"data":"{\"status\":\"on\"}"}'
ask 127.0.0.2:9898 "{\"cmd\":\"read\",\"sid\":\"$LAMP\"}" >"$TMP/r"
check_contains "read after write" "$TMP/r" '"data":"{\"status\":\"on\",'
UPPER=$(printf '%s' "$KEY" | tr a-f A-F)
ask 127.0.0.2:9898 "{\"cmd\":\"write\",\"sid\":\"$LAMP\",\"data\":{\"status\":\"off\",\"key\":\"$UPPER\"}}" >"$TMP/r"
check_contains "upper-case key, data as an object" "$TMP/r" '"data":"{\"status\":\"on\",'
ask 127.0.0.2:9898 "{\"cmd\":\"write\",\"sid\":\"$GW\",\"data\":{\"rgb\":4278255360,\"key\":\"$KEY\"}}" >"$TMP/r"
check_contains "gateway write" "$TMP/r" "\"cmd\":\"write_ack\",\"sid\":\"$GW\",\"model\":\"gateway\""
wait_for "$TMP/mc1" 'rgb\":4278255360' 2 && pass || fail "no rgb report after the gateway write"

ask 127.0.0.2:9898 "{\"cmd\":\"write\",\"sid\":\"$DOOR\",\"data\":{\"status\":\"open\",\"key\":\"$KEY\"}}" >"$TMP/r"
check_contains "write to a sensor: acknowledged" "$TMP/r" "\"cmd\":\"write_ack\",\"sid\":\"$DOOR\""
check_contains "write to a sensor: ignored" "$TMP/sim1.err" \
  "write to $DOOR (sensor_magnet.aq2): ignored 'status' (not something a door/window sensor takes in proto 1)"

# Wrong keys: exactly what the real gateway says.
INVALID="{\"cmd\":\"write_ack\",\"sid\":\"$LAMP\",\"data\":\"{\\\"error\\\":\\\"Invalid key\\\"}\"}"
ask 127.0.0.2:9898 "{\"cmd\":\"write\",\"sid\":\"$LAMP\",\"data\":{\"status\":\"on\",\"key\":\"3EB43E37C20AFF4C5872CC0D04D81314\"}}" >"$TMP/r"
check_contains "wrong key" "$TMP/r" "$INVALID"
ask 127.0.0.2:9898 "{\"cmd\":\"write\",\"sid\":\"$LAMP\",\"data\":{\"status\":\"on\"}}" >"$TMP/r"
check_contains "no key" "$TMP/r" "$INVALID"
say token
wait_for "$TMP/sim1.out" "token changed to" 2 || fail "no answer to 'token'"
ask 127.0.0.2:9898 "{\"cmd\":\"write\",\"sid\":\"$LAMP\",\"data\":{\"status\":\"on\",\"key\":\"$KEY\"}}" >"$TMP/r"
check_contains "key of the previous token" "$TMP/r" "$INVALID"
check_contains "refused write logged" "$TMP/sim1.err" "refused: invalid key"

ask 127.0.0.2:9898 '{"foo":"bar"}' >"$TMP/r"
check_contains "no cmd" "$TMP/r" '{"cmd":"server_ack","data":"{\"error\":\"Invalid json msg\"}"}'
ask 127.0.0.2:9898 '{"cmd":"read","sid":' >"$TMP/r"
check_contains "cut JSON" "$TMP/r" '{"cmd":"server_ack","data":"{\"error\":\"Invalid json msg\"}"}'
ask 127.0.0.2:9898 '{"cmd":"reboot"}' >"$TMP/r"
check_contains "unknown cmd" "$TMP/r" '{"cmd":"server_ack","data":"{\"error\":\"Unsupported cmd\"}"}'
ask 127.0.0.2:9898 '{"cmd":"discovery"}' >"$TMP/r"
check_contains "discovery in proto 1" "$TMP/r" '"Unsupported cmd'
check_contains "requests logged at debug" "$TMP/sim1.err" "DEBUG [lumi-sim] from 127.0.0.1:"

# Console commands: each answered with one line, reports multicast.
say "motion hall"
wait_for "$TMP/sim1.out" "sent report $HALL" 2
check_contains "motion command" "$TMP/sim1.out" "sent report $HALL {\"status\":\"motion\"}"
wait_for "$TMP/mc1" "\"sid\":\"$HALL\"" 2
datagrams "$TMP/mc1" | grep -F "\"sid\":\"$HALL\"" >"$TMP/reports"
check_contains "motion report" "$TMP/reports" \
  "{\"cmd\":\"report\",\"sid\":\"$HALL\",\"model\":\"sensor_motion.aq2\",\"short_id\":"
check_contains "motion report data" "$TMP/reports" '"data":"{\"status\":\"motion\"}"}'
say "temp $LOUNGE 23.5"
say "no_motion hall 120"
say "open door"
say "open hall"
say "on lamp 3"
say "temp lounge hot"
say "click nobody"
say "frobnicate"
say "report door voltage=\"2950\" lux=7"
say "devices"
wait_for "$TMP/sim1.out" "$LAMP plug" 2
check_contains "temp" "$TMP/sim1.out" "sent report $LOUNGE {\"temperature\":\"2350\"}"
check_contains "no_motion" "$TMP/sim1.out" "sent report $HALL {\"no_motion\":\"120\"}"
check_contains "open" "$TMP/sim1.out" "sent report $DOOR {\"status\":\"open\"}"
check_contains "wrong kind" "$TMP/sim1.out" "'open' needs a door/window sensor; hall is a motion sensor (sensor_motion.aq2)"
check_contains "bad channel" "$TMP/sim1.out" "lamp has channel 0 only"
check_contains "bad number" "$TMP/sim1.out" "temp needs a number from -40 to 100 (°C), not 'hot'"
check_contains "unknown device" "$TMP/sim1.out" "unknown device 'nobody' (see 'devices')"
check_contains "unknown command" "$TMP/sim1.out" "unknown command 'frobnicate' (see 'help')"
check_contains "raw report" "$TMP/sim1.out" "sent report $DOOR {\"voltage\":\"2950\",\"lux\":7}"
check_contains "devices" "$TMP/sim1.out" "$HALL sensor_motion.aq2  hall"
wait_for "$TMP/mc1" 'temperature\":\"2350' 2 && pass || fail "no temperature report"

# silence: nothing multicast for a while, then reports again.
say "silence 0.6"
say "click button"
wait_for "$TMP/sim1.out" "report 158d0001e4b332" 2
check_contains "silenced report" "$TMP/sim1.out" "report 158d0001e4b332 {\"status\":\"click\"} not sent"
sleep 0.8
check_not_contains "nothing sent while silent" "$TMP/mc1" "158d0001e4b332"
say "double_click button"
wait_for "$TMP/mc1" "158d0001e4b332" 2 && pass || fail "no report after the silence"
check_contains "report after the silence" "$TMP/mc1" 'double_click'
say "heartbeat door"
wait_for "$TMP/mc1" '"cmd":"heartbeat","sid":"158d0001d3a221"' 2 && pass || fail "no device heartbeat on demand"
stop_sim sim1
check_not_contains "password never logged whole" "$TMP/sim1.err" "$PASSWORD"
check_not_contains "no sanitizer findings" "$TMP/sim1.err" "Sanitizer"
kill "$LISTENER" 2>/dev/null

# ---- heartbeat periods: fresh tokens at the configured period ----
listen "$TMP/mc2"
start_sim sim2 --heartbeat 0.25 --device-heartbeat 0.5
sleep 2
stop_sim sim2
kill "$LISTENER" 2>/dev/null
datagrams "$TMP/mc2" | grep -F "\"cmd\":\"heartbeat\",\"sid\":\"$GW\"" >"$TMP/hb"
n=$(wc -l <"$TMP/hb")
if [ "$n" -ge 6 ] && [ "$n" -le 11 ]; then pass; else fail "$n gateway heartbeats in 2 s at 0.25 s"; fi
ntok=$(sed -n 's/.*"token":"\([^"]*\)".*/\1/p' "$TMP/hb" | sort -u | wc -l)
[ "$ntok" = "$n" ] && pass || fail "$ntok different tokens in $n heartbeats"
datagrams "$TMP/mc2" | grep -F '"cmd":"heartbeat","sid":"158d' >"$TMP/dhb"
n=$(wc -l <"$TMP/dhb")
if [ "$n" -ge 12 ] && [ "$n" -le 24 ]; then pass; else fail "$n device heartbeats in 2 s (5 devices at 0.5 s)"; fi
check_contains "device heartbeat state" "$TMP/dhb" \
  "\"sid\":\"$LOUNGE\",\"model\":\"sensor_ht\",\"short_id\":"

# ---- proto 2, a devices file, --device ----
cat >"$TMP/devices.json" <<JSON
[{"sid": "$HALL", "model": "sensor_motion.aq2", "name": "hall"},
 {"sid": "$DOOR", "model": "sensor_magnet.aq2", "name": "door", "state": {"status": "open"}},
 {"sid": "$LOUNGE", "model": "weather.v1", "name": "lounge"}]
JSON
listen "$TMP/mc3"
start_sim sim3 --proto 2 --heartbeat 60 --devices "$TMP/devices.json" \
  --device ctrl_neutral2:158d0000abcdef:hallway --device plug:$LAMP:lamp
ask 224.0.0.50:4321 '{"cmd":"whois"}' >"$TMP/r"
check_contains "v2 iam" "$TMP/r" '"model":"gateway.v3"'
check_contains "v2 iam protocal" "$TMP/r" '"protocal":"UDP"'
check_contains "v2 iam version" "$TMP/r" '"proto_version":"2.0.2"'
ask 127.0.0.2:9898 '{"cmd":"discovery"}' >"$TMP/r"
check_contains "discovery_rsp" "$TMP/r" "{\"cmd\":\"discovery_rsp\",\"sid\":\"$GW\",\"token\":\""
check_contains "dev_list" "$TMP/r" \
  "\"dev_list\":[{\"sid\":\"$HALL\",\"model\":\"sensor_motion.aq2\"},{\"sid\":\"$DOOR\",\"model\":\"sensor_magnet.aq2\"},{\"sid\":\"$LOUNGE\",\"model\":\"weather.v1\"},{\"sid\":\"158d0000abcdef\",\"model\":\"ctrl_neutral2\"},{\"sid\":\"$LAMP\",\"model\":\"plug\"}]"
TOKEN=$(token_of "$TMP/r")
ask 127.0.0.2:9898 '{"cmd":"get_id_list"}' >"$TMP/r"
check_contains "get_id_list in proto 2" "$TMP/r" '"Unsupported cmd'
ask 127.0.0.2:9898 "{\"cmd\":\"read\",\"sid\":\"$DOOR\"}" >"$TMP/r"
check_contains "read_rsp" "$TMP/r" \
  "{\"cmd\":\"read_rsp\",\"sid\":\"$DOOR\",\"model\":\"sensor_magnet.aq2\",\"params\":[{\"window_status\":\"open\"},{\"battery_voltage\":3025}]}"
ask 127.0.0.2:9898 "{\"cmd\":\"read\",\"sid\":\"$LOUNGE\"}" >"$TMP/r"
check_contains "v2 numbers" "$TMP/r" '"params":[{"temperature":2150},{"humidity":4520},{"pressure":100100},{"battery_voltage":3025}]'
KEY=$(key "$TOKEN")
ask 127.0.0.2:9898 "{\"cmd\":\"write\",\"sid\":\"$LAMP\",\"key\":\"$KEY\",\"params\":[{\"channel_0\":\"on\"}]}" >"$TMP/r"
check_contains "write_rsp" "$TMP/r" "{\"cmd\":\"write_rsp\",\"sid\":\"$LAMP\",\"model\":\"plug\",\"params\":[{\"channel_0\":\"off\"},"
wait_for "$TMP/mc3" "\"sid\":\"$LAMP\"" 2
check_contains "v2 report" "$TMP/mc3" "{\"cmd\":\"report\",\"sid\":\"$LAMP\",\"model\":\"plug\",\"params\":[{\"channel_0\":\"on\"}]}"
ask 127.0.0.2:9898 "{\"cmd\":\"write\",\"sid\":\"158d0000abcdef\",\"key\":\"$KEY\",\"params\":[{\"channel_1\":\"on\"}]}" >"$TMP/r"
wait_for "$TMP/mc3" '"sid":"158d0000abcdef"' 2
check_contains "two-gang report" "$TMP/mc3" '"model":"ctrl_neutral2","params":[{"channel_1":"on"}]}'
ask 127.0.0.2:9898 "{\"cmd\":\"write\",\"sid\":\"$LAMP\",\"key\":\"00000000000000000000000000000000\",\"params\":[{\"channel_0\":\"off\"}]}" >"$TMP/r"
check_contains "v2 invalid key" "$TMP/r" "{\"cmd\":\"write_rsp\",\"sid\":\"$LAMP\",\"params\":[{\"error\":\"Invalid key\"}]}"
say "motion hall"
say "temp lounge 23.5"
say "pressure lounge 100.1"
say "no_motion hall 120"
say "off hallway 1"
wait_for "$TMP/sim3.out" "158d0000abcdef" 2
check_contains "v2 motion" "$TMP/sim3.out" "sent report $HALL {\"motion_status\":\"motion\"}"
check_contains "v2 temperature" "$TMP/sim3.out" "sent report $LOUNGE {\"temperature\":2350}"
check_contains "v2 pressure in Pa" "$TMP/sim3.out" "sent report $LOUNGE {\"pressure\":100100}"
check_contains "v2 has no no_motion" "$TMP/sim3.out" "proto 2 has no no_motion reports"
check_contains "named device from --device" "$TMP/sim3.out" "sent report 158d0000abcdef {\"channel_1\":\"off\"}"
wait_for "$TMP/mc3" "motion_status" 2
check_contains "v2 motion report" "$TMP/mc3" \
  "{\"cmd\":\"report\",\"sid\":\"$HALL\",\"model\":\"sensor_motion.aq2\",\"params\":[{\"motion_status\":\"motion\"}]}"
check_contains "v2 heartbeat" "$TMP/mc3" \
  "{\"cmd\":\"heartbeat\",\"sid\":\"$GW\",\"model\":\"gateway.v3\",\"token\":\""
check_contains "v2 heartbeat params" "$TMP/mc3" '"params":[{"ip":"127.0.0.2"}]}'
# A second gateway on the same address cannot start.
"$LUMO" sim lumi </dev/null >"$TMP/out" 2>&1
check_status "address in use" 1 $?
check_contains "address in use" "$TMP/out" "cannot bind 127.0.0.2:9898"
stop_sim sim3
kill "$LISTENER" 2>/dev/null

# The end of standard input does not stop the simulator; SIGTERM does.
# --random makes reports on its own.
listen "$TMP/mc4"
"$LUMO" sim lumi --random 50 </dev/null >"$TMP/eof.out" 2>"$TMP/eof.err" &
pid=$!
PIDS="$PIDS $pid"
wait_for "$TMP/eof.err" "[lumi-sim] gateway" 5
sleep 0.5
if kill -0 $pid 2>/dev/null; then pass; else fail "the simulator stopped at the end of input"; fi
kill -TERM $pid
wait $pid
check_status "SIGTERM" 0 $?
kill "$LISTENER" 2>/dev/null
n=$(datagrams "$TMP/mc4" | grep -cF '"cmd":"report"')
if [ "$n" -ge 10 ]; then pass; else fail "$n random reports in 0.5 s at 50/s"; fi
check_not_contains "no sanitizer findings (random)" "$TMP/eof.err" "Sanitizer"

finish
