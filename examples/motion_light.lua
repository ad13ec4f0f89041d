-- Motion in the hall switches the lamp (a Lumi plug) on; it goes off again
-- after a quiet spell, and each new motion restarts the wait.
--
--   lumo run examples/motion_light.lua
--
-- Set PASSWORD to your gateway's LAN-mode key (Mi Home app: gateway →
-- About → tap the version until "LAN communication protocol" appears) and
-- the sids to your devices' (`lumo lumi devices` lists them).

local PASSWORD = os.getenv("LUMO_LUMI_PASSWORD") or "0987654321qwerty"
local INTERFACE = os.getenv("LUMO_INTERFACE") -- nil: every interface
local QUIET = tonumber(os.getenv("LUMO_QUIET_SECONDS") or "") or 300

local gw = lumo.lumi.gateway{
  password = PASSWORD,
  interface = INTERFACE,
  names = {["158d0001c2f110"] = "hall", ["158d000200d554"] = "lamp"},
}

local lamp = gw:device("lamp")
local off_timer

gw:device("hall"):on("motion", function(ev)
  lumo.log.info("motion in the hall")
  if not lamp.online then return lumo.log.warn("the lamp is offline") end
  if lamp.state.status ~= "on" then
    lamp:on(function(ok, err)
      if not ok then lumo.log.error("lamp on failed: %s", err) end
    end)
  end
  if off_timer then off_timer:cancel() end
  off_timer = lumo.after(QUIET, function()
    off_timer = nil
    lumo.log.info("no motion for %d s: lamp off", QUIET)
    lamp:off()
  end)
end)

lamp:on("on", function() lumo.log.info("the lamp is on") end)
lamp:on("off", function() lumo.log.info("the lamp is off") end)
gw:on("offline", function(ev) lumo.log.warn("%s went offline", ev.device.name or ev.device.sid) end)
