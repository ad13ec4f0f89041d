-- Failure isolation: errors and runaway callbacks are stopped and reported;
-- the engine and the other rules go on.
local T = require("lumo.testing")
T.timeout(30)
T.plan(6)

local subs = {}
-- An endless loop in a handler is aborted by the instruction budget.
subs[#subs + 1] = lumo.on("spin", function() while true do end end)
-- So is one that tries to swallow the abort with pcall.
subs[#subs + 1] = lumo.on("sneaky", function()
  while true do pcall(function() while true do end end) end
end)
-- Non-string error objects are reported too.
subs[#subs + 1] = lumo.on("table_error", function() error({code = 7}) end)
-- A well-behaved handler for each of them still runs, every time.
for _, name in ipairs({"spin", "sneaky", "table_error"}) do
  subs[#subs + 1] = lumo.on(name, function() T.hit() end)
end

-- Handles registered from inside a coroutine work, and their callbacks run
-- on the main thread after the coroutine is gone.
local co_thread
coroutine.wrap(function()
  co_thread = coroutine.running()
  subs[#subs + 1] = lumo.on("from_co", function()
    local _, main = coroutine.running()
    T.ok(main, "callback runs on the main thread")
    T.hit()
  end)
  lumo.after(0.01, function() T.hit() end)
end)()
lumo.emit("from_co")

-- A runaway loop inside a coroutine is stopped too.
lumo.after(0, function()
  coroutine.wrap(function() while true do end end)()
end)

local ok_after = false
lumo.emit("spin")
lumo.emit("sneaky")
lumo.emit("table_error")
lumo.after(0, function() while true do end end) -- a runaway timer callback
lumo.after(0.05, function()
  ok_after = true
  T.hit()
end)

lumo.after(0.2, function()
  T.ok(ok_after, "timers still run after runaway callbacks")
  -- A callback that stays within the budget is not disturbed, however many
  -- callbacks ran before it.
  local n = 0
  for i = 1, 100000 do n = n + i end
  T.eq(n, 5000050000, "an ordinary loop completes")
  for _, h in ipairs(subs) do h:off() end
  T.done()
end)
