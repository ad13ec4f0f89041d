# Reload: a changed rule file replaces its handlers and timers; a broken new
# version leaves the old one running; SIGHUP reloads every file; other files
# are not touched.
. "$(dirname "$0")/lib.sh"

rules="$TMP/rules.lua"
other="$TMP/other.lua"
log="$TMP/log"
write_version() {
  # Written to a temporary name and renamed, as editors do; both ways are
  # exercised below.
  cat >"$rules.tmp" <<LUA
lumo.every(0.05, function() lumo.log.info("tick v$1") end)
lumo.on("ping", function() lumo.log.info("pong v$1") end)
lumo.log.info("loaded v$1")
LUA
  mv "$rules.tmp" "$rules"
}
# recent SECONDS: the log lines written during the next SECONDS, in $TMP/recent.
recent() {
  local n
  n=$(wc -l <"$log")
  sleep "$1"
  tail -n +"$((n + 1))" "$log" >"$TMP/recent"
}
write_version 1
cat >"$other" <<'LUA'
lumo.every(0.05, function() lumo.emit("ping") end)
lumo.log.info("other loaded")
LUA

"$LUMO" run "$rules" "$other" 2>"$log" &
pid=$!
PIDS="$pid"
wait_for "$log" "pong v1" || fail "v1 never answered"

# Change on disk -> v2 replaces v1 (its timer and handler are gone).
sleep 1.1 # a new mtime second, for file systems with coarse timestamps
write_version 2
wait_for "$log" "pong v2" || fail "v2 was not loaded after the file changed"
check_contains "reload logged" "$log" "reloaded (removed the previous version's 1 timer and 1 handler)"
sleep 0.3
recent 0.3
check_not_contains "old timer removed" "$TMP/recent" "tick v1"
check_not_contains "old handler removed" "$TMP/recent" "pong v1"
check_contains "new timer runs" "$TMP/recent" "tick v2"
check_contains "other file untouched" "$TMP/recent" "pong v2"
check_contains "other file loaded once" "$log" "other loaded"
[ "$(count_of "$log" "other loaded")" = 1 ] && pass || fail "other file was reloaded"

# A broken version (syntax error) keeps v2 running and says why.
sleep 1.1
printf 'lumo.on("ping", function()\n' >>"$rules"
wait_for "$log" "reload failed, the previous version keeps running" || fail "no reload failure logged"
check_contains "failure names file:line" "$log" "$rules:5:"
recent 0.4
check_contains "v2 still ticking after a broken save" "$TMP/recent" "tick v2"
check_contains "v2 still answering after a broken save" "$TMP/recent" "pong v2"

# A version that raises half-way: what it registered before the error is
# dropped, v2 stays.
sleep 1.1
cat >"$rules" <<'LUA'
lumo.every(0.05, function() lumo.log.info("tick v3") end)
error("v3 is broken")
LUA
wait_for "$log" "v3 is broken" || fail "no runtime load failure logged"
recent 0.4
check_not_contains "half-loaded v3 timer dropped" "$TMP/recent" "tick v3"
check_contains "v2 still ticking" "$TMP/recent" "tick v2"

# SIGHUP reloads every file, even without a change on disk.
sleep 1.1
write_version 4
wait_for "$log" "loaded v4" || fail "v4 not loaded"
before=$(count_of "$log" "loaded v4")
kill -HUP $pid
wait_for "$log" "SIGHUP received, reloading rule files" || fail "SIGHUP not logged"
wait_count "$log" "loaded v4" $((before + 1))
wait_count "$log" "other loaded" 2
[ "$(count_of "$log" "loaded v4")" = $((before + 1)) ] && pass || fail "SIGHUP did not reload rules.lua"
[ "$(count_of "$log" "other loaded")" = 2 ] && pass || fail "SIGHUP did not reload other.lua"
recent 0.3
# One timer per file after reload: ticks at 0.05 s give about 6 lines in 0.3 s;
# a leaked duplicate timer would double them.
ticks=$(count_of "$TMP/recent" "tick v4")
if [ "$ticks" -ge 2 ] && [ "$ticks" -le 9 ]; then pass; else fail "after SIGHUP $ticks ticks in 0.3 s (duplicate timers?)"; fi

# The REPL reloads its rule files on SIGHUP too.
write_version 7
{ sleep 3; } | "$LUMO" repl --wait 0 "$rules" >/dev/null 2>"$TMP/log3" &
repl_job=$!
wait_for "$TMP/log3" "loaded v7" 5 || fail "the repl did not load its rule file"
pkill -HUP -f "lumo repl --wait 0 $rules" || fail "repl not found to signal"
wait_for "$TMP/log3" "reloaded" 3 || fail "repl did not reload on SIGHUP"
[ "$(count_of "$TMP/log3" "loaded v7")" = 2 ] && pass || fail "repl SIGHUP did not run the file again"
wait $repl_job

# --no-watch: changes on disk are ignored.
kill $pid
wait $pid
check_status "shutdown after reloads" 0 $?
write_version 5
"$LUMO" run --no-watch "$rules" 2>"$TMP/log2" &
pid=$!
PIDS="$pid"
wait_for "$TMP/log2" "tick v5"
sleep 1.1
write_version 6
sleep 0.5
check_not_contains "--no-watch ignores changes" "$TMP/log2" "loaded v6"
kill $pid
wait $pid

finish
