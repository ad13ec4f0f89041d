-- Offline and online: silent sub-devices go offline past their timeout and
-- come back with their next message; a gateway that stops answering goes
-- offline and comes back; lost multicast is bridged by unicast polling.
package.path = os.getenv("LUMO_SRC") .. "/tests/lumi/?.lua;" .. package.path
local T = require("lumo.testing")
local sim = require("simctl")
T.timeout(40)

local gw = lumo.lumi.gateway{password = sim.PASSWORD, interface = "127.0.0.1",
                             heartbeat = 0.2, device_timeout = 0.8, timeout = 0.3}
local log = {}
local sub = lumo.on("*", function(ev)
  if ev.name == "online" or ev.name == "offline" or ev.name == "on" or ev.name == "motion" then
    log[#log + 1] = ev.name .. ":" .. ev.device.sid
  end
end)
local function count(entry)
  local n = 0
  for _, e in ipairs(log) do if e == entry then n = n + 1 end end
  return n
end

sim.steps{
  function(next)
    sim.when(function() return gw.ready end, 10, "the gateway to be ready", next)
  end,
  function(next)
    -- The simulator sends no sub-device heartbeats: all five go offline.
    sim.when(function()
      return count("offline:" .. sim.MOTION) == 1 and count("offline:" .. sim.PLUG) == 1
    end, 5, "sub-devices to go offline", next)
  end,
  function(next)
    T.eq(gw:device(sim.MOTION).online, false, "dev.online after the timeout")
    T.eq(gw.online, true, "the gateway itself is still online")
    sim.send("motion " .. sim.MOTION)
    sim.when(function() return count("motion:" .. sim.MOTION) == 1 end, 5, "motion", next)
  end,
  function(next)
    T.eq(count("online:" .. sim.MOTION), 1, "online before the motion event")
    T.ok(log[#log - 1] == "online:" .. sim.MOTION, "online comes first")
    T.eq(gw:device(sim.MOTION).online, true, "back online")
    -- Multicast lost (IGMP snooping, a roam): state still arrives by polling.
    sim.send("silence 3")
    lumo.after(0.9, function() sim.send("on " .. sim.PLUG) end)
    sim.when(function() return count("on:" .. sim.PLUG) == 1 end, 10,
             "the plug's change seen by polling", next)
  end,
  function(next)
    T.ok(gw.stats.polls > 0, "polled by unicast while multicast was lost")
    T.ok(gw.stats.rejoins > 0, "re-joined the multicast group")
    T.eq(gw.online, true, "a gateway that answers polls stays online")
    sim.send("silence 0")
    -- A gateway that stops answering at all goes offline...
    os.execute("kill -STOP " .. os.getenv("LUMI_SIM_PID"))
    sim.when(function() return count("offline:7811dcb7a982") == 1 end, 10,
             "the gateway to go offline", next)
  end,
  function(next)
    T.eq(gw.online, false, "gw.online when offline")
    -- ... and comes back with its next heartbeat.
    os.execute("kill -CONT " .. os.getenv("LUMI_SIM_PID"))
    sim.when(function() return count("online:7811dcb7a982") == 1 end, 10,
             "the gateway to come back", next)
  end,
  function()
    T.eq(gw.online, true, "gateway back online")
    sub:off()
    gw:close()
    T.done()
  end,
}
