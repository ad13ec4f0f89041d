# CLI contract: help, usage errors, start-up failures, signals, log format,
# error isolation and budget messages.
. "$(dirname "$0")/lib.sh"

"$LUMO" --help >"$TMP/out" 2>&1
check_status "lumo --help" 0 $?
check_contains "lumo --help" "$TMP/out" "usage: lumo COMMAND"
check_contains "lumo --help lists run" "$TMP/out" "run RULES.lua..."

"$LUMO" run --help >"$TMP/out" 2>&1
check_status "lumo run --help" 0 $?
check_contains "lumo run --help" "$TMP/out" "usage: lumo run [options] RULES.lua..."
check_contains "lumo run --help" "$TMP/out" "--budget N"
"$LUMO" help repl >"$TMP/out" 2>&1
check_status "lumo help repl" 0 $?
check_contains "lumo help repl" "$TMP/out" "usage: lumo repl"
"$LUMO" version >"$TMP/out" 2>&1
check_contains "lumo version" "$TMP/out" "lumo 0."

"$LUMO" >"$TMP/out" 2>&1
check_status "lumo without a command" 2 $?
"$LUMO" frobnicate >"$TMP/out" 2>&1
check_status "unknown command" 2 $?
check_contains "unknown command" "$TMP/out" "unknown command 'frobnicate'"
"$LUMO" run >"$TMP/out" 2>&1
check_status "run without files" 2 $?
check_contains "run without files" "$TMP/out" "give at least one rule file to run"
"$LUMO" run --bogus x.lua >"$TMP/out" 2>&1
check_status "unknown option" 2 $?
check_contains "unknown option" "$TMP/out" "unknown option '--bogus'"
"$LUMO" run --log-level loud x.lua >"$TMP/out" 2>&1
check_status "bad log level" 2 $?
check_contains "bad log level" "$TMP/out" "--log-level must be debug, info, warn, error or off, not 'loud'"
"$LUMO" run --budget lots x.lua >"$TMP/out" 2>&1
check_status "bad budget" 2 $?
check_contains "bad budget" "$TMP/out" "--budget must be a whole number"
"$LUMO" run --budget >"$TMP/out" 2>&1
check_status "missing option value" 2 $?
check_contains "missing option value" "$TMP/out" "needs a value"
"$LUMO" repl --wait soon </dev/null >"$TMP/out" 2>&1
check_status "bad --wait" 2 $?
check_contains "bad --wait" "$TMP/out" "--wait needs a number of seconds"

# A missing file and a syntax error: exit 2 with file:line.
"$LUMO" run "$TMP/nope.lua" >"$TMP/out" 2>&1
check_status "missing rule file" 2 $?
check_contains "missing rule file" "$TMP/out" "cannot load $TMP/nope.lua"
printf 'local x = 1\nlumo.on("a", function()\n  x = = 2\nend)\n' >"$TMP/syntax.lua"
"$LUMO" run "$TMP/syntax.lua" >"$TMP/out" 2>&1
check_status "syntax error" 2 $?
check_contains "syntax error names file:line" "$TMP/out" "$TMP/syntax.lua:3:"
printf 'error("refusing to start")\n' >"$TMP/raise.lua"
"$LUMO" run "$TMP/raise.lua" >"$TMP/out" 2>&1
check_status "error at load" 2 $?
check_contains "error at load names file:line" "$TMP/out" "$TMP/raise.lua:1: refusing to start"

# A rule file can require modules that sit beside it, from any directory.
mkdir -p "$TMP/rules"
printf 'return {answer = 42}\n' >"$TMP/rules/helper.lua"
printf 'lumo.log.warn("answer %%d", require("helper").answer)\nlumo.exit(0)\n' >"$TMP/rules/main.lua"
(cd / && "$LUMO" run "$TMP/rules/main.lua") >"$TMP/out" 2>&1
check_status "require beside the rule file" 0 $?
check_contains "require beside the rule file" "$TMP/out" "answer 42"

# SIGTERM and SIGINT: clean shutdown, exit 0.
printf 'lumo.every(0.05, function() end)\nlumo.log.info("ready")\n' >"$TMP/idle.lua"
for sig in TERM INT; do
  "$LUMO" run "$TMP/idle.lua" 2>"$TMP/log.$sig" &
  pid=$!
  wait_for "$TMP/log.$sig" "ready" || fail "engine did not start for SIG$sig"
  kill -$sig $pid
  wait $pid
  check_status "SIG$sig shutdown" 0 $?
  check_contains "SIG$sig logged" "$TMP/log.$sig" "SIG$sig received, shutting down"
done

