# lumo repl: piped input (plain lines) and a terminal (libedit, via script(1)).
. "$(dirname "$0")/lib.sh"

# Piped: values print, tables readably, chunks continue, timers fire while
# waiting, errors do not end the session.
cat >"$TMP/in" <<'LUA'
1+1
"plain string"
{1, 2, x = {y = "z"}, ["a b"] = true}
1, nil, 2.5
for i = 1, 2 do
  print("loop", i)
end
local t = {}
error("oops")
lumo.after(0.1, function() print("timer fired") end)
lumo.on("hello", function(ev) print("event", ev.data) end)
lumo.emit("hello", 42)
x = (
  6 * 7
)
x
return
LUA
"$LUMO" repl --wait 0.4 <"$TMP/in" >"$TMP/out" 2>"$TMP/err"
check_status "piped repl exit" 0 $?
check_contains "expression value" "$TMP/out" "2"
check_contains "string printed raw" "$TMP/out" "plain string"
check_contains "table printed readably" "$TMP/out" '{1, 2, ["a b"] = true, x = {y = "z"}}'
check_contains "several values" "$TMP/out" "$(printf '1\tnil\t2.5')"
check_contains "multi-line chunk" "$TMP/out" "$(printf 'loop\t2')"
check_contains "error reported" "$TMP/err" "stdin:1: oops"
check_contains "timer fired while waiting" "$TMP/out" "timer fired"
check_contains "event delivered" "$TMP/out" "$(printf 'event\t42')"
check_contains "continued expression" "$TMP/out" "42"
[ "$(head -1 "$TMP/out")" = "2" ] && pass || fail "first output line is not 2"

# The example from the issue.
printf 'lumo.after(0.1, function() print("hi") end)\n' | "$LUMO" repl --wait 1 >"$TMP/out" 2>&1
check_status "issue example exit" 0 $?
check_contains "issue example" "$TMP/out" "hi"

# Without --wait the session ends with the input; pending timers never run.
printf 'lumo.after(0.2, function() print("too late") end)\n' | "$LUMO" repl >"$TMP/out" 2>&1
check_status "no wait" 0 $?
check_not_contains "no wait" "$TMP/out" "too late"

# An unfinished chunk at end of input is reported.
printf 'for i = 1, 3 do\n' | "$LUMO" repl >"$TMP/out" 2>&1
check_contains "unfinished chunk" "$TMP/out" "unexpected end of input"

# lumo.exit from the prompt, with a status.
printf 'lumo.exit(4)\nprint("not reached")\n' | "$LUMO" repl --wait 5 >"$TMP/out" 2>&1
check_status "lumo.exit in repl" 4 $?
check_not_contains "nothing after exit" "$TMP/out" "not reached"

# Runaway input is stopped by the budget and the prompt goes on.
printf 'while true do end\nprint("after")\n' | "$LUMO" repl --budget 100000 >"$TMP/out" 2>&1
check_contains "budget in repl" "$TMP/out" "instruction budget"
check_contains "repl goes on" "$TMP/out" "after"

# Values whose __tostring fails, and timers of every kind, print.
printf 'setmetatable({}, {__tostring = function() error("boom") end})\nlumo.at("07:30", print)\n"still here"\n' |
  "$LUMO" repl >"$TMP/out" 2>&1
check_contains "failing __tostring reported" "$TMP/out" "cannot print the result: stdin:1: boom"
check_contains "at timer prints" "$TMP/out" "lumo.Timer (at 07:30:00, active)"
check_contains "repl survives" "$TMP/out" "still here"

# Rule files given to the repl are loaded first.
printf 'greeting = "from rules"\n' >"$TMP/r.lua"
printf 'greeting\n' | "$LUMO" repl --log-level warn "$TMP/r.lua" >"$TMP/out" 2>&1
check_contains "rules loaded" "$TMP/out" "from rules"

# A terminal: libedit prompt, continuation prompt, a timer printing while the
# prompt waits (prompt redrawn after it), history written on exit.
if command -v script >/dev/null; then
  export LUMO_HISTORY="$TMP/history"
  {
    printf '1+1\n'; sleep 0.5
    printf 'lumo.after(0.2, function() print("tick") end)\n'; sleep 0.8
    printf 'x = {\n'; sleep 0.2
    printf 'a = 1}\n'; sleep 0.2
    printf 'x\n'; sleep 0.3
    printf '\004'
  } | script -qfec "$LUMO repl" /dev/null >"$TMP/tty" 2>&1
  tr -d '\r' <"$TMP/tty" >"$TMP/tty.txt"
  check_contains "tty banner" "$TMP/tty.txt" "Ctrl-D to leave"
  check_contains "tty prompt" "$TMP/tty.txt" "lumo> 1+1"
  check_contains "tty value" "$TMP/tty.txt" "$(printf '1+1\n2')"
  check_contains "tty continuation prompt" "$TMP/tty.txt" "  >> a = 1}"
  check_contains "tty table" "$TMP/tty.txt" "{a = 1}"
  # The prompt line is cleared (ESC[K) before the timer's output, then redrawn.
  check_contains "tty async print clears the prompt" "$TMP/tty.txt" "$(printf 'lumo> \033[Ktick')"
  check_contains "tty prompt redrawn after async print" "$TMP/tty.txt" "$(printf 'tick\nlumo> x = {')"
  check_contains "history file" "$TMP/history" "1+1"

  # Output of a typed line does not redraw the prompt; Ctrl-C drops the
  # half-typed line and gives a fresh prompt.
  {
    printf 'print("hello")\n'; sleep 0.4
    printf 'abc'; sleep 0.3
    printf '\003'; sleep 0.4
    printf '2+2\n'; sleep 0.3
    printf '\004'
  } | script -qfec "$LUMO repl" /dev/null >"$TMP/tty" 2>&1
  tr -d '\r' <"$TMP/tty" >"$TMP/tty.txt"
  check_contains "typed print" "$TMP/tty.txt" "$(printf 'lumo> print("hello")\nhello\nlumo> abc')"
  check_contains "Ctrl-C gives a fresh prompt" "$TMP/tty.txt" "$(printf 'abc^C\nlumo> 2+2\n4')"

  # Ctrl-C stops a runaway line (no budget) and the prompt comes back.
  {
    printf 'while true do end\n'; sleep 0.5
    printf '\003'; sleep 0.4
    printf '3+3\n'; sleep 0.3
    printf '\004'
  } | script -qfec "$LUMO repl --budget 0" /dev/null >"$TMP/tty" 2>&1
  tr -d '\r' <"$TMP/tty" >"$TMP/tty.txt"
  check_contains "Ctrl-C interrupts a running line" "$TMP/tty.txt" "interrupted by a signal"
  check_contains "prompt back after interrupt" "$TMP/tty.txt" "$(printf 'lumo> 3+3\n6')"
  check_contains "history file (libedit escapes spaces)" "$TMP/history" 'x\040=\040{'
else
  echo "script(1) not available: terminal mode not tested" >&2
fi

finish
