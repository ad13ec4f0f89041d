# examples/motion_light.lua against the simulated gateway: motion switches
# the plug on through a keyed write, and it goes off after the quiet spell.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/netns.sh"

mkfifo "$TMP/sim"
"$LUMO" sim lumi --bind 127.0.0.2 --interface 127.0.0.1 --heartbeat 0.5 \
  --device-heartbeat 0 <"$TMP/sim" >"$TMP/sim.out" 2>"$TMP/sim.err" &
sim=$!
PIDS="$sim"
exec 3>"$TMP/sim"
LUMO_INTERFACE=127.0.0.1 LUMO_QUIET_SECONDS=1 "$LUMO" run "$LUMO_SRC/examples/motion_light.lua" \
  2>"$TMP/log" &
engine=$!
PIDS="$sim $engine"
wait_for "$TMP/log" "ready" || fail "the gateway was not found"
echo "motion hall" >&3
wait_for "$TMP/log" "the lamp is on" 5 || fail "motion did not switch the lamp on"
wait_for "$TMP/log" "no motion for 1 s: lamp off" 5 || fail "the lamp was not switched off"
wait_for "$TMP/log" "the lamp is off" 5 || fail "no off report from the plug"
echo "devices" >&3
wait_for "$TMP/sim.out" "lamp     {" 5
check_contains "the simulated plug ended off" "$TMP/sim.out" "lamp     {\"status\":\"off\""
check_not_contains "no refused write" "$TMP/sim.err" "refused"
[ "$(count_of "$TMP/log" "the lamp is off")" = 1 ] && pass || fail "start-up state raised an off event"
kill -INT $engine
wait $engine
check_status "engine exit" 0 $?
finish
