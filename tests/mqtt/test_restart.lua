-- Nothing lost while the broker is down: a subscriber with a persistent
-- session, the broker stopped, 100 QoS 1 messages published meanwhile, the
-- broker started again: all 100 arrive, in order, none twice.
local T = require("lumo.testing")
T.timeout(60)
local PORT = assert(os.getenv("MQTT_PORT"), "run me through tests/e2e/test_mqtt.sh")
local BROKER, DIR, STATE = os.getenv("BROKER"), os.getenv("MQTT_DIR"), os.getenv("MQTT_STATE")
local function broker(cmd)
  assert(os.execute(BROKER .. " " .. cmd .. " " .. DIR .. " >/dev/null"), "broker " .. cmd)
end

local uri = "mqtt://127.0.0.1:" .. PORT
local sub = lumo.mqtt.connect{uri = uri, client_id = "restart-sub", clean_session = false,
                              state_dir = STATE}
local pub = lumo.mqtt.connect{uri = uri, client_id = "restart-pub", state_dir = STATE}
local got, acks = {}, 0
sub:subscribe("restart/n", function(m) got[#got + 1] = tonumber(m.payload) end, {qos = 1})

T.steps{
  function(next)
    require("mqtt_ready")(sub, next) -- the subscription is made
  end,
  function(next)
    T.when(function() return pub.connected end, 10, "the publisher to connect", next)
  end,
  function(next)
    broker("stop")
    T.when(function() return not pub.connected and not sub.connected end, 10,
           "both to notice the broker is gone", next)
  end,
  function(next)
    for i = 1, 100 do
      pub:publish("restart/n", tostring(i), {qos = 1}, function(ok) if ok then acks = acks + 1 end end)
    end
    T.eq(acks, 0, "nothing acknowledged while the broker is down")
    broker("restart")
    T.when(function() return #got >= 100 end, 40, "the 100 messages", next)
  end,
  function(next)
    lumo.after(0.5, next) -- any duplicate would arrive by now
  end,
  function(next)
    T.eq(#got, 100, "all 100 arrived, none twice")
    local in_order = true
    for i = 1, #got do if got[i] ~= i then in_order = false end end
    T.ok(in_order, "in order")
    T.eq(acks, 100, "every publish acknowledged once the broker was back")
    sub:close()
    pub:close()
    T.done()
  end,
}
