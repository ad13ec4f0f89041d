-- A Lumi gateway over loopback multicast: discovery, device list, every
-- event kind from the simulator reaching handlers with normalised data, and
-- a plug write accepted with the right key.
package.path = os.getenv("LUMO_SRC") .. "/tests/lumi/?.lua;" .. package.path
local T = require("lumo.testing")
local sim = require("simctl")
T.timeout(30)
local V1 = os.getenv("LUMI_PROTO") ~= "2"

local gw = lumo.lumi.gateway{password = sim.PASSWORD, interface = "127.0.0.1",
                             heartbeat = 0.2, names = {[sim.MOTION] = "hall"}}
T.ok(tostring(gw):find("lumo.lumi.Gateway", 1, true), "tostring of a gateway")
T.raises(function() lumo.lumi.gateway{pasword = "x"} end, "unknown option 'pasword'")
T.raises(function() lumo.lumi.gateway{password = "short"} end, "password must be the 16 characters")
T.raises(function() lumo.lumi.gateway{interface = "eth0"} end, "interface must be an IPv4 address")
T.raises(function() lumo.lumi.gateway{recv_buffer = 10} end, "'recv_buffer' must be a whole number")
T.eq(gw.ip, nil, "no address before the gateway is found")
local ready_events = 0
local ready_sub = gw:on("ready", function(ev)
  ready_events = ready_events + 1
  T.eq(ev.device.sid, "7811dcb7a982", "the ready event is the gateway's")
  T.eq(gw.ready, true, "gw.ready when the ready event comes")
end)

