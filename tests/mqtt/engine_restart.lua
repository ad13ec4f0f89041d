-- Nothing lost across an engine restart, in three runs driven by
-- tests/e2e/test_mqtt.sh (STEP=subscribe|publish|collect):
--   subscribe  the subscriber's persistent session is made, then it exits;
--   publish    (broker down) 100 QoS 1 messages are published, then lumo
--              exits: they wait in the client's state directory;
--   collect    (broker up) the same client id finds them and sends them;
--              the subscriber gets all 100, in order, none twice.
local T = require("lumo.testing")
T.timeout(40)
local STEP = assert(os.getenv("STEP"), "run me through tests/e2e/test_mqtt.sh")
local uri = "mqtt://127.0.0.1:" .. os.getenv("MQTT_PORT")
-- No state_dir: the runner gives lumo --state-dir, which every client uses.

if STEP == "subscribe" then
  local sub = lumo.mqtt.connect{uri = uri, client_id = "engine-sub", clean_session = false}
  sub:subscribe("engine/n", function() end, {qos = 1})
  T.when(function() return sub.connected end, 10, "the subscriber to connect", function()
    lumo.after(0.3, function() sub:close(); T.done() end)
  end)
elseif STEP == "publish" then
  local pub = lumo.mqtt.connect{uri = uri, client_id = "engine-pub"}
  for i = 1, 100 do pub:publish("engine/n", tostring(i), {qos = 1}) end
  T.eq(pub.connected, false, "the broker is down")
  lumo.after(0.3, function() pub:close(); T.done() end)
else
  local got = {}
  local sub = lumo.mqtt.connect{uri = uri, client_id = "engine-sub", clean_session = false}
  sub:subscribe("engine/n", function(m) got[#got + 1] = tonumber(m.payload) end, {qos = 1})
  local pub = lumo.mqtt.connect{uri = uri, client_id = "engine-pub"}
  T.when(function() return #got >= 100 end, 30, "the 100 messages of the last run", function()
    lumo.after(0.5, function()
      T.eq(#got, 100, "all 100 arrived, none twice")
      local in_order = true
      for i = 1, #got do if got[i] ~= i then in_order = false end end
      T.ok(in_order, "in order")
      sub:close()
      pub:close()
      T.done()
    end)
  end)
end
