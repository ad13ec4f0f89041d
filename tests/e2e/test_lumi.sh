# The Lumi driver against `lumo sim lumi` over loopback multicast, inside a
# private network namespace: each tests/lumi/test_*.lua runs with a fresh
# simulator whose stdin is a fifo the rules can write commands to.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/netns.sh"

# Every test against a v1 gateway, and the events test against a v2 one too.
runs=""
for t in "$LUMO_SRC"/tests/lumi/test_*.lua; do runs="$runs 1:$t"; done
runs="$runs 2:$LUMO_SRC/tests/lumi/test_events.lua"
for run in $runs; do
  proto=${run%%:*}
  t=${run#*:}
  name=$(basename "$t" .lua)-v$proto
  ctl="$TMP/$name.ctl"
  mkfifo "$ctl"
  "$LUMO" sim lumi --bind 127.0.0.2 --interface 127.0.0.1 --heartbeat 0.2 --proto "$proto" \
    --device-heartbeat 0 <"$ctl" >"$TMP/$name.sim.out" 2>"$TMP/$name.sim.err" &
  sim=$!
  exec 3>"$ctl" # keeps the simulator's stdin open between commands
  LUMI_SIM_CTL="$ctl" LUMI_SIM_PID=$sim LUMI_PROTO=$proto LUMO_SRC="$LUMO_SRC" \
    timeout 60 "$LUMO" run --log-level warn "$t" >"$TMP/$name.out" 2>&1
  status=$?
  exec 3>&-
  kill $sim 2>/dev/null
  wait $sim 2>/dev/null
  check_run "$name" $status "$TMP/$name.out" simulator "$TMP/$name.sim.err" 20
done

finish