# An engine with nothing scheduled keeps running (waiting for events).
printf 'lumo.log.info("nothing to do")\n' >"$TMP/empty.lua"
"$LUMO" run "$TMP/empty.lua" 2>"$TMP/log.empty" &
pid=$!
wait_for "$TMP/log.empty" "nothing to do"
sleep 0.3
if kill -0 $pid 2>/dev/null; then pass; else fail "engine with no timers exited on its own"; fi
kill $pid; wait $pid

# Log lines: time, level, rule file:line; --log-level filters.
cat >"$TMP/log.lua" <<'LUA'
lumo.log.debug("dbg %d", 1)
lumo.log.info("temperature is %.1f", 21.25)
lumo.log.warn("careful")
lumo.log.error({})
lumo.exit(3)
LUA
"$LUMO" run "$TMP/log.lua" 2>"$TMP/out"
check_status "lumo.exit(3)" 3 $?
if grep -qE '^[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{3} INFO  \[.*log\.lua:2\] temperature is 21\.2$' "$TMP/out"; then
  pass
else
  fail "log line format"; cat "$TMP/out" >&2
fi
check_not_contains "debug hidden at info" "$TMP/out" "dbg 1"
check_contains "warn level" "$TMP/out" "WARN  [$TMP/log.lua:3] careful"
check_contains "non-string message" "$TMP/out" "ERROR [$TMP/log.lua:4] table:"
"$LUMO" run --log-level debug "$TMP/log.lua" 2>"$TMP/out"
check_contains "debug shown at debug" "$TMP/out" "DEBUG [$TMP/log.lua:1] dbg 1"
"$LUMO" run --log-level error "$TMP/log.lua" 2>"$TMP/out"
check_not_contains "warn hidden at error" "$TMP/out" "careful"

# Error isolation: the failing rule is logged with file:line and traceback,
# the engine and the other rules go on.
cat >"$TMP/iso.lua" <<'LUA'
local function helper() local t = nil; return t.field end
lumo.on("tick", function() helper() end)
lumo.on("tick", function() lumo.log.info("other handler ran") end)
lumo.emit("tick")
lumo.after(0.1, function() lumo.log.info("still alive"); lumo.exit(0) end)
LUA
"$LUMO" run "$TMP/iso.lua" 2>"$TMP/out"
check_status "engine survives a failing rule" 0 $?
check_contains "error names where the handler was defined" "$TMP/out" "ERROR [$TMP/iso.lua:2] error in handler for 'tick': $TMP/iso.lua:1: attempt to index a nil value"
check_contains "traceback" "$TMP/out" "stack traceback:"
check_contains "traceback names the helper" "$TMP/out" "in upvalue 'helper'"
check_contains "other handler" "$TMP/out" "other handler ran"
check_contains "engine goes on" "$TMP/out" "still alive"

# Instruction budget: a runaway callback is stopped with a clear line.
cat >"$TMP/spin.lua" <<'LUA'
lumo.after(0, function() local n = 0; while true do n = n + 1 end end)
lumo.after(0.2, function() lumo.log.info("after the runaway"); lumo.exit(0) end)
LUA
"$LUMO" run --budget 100000 "$TMP/spin.lua" 2>"$TMP/out"
check_status "engine survives a runaway rule" 0 $?
check_contains "budget log line" "$TMP/out" "timer callback (after) aborted: ran past its instruction budget of 100000 (raise it with --budget)"
check_contains "budget names the line" "$TMP/out" "spin.lua:1: instruction budget exceeded"
check_contains "engine goes on after budget" "$TMP/out" "after the runaway"
# Without the budget option the default still stops it.
"$LUMO" run "$TMP/spin.lua" 2>"$TMP/out"
check_status "default budget" 0 $?
check_contains "default budget" "$TMP/out" "instruction budget of 100000000"
# With no budget, SIGTERM still stops a runaway rule and the engine.
printf 'lumo.after(0, function() while true do end end)\nlumo.log.info("spinning")\n' >"$TMP/spin0.lua"
"$LUMO" run --budget 0 "$TMP/spin0.lua" 2>"$TMP/out" &
pid=$!
wait_for "$TMP/out" "spinning" || fail "spin0 did not start"
sleep 0.3
kill -TERM $pid
for _ in $(seq 50); do kill -0 $pid 2>/dev/null || break; sleep 0.1; done
if kill -0 $pid 2>/dev/null; then fail "SIGTERM did not stop a runaway rule"; kill -9 $pid; fi
wait $pid
check_status "SIGTERM during a runaway rule" 0 $?
check_contains "runaway rule interrupted" "$TMP/out" "timer callback (after) interrupted by a signal"

# A runaway top level at start-up is a load failure.
printf 'while true do end\n' >"$TMP/spintop.lua"
"$LUMO" run --budget 100000 "$TMP/spintop.lua" >"$TMP/out" 2>&1
check_status "runaway top level" 2 $?
check_contains "runaway top level" "$TMP/out" "top level ran past the instruction budget of 100000"

finish
