-- Timers: order, fractional delays, timing tolerance, every, cancel, at.
local T = require("lumo.testing")
T.timeout(10)

-- Argument errors say what to fix.
T.raises(function() lumo.after(-1, print) end, "lumo.after: seconds must be a finite number >= 0")
T.raises(function() lumo.every(0, print) end, "lumo.every: seconds must be a finite number > 0")
T.raises(function() lumo.after(1/0, print) end, "finite number")
T.raises(function() lumo.after(1) end, "function expected")
T.raises(function() lumo.at("25:00", print) end, 'expected a time of day "HH:MM" or "HH:MM:SS"')
T.raises(function() lumo.at("7.30", print) end, "got \"7.30\"")

-- One-shot timers fire in deadline order, not creation order, each once.
local order = {}
local start = lumo.now()
local fired_at = {}
for _, d in ipairs({0.12, 0.02, 0.07, 0.045}) do
  lumo.after(d, function(t)
    order[#order + 1] = d
    fired_at[d] = lumo.now() - start
    T.eq(t:active(), false, "a one-shot timer is inactive in its own callback")
  end)
end

-- A zero delay still waits for the loop: never inside the call.
local zero_ran = false
lumo.after(0, function() zero_ran = true end)
T.eq(zero_ran, false, "lumo.after(0) does not run inside the call")

-- every: fires repeatedly at its interval until cancelled from inside.
local ticks, tick_times = 0, {}
lumo.every(0.03, function(t)
  ticks = ticks + 1
  tick_times[ticks] = lumo.now() - start
  if ticks == 5 then T.eq(t:cancel(), true, "cancel() returns true when it was active") end
end)

-- A cancelled timer never fires; cancelling twice is harmless.
local cancelled = lumo.after(0.05, function() T.ok(false, "a cancelled timer fired") end)
T.ok(cancelled:active(), "a new timer is active")
T.within(cancelled:remaining(), 0.0, 0.0501, "remaining() of a fresh 0.05 s timer")
cancelled:cancel()
T.eq(cancelled:cancel(), false, "second cancel() returns false")
T.eq(cancelled:remaining(), nil, "remaining() of a cancelled timer")
T.ok(tostring(cancelled):find("lumo.Timer (after 0.05", 1, true), "tostring names the timer")

-- A dropped reference does not stop a timer (timers pin themselves).
local pinned_ran = false
do lumo.after(0.06, function() pinned_ran = true end) end
collectgarbage("collect")

-- <close> cancels at the end of the scope.
do
  local t <close> = lumo.after(0.05, function() T.ok(false, "a closed timer fired") end)
end

-- lumo.at: schedule a time of day two seconds from now (whole seconds).
local target = math.floor(lumo.now()) + 2
local hms = os.date("%H:%M:%S", target)
local at_fired = nil
local at_timer = lumo.at(hms, function(t)
  at_fired = lumo.now()
  t:cancel()
end)
T.within(at_timer:remaining(), 0.9, 2.01, "remaining() of lumo.at two seconds ahead")

lumo.after(2.6, function()
  T.eq(table.concat(order, ","), "0.02,0.045,0.07,0.12", "one-shot order")
  for d, at in pairs(fired_at) do
    -- Never early; late by at most a generous margin (sanitizers, shared CPU).
    T.within(at, d - 0.002, d + 0.25, "fire time of lumo.after(" .. d .. ")")
  end
  T.ok(zero_ran, "lumo.after(0) ran")
  T.eq(ticks, 5, "every ran 5 times then stopped")
  for i = 1, 5 do T.within(tick_times[i], 0.03 * i - 0.002, 0.03 * i + 0.25, "tick " .. i) end
  T.ok(pinned_ran, "a timer whose reference was dropped still fired")
  T.ok(at_fired, "lumo.at fired")
  if at_fired then T.within(at_fired - target, -0.002, 0.3, "lumo.at fired on the second") end
  T.done()
end)
