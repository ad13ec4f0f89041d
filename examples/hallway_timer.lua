-- Hallway lamp: on with motion, off after a quiet spell; a clock-time rule;
-- and a report forwarder. Until a device driver is configured, a timer
-- plays the motion sensor by emitting the events a Lumi sensor would.
--
--   lumo run examples/hallway_timer.lua

local QUIET = 3          -- seconds without motion before the lamp goes off
local lamp_on = false
local off_timer = nil

local function set_lamp(on)
  if on ~= lamp_on then
    lamp_on = on
    lumo.log.info("hall lamp %s", on and "ON" or "OFF")
  end
end

-- Motion in the hall: lamp on, and (re)start the quiet timer.
lumo.on({name = "motion", device = "hall"}, function(ev)
  lumo.log.info("motion in the %s", ev.device)
  set_lamp(true)
  if off_timer then off_timer:cancel() end
  off_timer = lumo.after(QUIET, function()
    set_lamp(false)
    off_timer = nil
  end)
end)

-- Every datapoint of every device goes through "report".
lumo.on("report", function(ev)
  if ev.data.temperature then
    lumo.log.info("%s reports %.1f °C", ev.device or "?", ev.data.temperature)
  end
end)

-- A wall-clock rule: lumo.at follows local time, DST included.
lumo.at("07:30", function() lumo.log.info("good morning") end)

-- The stand-in sensor: two bursts of motion, then a temperature report.
local script = {
  {0.5, "motion"}, {1.5, "motion"}, {7.0, "motion"}, {9.0, "report"},
}
for _, step in ipairs(script) do
  lumo.after(step[1], function()
    if step[2] == "report" then
      lumo.emit{name = "report", device = "hall", model = "weather.v1",
                data = {temperature = 21.5, humidity = 40.2}}
    else
      lumo.emit{name = "motion", device = "hall", model = "sensor_motion.aq2"}
    end
  end)
end
