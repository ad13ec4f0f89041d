-- Temperature and humidity from a Lumi sensor_ht, forwarded to China
-- Mobile's OneNET as data points; a command from the platform switches the
-- plug.
--
--   LUMO_ONENET_KEY=... lumo run examples/onenet_forward.lua
--
-- Fill in your product id and device name from the OneNET console (see
-- docs/onenet.md), and the key in the environment. The platform's TLS
-- endpoint needs its CA certificate, MQTTS-certificate.pem, from the
-- OneNET documentation: point LUMO_ONENET_CA at it. LUMO_ONENET_URI
-- overrides the broker (the demo uses a local mosquitto playing OneNET).

local PRODUCT = os.getenv("LUMO_ONENET_PRODUCT") or "469948"
local DEVICE = os.getenv("LUMO_ONENET_DEVICE") or "Chic_D"
local KEY = assert(os.getenv("LUMO_ONENET_KEY"), "set LUMO_ONENET_KEY to the device key")
local URI = os.getenv("LUMO_ONENET_URI") -- nil: mqtts://mqttstls.heclouds.com:8883

local gw = lumo.lumi.gateway{
  password = os.getenv("LUMO_LUMI_PASSWORD") or "0987654321qwerty",
  interface = os.getenv("LUMO_INTERFACE"),
}

local cloud = lumo.onenet.connect{
  product = PRODUCT,
  device = DEVICE,
  key = KEY,
  uri = URI,
  tls = {ca = os.getenv("LUMO_ONENET_CA")},
  expires = tonumber(os.getenv("LUMO_ONENET_ET") or ""), -- nil: 30 days, renewed
}

cloud:on("connected", function() lumo.log.info("connected to OneNET as %s", DEVICE) end)
cloud:on("disconnected", function(ev) lumo.log.warn("OneNET: %s", ev.data.reason) end)

-- Every temperature/humidity report becomes data points, stamped with
-- the time it was measured; a burst of reports goes out as one message.
lumo.on("report", function(ev)
  local d = ev.data
  if d.temperature == nil and d.humidity == nil then return end
  local t = math.floor(ev.time)
  local points = {}
  if d.temperature then points.temperature = {v = d.temperature, t = t} end
  if d.humidity then points.humidity = {v = d.humidity, t = t} end
  cloud:post(points, function(ok, err)
    if ok then
      lumo.log.info("OneNET accepted %s", lumo.json.encode(points))
    else
      lumo.log.warn("OneNET refused %s: %s", lumo.json.encode(points), err)
    end
  end)
end)

-- A command "on" or "off" from the platform switches the plug.
cloud:on_command(function(cmd)
  local plug
  for _, d in ipairs(gw:devices()) do
    if d.kind == "plug" then plug = d end
  end
  if not plug then return "no plug" end
  if cmd.payload == "on" then plug:on() elseif cmd.payload == "off" then plug:off() else
    return "unknown command: " .. cmd.payload
  end
  return "ok"
end)
