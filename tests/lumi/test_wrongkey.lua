-- Writes refused: a wrong password gets the gateway's "Invalid key" (after
-- one retry with a fresh token) as a clear message; no password is a usage
-- error.
package.path = os.getenv("LUMO_SRC") .. "/tests/lumi/?.lua;" .. package.path
local T = require("lumo.testing")
local sim = require("simctl")
T.timeout(30)

local gw = lumo.lumi.gateway{password = "wrongpassword123", interface = "127.0.0.1",
                             heartbeat = 0.2, timeout = 1}
local seen_on = false
local sub = lumo.on({name = "on", device = sim.PLUG}, function() seen_on = true end)

sim.steps{
  function(next)
    sim.when(function() return gw.ready end, 10, "the gateway to be ready", next)
  end,
  function(next)
    local plug = gw:device(sim.PLUG)
    local result
    plug:on(function(ok, err) result = {ok, err} end)
    sim.when(function() return result end, 10, "the refused write", function()
      T.eq(result[1], false, "a wrong key is refused")
      T.eq(result[2], "gateway rejected the key: check the password set in the Mi Home " ..
                      "app's LAN mode", "the error says what to fix")
      T.eq(plug.state.status, "off", "the plug did not change")
      next()
    end)
  end,
  function(next)
    -- Without a callback the failure is logged, not raised.
    gw:device(sim.PLUG):toggle()
    lumo.after(1, next)
  end,
  function()
    T.eq(seen_on, false, "no on event after refused writes")
    local ro = lumo.lumi.gateway{interface = "127.0.0.1", heartbeat = 0.2}
    sim.when(function() return ro.ready end, 10, "the read-only gateway", function()
      T.raises(function() ro:light{rgb = 0xff0000} end, "no password given")
      -- Refused at once: the error is raised and the callback never runs.
      local called = false
      T.raises(function() ro:light({rgb = 0xff0000}, function() called = true end) end,
               "no password given")
      T.eq(called, false, "no callback for a write refused at once")
      ro:close()
      gw:close()
      sub:off()
      T.done()
    end)
  end,
}