local seen = {}
local sub = lumo.on("*", function(ev)
  if ev.device then seen[#seen + 1] = ev end
end)
local hall = gw:device("hall") -- a handle before the device is known
T.eq(hall.online, false, "a device not yet known is not online")

local function find(name, sid, from)
  for i = from or 1, #seen do
    local ev = seen[i]
    if ev.name == name and ev.device.sid == sid then return ev, i end
  end
end

sim.steps{
  function(next)
    sim.when(function() return gw.ready end, 10, "the gateway to be ready", next)
  end,
  function(next)
    T.eq(gw.sid, "7811dcb7a982", "gateway sid from discovery")
    T.eq(gw.ip, "127.0.0.2", "gw.ip: where the gateway answered from")
    T.eq(gw.port, 9898, "gw.port")
    T.eq(gw.proto, V1 and 1 or 2, "gw.proto")
    T.eq(ready_events, 1, "one ready event")
    local devs = gw:devices()
    T.eq(#devs, 5, "sub-devices from the device list")
    local kinds = {}
    for _, d in ipairs(devs) do kinds[d.sid] = d.kind end
    T.eq(kinds[sim.MOTION], "motion", "motion kind")
    T.eq(kinds[sim.MAGNET], "magnet", "magnet kind")
    T.eq(kinds[sim.SWITCH], "switch", "switch kind")
    T.eq(kinds[sim.HT], "sensor_ht", "sensor_ht kind")
    T.eq(kinds[sim.PLUG], "plug", "plug kind")
    T.eq(hall.sid, sim.MOTION, "a named handle resolves to its sid")
    T.eq(hall.name, "hall", "name from names=")
    T.eq(hall.online, true, "known devices are online")
    T.eq(type(hall.state), "table", "state is a table")
    sim.send("motion " .. sim.MOTION)
    sim.send("open " .. sim.MAGNET)
    sim.send("click " .. sim.SWITCH)
    sim.send("temp " .. sim.HT .. " 23.5")
    sim.send("humidity " .. sim.HT .. " 40.25")
    if V1 then sim.send("no_motion " .. sim.MOTION .. " 120") end -- v2 has none
    sim.send("close " .. sim.MAGNET)
    sim.send("double_click " .. sim.SWITCH)
    sim.send("long_press " .. sim.SWITCH)
    sim.send("long_release " .. sim.SWITCH)
    sim.when(function() return find("long_click_release", sim.SWITCH) end, 5,
             "the last button event", next)
  end,
  function(next)
    local ev = find("motion", sim.MOTION)
    T.ok(ev, "motion event")
    if ev then
      T.eq(ev.device.name, "hall", "ev.device is the device")
      T.eq(ev.model, ev.device.model, "ev.model")
      T.eq(ev.data.status, "motion", "motion data")
    end
    T.ok(find("open", sim.MAGNET), "open event")
    T.ok(find("close", sim.MAGNET), "close event")
    for _, name in ipairs({"click", "double_click", "long_click_press", "long_click_release"}) do
      T.ok(find(name, sim.SWITCH), name .. " event")
    end
    if V1 then
      local nm = find("no_motion", sim.MOTION)
      T.ok(nm and nm.data.seconds == 120, "no_motion carries data.seconds = 120")
    end
    local temp
    for _, e in ipairs(seen) do
      if e.name == "report" and e.device.sid == sim.HT and e.data.temperature then temp = e end
    end
    T.ok(temp, "a report with the temperature")
    if temp then
      T.eq(math.type(temp.data.temperature) and temp.data.temperature, 23.5, "temperature in °C")
    end
    local ht = gw:device(sim.HT)
    T.eq(ht.state.temperature, 23.5, "state keeps the last temperature")
    T.eq(ht.state.humidity, 40.25, "humidity in %")
    T.eq(gw:device(sim.MAGNET).state.status, "close", "state keeps the last status")
    -- Handlers on the device itself, and on the gateway.
    local dev_hits, gw_hits = 0, 0
    local h1 = hall:on("motion", function(ev) dev_hits = dev_hits + 1 end)
    local h2 = gw:on("open", function(ev) gw_hits = gw_hits + 1 end)
    -- (after the duplicate window: the same report again at once would be
    -- taken for a repeat)
    lumo.after(0.3, function()
      sim.send("motion " .. sim.MOTION)
      sim.send("open " .. sim.MAGNET)
    end)
    sim.when(function() return dev_hits == 1 and gw_hits == 1 end, 5, "dev:on and gw:on",
             function() h1:off(); h2:off(); next() end)
  end,
  function(next)
    -- A plug write with the right key: the callback says ok, then the
    -- gateway's report turns into an "on" event and the new state.
    local plug = gw:device(sim.PLUG)
    local result
    local from = #seen + 1
    plug:on(function(ok, res) result = {ok, res} end)
    T.eq(result, nil, "the callback does not run inside the call")
    sim.when(function() return result and find("on", sim.PLUG, from) end, 5,
             "the plug write and its report", function()
      T.eq(result[1], true, "write accepted: " .. tostring(result[2]))
      T.eq(plug.state.status, "on", "plug state after the write")
      next()
    end)
  end,
  function(next)
    -- read() gets the full state.
    local got
    gw:device(sim.PLUG):read(function(ok, state) got = {ok, state} end)
    sim.when(function() return got end, 5, "a read", function()
      T.eq(got[1], true, "read ok")
      T.eq(got[2].status, "on", "read returns the state")
      next()
    end)
  end,
  function(next)
    -- dev:write with any attributes, and the gateway's light.
    local wrote, lit
    local from = #seen + 1
    gw:device(sim.PLUG):write({status = "off"}, function(ok, res) wrote = {ok, res} end)
    gw:light({rgb = 0x00ff00, brightness = 50}, function(ok, res) lit = {ok, res} end)
    sim.when(function()
      return wrote and lit and find("off", sim.PLUG, from) and find("report", gw.sid, from)
    end, 5, "the write and the light", function()
      T.eq(wrote[1], true, "dev:write accepted")
      T.eq(lit[1], true, "gw:light accepted")
      local r = find("report", gw.sid, from)
      T.eq(r.data.rgb, 0x3200ff00, "rgb = brightness << 24 | colour")
      T.eq(gw:device(gw.sid).state.rgb, 0x3200ff00, "gateway state")
      T.raises(function() gw:light{rgb = 0x1000000} end, "rgb must be 0x000000..0xFFFFFF")
      T.raises(function() gw:light{brightness = 101} end, "brightness must be 0..100")
      T.raises(function() gw:device(sim.PLUG):write{} end, "give at least one attribute")
      T.raises(function() gw:device(sim.PLUG):write{status = {}} end,
               "attribute 'status' must be a number, string or boolean")
      next()
    end)
  end,
  function()
    T.raises(function() gw:device(sim.MOTION):on() end, "is not a plug or wall switch")
    T.raises(function() gw:device(sim.PLUG):on(1) end, "is a plug: it has one channel (0), not 1")
    T.raises(function() gw:device("nope"):read() end, "device 'nope' is not known")
    sub:off()
    ready_sub:off()
    gw:close()
    T.raises(function() gw:devices() end, "the gateway was closed")
    local s = lumo.stats()
    T.eq(s.devices, 0, "closing the gateway removes its devices")
    T.done()
  end,
}
