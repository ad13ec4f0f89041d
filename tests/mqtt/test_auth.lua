-- Passwords and TLS against a real mosquitto: a wrong password is reported
-- clearly (and retried, the engine going on); the right one connects; TLS
-- with the right CA works, with a wrong CA it is refused; a client
-- certificate is accepted.
local T = require("lumo.testing")
T.timeout(30)
local env = T.env
local STATE = os.getenv("MQTT_STATE")

local function client(opts)
  opts.state_dir = STATE
  return lumo.mqtt.connect(opts)
end
local reasons, refusals = {}, {}
local function watch(c, tag)
  return c:on("disconnected", function(ev)
    reasons[tag] = ev.data.reason
    refusals[tag] = (refusals[tag] or 0) + 1
  end)
end

local wrong = client{uri = "mqtt://127.0.0.1:" .. env("MQTT_AUTH_PORT"), client_id = "wrong",
                     user = env("MQTT_USER"), password = "not-the-password"}
local right = client{uri = "mqtt://127.0.0.1:" .. env("MQTT_AUTH_PORT"), client_id = "right",
                     user = env("MQTT_USER"), password = env("MQTT_PASSWORD")}
local tls = client{uri = "mqtts://localhost:" .. env("MQTT_TLS_PORT"), client_id = "tls",
                   tls = {ca = env("MQTT_CA")}}
local badca = client{uri = "mqtts://localhost:" .. env("MQTT_TLS_PORT"), client_id = "badca",
                     tls = {ca = env("MQTT_OTHER_CA")}}
local cert = client{uri = "mqtts://localhost:" .. env("MQTT_TLS_PORT"), client_id = "cert",
                    tls = {ca = env("MQTT_CA"), cert = env("MQTT_CLIENT_CERT"),
                           key = env("MQTT_CLIENT_KEY")}}
-- Nothing listens on port 1: an unreachable broker.
local gone = client{uri = "mqtt://127.0.0.1:1", client_id = "gone"}
local hs = {watch(wrong, "wrong"), watch(badca, "badca"), watch(gone, "gone")}
local ticks = 0
local ticker = lumo.every(0.1, function() ticks = ticks + 1 end)

T.steps{
  function(next)
    T.when(function() return right.connected and tls.connected and cert.connected end, 15,
           "the right password and TLS clients to connect", next)
  end,
  function(next)
    T.when(function() return reasons.wrong and reasons.badca and reasons.gone end, 15,
           "the wrong password, the wrong CA and the unreachable broker to fail", next)
  end,
  function(next)
    -- Refused again after a second: retried, while the rest keeps running.
    T.when(function() return (refusals.wrong or 0) >= 2 end, 10, "a second attempt", next)
  end,
  function(next)
    T.ok(reasons.wrong:find("bad user name or password", 1, true) or
         reasons.wrong:find("not authorised", 1, true), "wrong password: " .. reasons.wrong)
    T.eq(wrong.connected, false, "not connected with a wrong password")
    T.eq(badca.connected, false, "not connected with a wrong CA")
    -- (paho says one or the other, depending on when the refusal comes)
    T.ok(reasons.gone:find("connect failure", 1, true) or reasons.gone:find("socket error", 1, true),
         "unreachable: " .. reasons.gone)
    T.ok((refusals.gone or 0) >= 2, "an unreachable broker is retried")
    T.ok(ticks > 5, "other rules keep running meanwhile")
    for _, h in ipairs(hs) do h:off() end
    ticker:cancel()
    for _, c in ipairs{wrong, right, tls, badca, cert, gone} do c:close() end
    T.done()
  end,
}
