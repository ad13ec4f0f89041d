-- lumo.onenet against a real mosquitto playing OneNET: the device connects
-- with its token as the password (the broker's password file holds it),
-- posts are batched, checked by a responder that answers on
-- .../accepted or .../rejected as the platform does, callbacks get the
-- result; a command is answered through cloud:on_command.
local T = require("lumo.testing")
T.timeout(30)
local env = T.env
local PID, DEV = "469948", "Chic_D"
local KEY = "rs2FaE5BuygJZkWKDA5okKt1RFpwOx53hbu6hwyCS4U="
local ET = tonumber(env("ONENET_ET"))
local STATE = os.getenv("MQTT_STATE")
local base = "$sys/" .. PID .. "/" .. DEV .. "/"

-- The platform's side: checks each post's schema and answers.
local P = require("onenet_platform").start{uri = "mqtt://127.0.0.1:" .. env("MQTT_PORT"),
                                           state_dir = STATE}
local platform, responses = P.client, P.responses

T.raises(function() lumo.onenet.connect{product = PID, device = DEV} end, "give product=, device= and key=")
T.raises(function() lumo.onenet.connect{product = PID, device = DEV, key = "!!"} end, "is not base64")
T.raises(function() lumo.onenet.connect{product = PID, device = DEV, key = KEY, model = "x"} end,
         "model must be")
T.raises(function() lumo.onenet.connect{product = PID, device = DEV, key = KEY, keepalive = 5} end,
         "'keepalive' must be a number from 10 to 1800")

local cloud
local results, commands = {}, {}
local early

T.steps{
  function(next)
    T.when(function() return P.ready end, 10, "the platform's subscriptions", next)
  end,
  function(next)
    cloud = lumo.onenet.connect{product = PID, device = DEV, key = KEY, method = "sha1",
                                expires = ET, uri = "mqtt://127.0.0.1:" .. env("MQTT_AUTH_PORT"),
                                state_dir = STATE, interval = 0.2}
    T.ok(tostring(cloud):find("lumo.onenet.Device onenet:469948/Chic_D", 1, true), "tostring")
    -- Posted before the connection is up: it must wait for the subscription
    -- to the replies, or the platform's answer would come first and be lost.
    cloud:post({early = 1}, function(ok, err) early = ok or err end)
    cloud:on_command(function(cmd)
      commands[#commands + 1] = cmd.payload
      return "done: " .. cmd.payload
    end)
    next()
  end,
  function(next)
    T.when(function() return cloud.connected and platform.connected end, 10,
           "the device (with its token) and the platform to connect", next)
  end,
  function(next)
    T.when(function() return early ~= nil end, 10, "the answer to the early post", next)
  end,
  function(next)
    T.eq(early, true, "a post made before the connection is accepted")
    for i = 1, 10 do
      cloud:post({temperature = 20 + i, humidity = {v = 40 + i, t = 1700000000 + i}},
                 function(ok, err) results[#results + 1] = ok end)
    end
    cloud:post({status = {color = "blue"}, note = "hello", list = {{v = 1}, {v = 2}}},
               function(ok, err) results[#results + 1] = ok end)
    T.when(function() return #results == 11 end, 10, "the 11 posts' results", next)
  end,
  function(next)
    local all = true
    for _, ok in ipairs(results) do all = all and ok == true end
    T.ok(all, "all 11 posts accepted")
    T.ok(P.messages < 11, "posted in " .. P.messages .. " messages, fewer than the 11 posts")
    local err
    cloud:post({reject_me = 1}, function(ok, e) err = e; results.rejected = ok end)
    T.when(function() return err end, 10, "the rejection", next)
    results.err = function() return err end
  end,
  function(next)
    T.eq(results.rejected, false, "a rejected post's callback gets false")
    T.ok(results.err():find("Illegal Data (code 98)", 1, true), "and the platform's error: " .. results.err())
    T.raises(function() cloud:post({}) end, "give at least one value")
    T.raises(function() cloud:post({x = print}) end, "must be a number, string, boolean or table")
    T.raises(function() cloud:post({["a/b"] = 1}) end, "holds '/', '+' or '#'")
    platform:publish(base .. "cmd/request/c1", "open the door", {qos = 0})
    T.when(function() return responses.c1 end, 10, "the command's response", next)
  end,
  function(next)
    T.eq(commands[1], "open the door", "the command reached cloud:on_command")
    T.eq(responses.c1, "done: open the door", "its return value went back as the response")
    cloud:close()
    platform:close()
    T.done()
  end,
}
