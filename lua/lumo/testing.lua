-- lumo.testing: a small harness for Lua behaviour tests run by `lumo run`.
--
--   local T = require("lumo.testing")
--   T.plan(3)                   -- expect exactly 3 T.hit() calls
--   T.eq(actual, expected, "what")
--   T.timeout(5)                -- fail if T.done() has not run within 5 s
--   T.steps{function(next) ... next() end, ...}   -- asynchronous steps in order
--   T.when(pred, 5, "what", fn) -- fn once pred() holds; fails after 5 s
--   ... T.done()                -- checks the plan and that no timer or
--                               -- handler is left, then exits 0 (or 1)
--
-- A failed check prints file:line and the values, and the run exits 1.

local T = {}
local failures, checks, hits, planned = 0, 0, 0, nil
local inspect = require("lumo.inspect")

local function where(level)
  local info = debug.getinfo(level + 1, "Sl")
  return info and (info.short_src .. ":" .. (info.currentline or 0)) or "?"
end

local function fail(msg, level)
  failures = failures + 1
  io.stderr:write("FAIL ", where(level + 1), ": ", msg, "\n")
end

-- A failure that is not the result of a check (a timeout, a leak): it
-- counts as a check of its own, so the summary's figures add up.
local function problem(msg, level)
  checks = checks + 1
  fail(msg, level + 1)
end

function T.ok(cond, what)
  checks = checks + 1
  if not cond then fail(what or "condition is false", 2) end
  return cond
end

function T.eq(actual, expected, what)
  checks = checks + 1
  if actual ~= expected then
    fail(string.format("%s: got %s, expected %s", what or "values differ",
                       inspect(actual), inspect(expected)), 2)
    return false
  end
  return true
end

-- Checks that a number lies in [lo, hi].
function T.within(actual, lo, hi, what)
  checks = checks + 1
  if type(actual) ~= "number" or actual < lo or actual > hi then
    fail(string.format("%s: got %s, expected between %s and %s", what or "out of range",
                       inspect(actual), lo, hi), 2)
    return false
  end
  return true
end

-- Calls fn and checks it raises an error whose message contains `pattern`
-- (a plain substring).
function T.raises(fn, pattern, what)
  checks = checks + 1
  local ok, err = pcall(fn)
  if ok then
    fail((what or "call") .. ": expected an error containing '" .. pattern .. "'", 2)
    return false
  end
  if not tostring(err):find(pattern, 1, true) then
    fail(string.format("%s: error %q does not contain %q", what or "call", tostring(err),
                       pattern), 2)
    return false
  end
  return true
end

function T.plan(n) planned = n end
function T.hit() hits = hits + 1 end
function T.hits() return hits end

local watchdog
function T.timeout(seconds)
  watchdog = lumo.after(seconds, function()
    problem(string.format("timed out after %s s (%d of %s expected callbacks ran)", seconds,
                       hits, tostring(planned)), 1)
    io.stderr:write(string.format("%d checks, %d failed\n", checks, failures))
    lumo.exit(1)
  end)
end

-- The environment variable `name`, which the test's runner sets; an error
-- saying to use the runner when it is missing.
function T.env(name)
  local v = os.getenv(name)
  if v == nil then
    error(name .. " is not set: run this test through its runner (tests/e2e/)", 2)
  end
  return v
end

-- Calls fn once pred() holds, checking every 20 ms; fails the test (and
-- ends it) after `seconds`.
function T.when(pred, seconds, what, fn)
  local deadline = lumo.now() + seconds
  lumo.every(0.02, function(t)
    if pred() then
      t:cancel()
      fn()
    elseif lumo.now() > deadline then
      t:cancel()
      problem("timed out waiting for " .. what, 1)
      T.done()
    end
  end)
end

-- Runs the steps in order; each gets a `next` function to call when done.
function T.steps(list)
  local i = 0
  local function next_step()
    i = i + 1
    if list[i] then list[i](next_step) end
  end
  next_step()
end

function T.done()
  if watchdog then watchdog:cancel() end
  if planned and hits ~= planned then
    problem(string.format("expected %d callbacks, %d ran", planned, hits), 1)
  end
  local s = lumo.stats()
  if s.timers ~= 0 or s.handlers ~= 0 then
    problem(string.format("left behind %d timer(s) and %d handler(s)", s.timers, s.handlers), 1)
  end
  io.stdout:write(string.format("%d passed, %d failed\n", checks - failures, failures))
  lumo.exit(failures == 0 and 0 or 1)
end

return T
