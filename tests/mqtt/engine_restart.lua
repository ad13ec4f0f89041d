-- Nothing lost across an engine restart, in three runs driven by
-- tests/e2e/test_mqtt.sh (STEP=subscribe|publish|collect):
--   subscribe  the subscriber's persistent session is made (and one for a
--              OneNET platform), then it exits;
--   publish    (broker down) 100 QoS 1 messages are published, and a OneNET
--              post made, then lumo exits: they wait in the clients' state
--              directory;
--   collect    (broker up) the same client ids find them and send them;
--              the subscriber gets all 100, in order, none twice, and the
--              platform the post.
local T = require("lumo.testing")
T.timeout(40)
local STEP = assert(os.getenv("STEP"), "run me through tests/e2e/test_mqtt.sh")
local uri = "mqtt://127.0.0.1:" .. os.getenv("MQTT_PORT")
-- No state_dir: the runner gives lumo --state-dir, which every client uses.

local function platform()
  return require("onenet_platform").start{uri = uri, client_id = "engine-platform",
                                          clean_session = false}
end
local function device()
  return lumo.onenet.connect{product = "469948", device = "Chic_D", method = "sha1",
                             key = "rs2FaE5BuygJZkWKDA5okKt1RFpwOx53hbu6hwyCS4U=",
                             expires = tonumber(T.env("ONENET_ET")),
                             uri = "mqtt://127.0.0.1:" .. T.env("MQTT_AUTH_PORT")}
end

if STEP == "subscribe" then
  local sub = lumo.mqtt.connect{uri = uri, client_id = "engine-sub", clean_session = false}
  sub:subscribe("engine/n", function() end, {qos = 1})
  local P = platform()
  require("mqtt_ready")(sub, function()
    T.when(function() return P.ready end, 10, "the platform's subscriptions", function()
      sub:close()
      P.client:close()
      T.done()
    end)
  end)
elseif STEP == "publish" then
  local pub = lumo.mqtt.connect{uri = uri, client_id = "engine-pub"}
  for i = 1, 100 do pub:publish("engine/n", tostring(i), {qos = 1}) end
  T.eq(pub.connected, false, "the broker is down")
  local cloud, answer = device(), nil
  cloud:post({engine_restart = 7}, function(ok, err) answer = err end)
  lumo.after(0.3, function()
    pub:close()
    cloud:close()
    T.ok(answer and answer:find("kept for the next run", 1, true),
         "a post closed while offline is kept: " .. tostring(answer))
    T.done()
  end)
else
  local got = {}
  local sub = lumo.mqtt.connect{uri = uri, client_id = "engine-sub", clean_session = false}
  sub:subscribe("engine/n", function(m) got[#got + 1] = tonumber(m.payload) end, {qos = 1})
  local pub = lumo.mqtt.connect{uri = uri, client_id = "engine-pub"}
  local P = platform()
  local cloud = device()
  T.when(function() return #got >= 100 and P.accepted >= 1 end, 30,
         "the 100 messages and the OneNET post of the last run", function()
    lumo.after(0.5, function()
      T.eq(#got, 100, "all 100 arrived, none twice")
      local in_order = true
      for i = 1, #got do if got[i] ~= i then in_order = false end end
      T.ok(in_order, "in order")
      T.eq(P.accepted, 1, "the platform got the post once")
      sub:close()
      pub:close()
      cloud:close()
      P.client:close()
      T.done()
    end)
  end)
end
