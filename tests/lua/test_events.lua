-- The event bus from Lua: on/emit, filters, removal, ordering guarantees.
local T = require("lumo.testing")
T.timeout(5)

T.raises(function() lumo.on(42, print) end, "expected an event name or a filter table")
T.raises(function() lumo.on({nmae = "x"}, print) end, "unknown filter field 'nmae' (use name, device or model)")
T.raises(function() lumo.on({name = 5}, print) end, "filter field 'name' must be a string")
T.raises(function() lumo.on("x") end, "function expected")
T.raises(function() lumo.on("", print) end, "event name must not be empty")
T.raises(function() lumo.emit() end, "string expected")
T.raises(function() lumo.emit{device = "d"} end, "needs a string 'name'")
T.raises(function() lumo.emit{name = "x", model = 3} end, "'model' must be a string")

-- Every subscription is kept here so the test can remove them all at the end.
local subs = {}
local real_on = lumo.on
local function on(...) local h = real_on(...); subs[#subs + 1] = h; return h end

local log = {}
local function record(tag) return function(ev) log[#log + 1] = tag .. ":" .. ev.name end end

-- Name, device and model filters; "*" and an empty filter match everything.
on("motion", record("byname"))
on({name = "motion", device = "hall"}, record("hall"))
on({model = "plug"}, record("plug"))
on({device = "kitchen", model = "magnet"}, record("kitchen-magnet"))
on("*", record("all"))
on({}, record("any"))

-- Event fields reach the handler.
local seen
on("report", function(ev) seen = ev end)

-- emit is queued: no handler runs inside it.
local ran_inside = false
on("sync", function() ran_inside = true end)
lumo.emit("sync")
T.eq(ran_inside, false, "emit does not run handlers inside the call")

local before = lumo.now()
lumo.emit{name = "motion", device = "hall", model = "motion"}
lumo.emit{name = "motion", device = "stairs"}
lumo.emit{name = "on", device = "lamp", model = "plug"}
lumo.emit{name = "open", device = "kitchen", model = "magnet"}
lumo.emit{name = "open", device = "kitchen", model = "plug"}
lumo.emit("report", {temperature = 21.5, list = {1, 2}})

-- Removal during dispatch: a handler that removes a later one stops it from
-- seeing the very event being delivered; a handler added during dispatch
-- does not see it either.
local late_calls, added_calls = 0, 0
local late
on("race", function()
  late:off()
  on("race", function() added_calls = added_calls + 1 end)
end)
late = on("race", function() late_calls = late_calls + 1 end)
lumo.emit("race")

-- A handler that removes itself runs once; a dropped reference stays
-- subscribed (handlers pin themselves).
local self_calls = 0
on("twice", function(ev, h) self_calls = self_calls + 1 end)
local once_calls = 0
local once
once = on("twice", function() once_calls = once_calls + 1; once:off() end)
local weak = setmetatable({}, {__mode = "v"})
do weak[1] = real_on("pinned", function() T.hit() end) end
collectgarbage("collect")
T.ok(weak[1] ~= nil, "a handler whose reference was dropped is not collected")
lumo.emit("twice")
lumo.emit("twice")
lumo.emit("pinned")

-- Events emitted by a handler are delivered after the current ones, in order.
local chain = {}
on("chain", function(ev)
  chain[#chain + 1] = ev.data
  if ev.data < 3 then lumo.emit("chain", ev.data + 1) end
end)
lumo.emit("chain", 1)

-- A handler that fails does not stop the others, nor later events.
local after_error = 0
on("boom", function() error("deliberate failure in a test handler") end)
on("boom", function() after_error = after_error + 1 end)
lumo.emit("boom")
lumo.emit("boom")

lumo.after(0.3, function()
  local got = table.concat(log, " ")
  T.eq(got:match("byname:motion byname:motion") ~= nil, false, "log interleaves per event")
  local function count(tag)
    local n = 0
    for _ in got:gmatch("%f[%w-]" .. tag:gsub("%-", "%%-") .. ":") do n = n + 1 end
    return n
  end
  T.eq(count("byname"), 2, "name filter matched both motion events")
  T.eq(count("hall"), 1, "device filter matched only the hall")
  T.eq(count("plug"), 2, "model filter matched both plug events")
  T.eq(count("kitchen-magnet"), 1, "device+model filter needs both")
  T.ok(count("all") >= 7, "'*' matched every event")
  T.eq(count("any"), count("all"), "an empty filter matches like '*'")
  -- Delivery order: per event, handlers in subscription order.
  T.ok(got:find("byname:motion hall:motion all:motion any:motion byname:motion all:motion", 1, true),
       "handlers run in subscription order, events in emit order: " .. got)

  T.ok(seen, "report delivered")
  if seen then
    T.eq(seen.name, "report", "ev.name")
    T.eq(seen.data.temperature, 21.5, "ev.data carries the emitted table")
    T.eq(seen.data.list[2], 2, "nested data")
    T.within(seen.time, before - 0.001, lumo.now(), "ev.time is the emit time")
    T.eq(seen.device, nil, "no device on a plain user event")
  end
  T.ok(ran_inside, "the sync handler ran later")
  T.eq(late_calls, 0, "a handler removed during dispatch missed the event")
  T.eq(added_calls, 0, "a handler added during dispatch missed the event")
  T.eq(self_calls, 2, "a handler runs once per event")
  T.eq(once_calls, 1, "a handler that removed itself ran once")
  T.eq(table.concat(chain, ","), "1,2,3", "events emitted from handlers")
  T.eq(after_error, 2, "handlers after a failing one still run, for every event")

  -- Clean up every subscription: done() fails on leftovers.
  local s = lumo.stats()
  T.ok(s.handlers >= 10, "stats counts handlers")
  T.ok(s.events >= 10, "stats counts delivered events")
  for _, h in ipairs(subs) do h:off() end
  T.ok(weak[1] and weak[1]:active(), "the dropped handler is still subscribed")
  if weak[1] then weak[1]:off() end
  T.plan(1)
  T.done()
end)
