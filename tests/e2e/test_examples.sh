# The example rule files run and do what their comments say.
. "$(dirname "$0")/lib.sh"
ex="${LUMO_SRC:?}/examples"

# hallway_timer.lua: lamp ON with motion, OFF after 3 quiet seconds,
# the re-trigger extends it, a temperature report is logged.
timeout --preserve-status -s INT 11 "$LUMO" run "$ex/hallway_timer.lua" 2>"$TMP/out"
check_status "hallway_timer exits cleanly on SIGINT" 0 $?
check_contains "motion handled" "$TMP/out" "motion in the hall"
[ "$(count_of "$TMP/out" "hall lamp ON")" = 2 ] && pass || fail "lamp should go ON twice"
[ "$(count_of "$TMP/out" "hall lamp OFF")" = 2 ] && pass || fail "lamp should go OFF twice"
check_contains "report forwarded" "$TMP/out" "hall reports 21.5 °C"
# Ordering: the first OFF comes after the second motion (the timer restarted).
awk '/motion in the hall/ {m++} /hall lamp OFF/ && !off {off = 1; print m}' "$TMP/out" >"$TMP/m"
[ "$(cat "$TMP/m")" = 2 ] && pass || fail "quiet timer was not restarted by the second motion"

finish
