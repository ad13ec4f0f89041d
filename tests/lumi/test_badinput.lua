-- Bad datagrams on the multicast group, sent from the gateway's address:
-- each is counted and dropped; nothing stops the listener. Copies of one
-- report arriving twice are delivered once.
package.path = os.getenv("LUMO_SRC") .. "/tests/lumi/?.lua;" .. package.path
local T = require("lumo.testing")
local sim = require("simctl")
T.timeout(30)

local gw = lumo.lumi.gateway{password = sim.PASSWORD, interface = "127.0.0.1", heartbeat = 0.2}
local opens, clicks = 0, 0
local subs = {
  lumo.on({name = "open", device = sim.MAGNET}, function() opens = opens + 1 end),
  lumo.on({name = "click", device = sim.SWITCH}, function() clicks = clicks + 1 end),
}

-- Sends one datagram (the file's bytes) to the group from 127.0.0.2.
local tmp = os.tmpname()
local function send_raw(bytes, copies)
  local f = assert(io.open(tmp, "wb"))
  f:write(bytes)
  f:close()
  for _ = 1, copies or 1 do
    local ok = os.execute("socat -b 65507 -u FILE:" .. tmp .. " UDP4-DATAGRAM:224.0.0.50:9898," ..
                          "bind=127.0.0.2,ip-multicast-if=127.0.0.1")
    T.ok(ok, "socat sent a datagram")
  end
end

local report = '{"cmd":"report","model":"sensor_magnet.aq2","sid":"' .. sim.MAGNET ..
               '","short_id":1,"data":"{\\"status\\":\\"open\\"}"}'
local bad = {
  "not json at all", report:sub(1, 40), "[1,2,3]", '{"sid":"x"}', '{"cmd":5}',
  '{"cmd":"report","sid":12345,"data":"{}"}',
  '{"cmd":"report","model":"magnet","sid":"158d0001d3a221","data":"{not json"}',
  '{"cmd":"report","model":"magnet","sid":"158d0001d3a221","data":["a"]}',
  '\0\1\2\255\254',
}

sim.steps{
  function(next)
    sim.when(function() return gw.ready end, 10, "the gateway to be ready", next)
  end,
  function(next)
    for _, b in ipairs(bad) do send_raw(b) end
    send_raw(string.rep(" ", 65000) .. report) -- a 64 KiB datagram
    lumo.after(0.3, next)
  end,
  function(next)
    local s = gw.stats
    T.ok(s.bad >= #bad, "every bad datagram counted (" .. s.bad .. ")")
    T.eq(s.oversized, 1, "the 64 KiB datagram counted as oversized")
    T.eq(opens, 0, "no event from bad input")
    -- The listener still works: one good report, sent as two copies.
    send_raw(report, 2)
    sim.when(function() return opens >= 1 end, 5, "the good report", function()
      lumo.after(0.3, next)
    end)
  end,
  function(next)
    T.eq(opens, 1, "two copies of one report are delivered once")
    T.ok(gw.stats.duplicates >= 1, "the copy counted as a duplicate")
    -- Past the window, the same report made anew is delivered again.
    send_raw(report)
    sim.send("click " .. sim.SWITCH)
    sim.when(function() return opens == 2 and clicks == 1 end, 5, "later reports", next)
  end,
  function()
    os.remove(tmp)
    for _, h in ipairs(subs) do h:off() end
    gw:close()
    T.done()
  end,
}
