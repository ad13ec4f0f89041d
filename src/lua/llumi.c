/* lumo.lumi: lumo.lumi.gateway{...} and the lumo.lumi.Gateway userdata. A
 * gateway is a handle of the rule file that opened it: a reload of that file
 * closes it (and the new version opens its own). */
#include "core/log.h"
#include "drivers/lumi_gateway.h"
#include "lua/loptions.h"
#include "lua/lumolib.h"
#include "lua/runtime.h"

#include <lauxlib.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#define GATEWAY_META "lumo.lumi.Gateway"
#define MAX_NAMES 256

typedef struct {
  rt_handle_t h; /* first: the runtime sees a handle */
  lumi_gw_t *gw;
  char sid[32]; /* as configured, until the gateway is found */
} lgateway_t;

static lgateway_t *checkgw(lua_State *L, int i) {
  lgateway_t *g = luaL_checkudata(L, i, GATEWAY_META);
  if (!g->gw) luaL_error(L, "the gateway was closed");
  return g;
}

static void gw_stop(rt_handle_t *h) {
  lgateway_t *g = (lgateway_t *)h;
  lumi_gw_close(g->gw);
  g->gw = NULL;
}

static double opt_seconds(lua_State *L, int t, const char *key) {
  int type = lua_getfield(L, t, key);
  double v = 0;
  if (type != LUA_TNIL) {
    if (type != LUA_TNUMBER || !isfinite(v = lua_tonumber(L, -1)) || v <= 0)
      luaL_error(L, "lumo.lumi.gateway: '%s' must be a number of seconds > 0", key);
  }
  lua_pop(L, 1);
  return v;
}

/* lumo.lumi.gateway{password=, ip=, interface=, sid=, names=, heartbeat=,
 * device_timeout=, timeout=} -> Gateway */
static int lumi_gateway(lua_State *L) {
  runtime_t *rt = runtime_from(L);
  luaL_checktype(L, 1, LUA_TTABLE);
  static const char *const known[] = {
      "password",       "ip",      "interface", "sid",         "names",  "heartbeat",
      "device_timeout", "timeout", "dedupe",    "recv_buffer", "replay", NULL};
  lopt_check(L, 1, known, "lumo.lumi.gateway");
  lumi_gw_config_t cfg = {
      .password = lopt_string(L, 1, "password", "lumo.lumi.gateway"),
      .ip = lopt_string(L, 1, "ip", "lumo.lumi.gateway"),
      .interface = lopt_string(L, 1, "interface", "lumo.lumi.gateway"),
      .sid = lopt_string(L, 1, "sid", "lumo.lumi.gateway"),
      .heartbeat = opt_seconds(L, 1, "heartbeat"),
      .device_timeout = opt_seconds(L, 1, "device_timeout"),
      .timeout = opt_seconds(L, 1, "timeout"),
      .dedupe = opt_seconds(L, 1, "dedupe"),
      .replay = lopt_string(L, 1, "replay", "lumo.lumi.gateway"),
  };
  if (lua_getfield(L, 1, "recv_buffer") != LUA_TNIL) {
    lua_Integer b = lua_isinteger(L, -1) ? lua_tointeger(L, -1) : 0;
    if (b < 65536 || b > 256 << 20)
      return luaL_error(L, "lumo.lumi.gateway: 'recv_buffer' must be a whole number of "
                           "bytes from 65536 to 268435456");
    cfg.recv_buffer = (int)b;
  }
  lua_pop(L, 1);
  const char *names[2 * MAX_NAMES];
  if (lua_getfield(L, 1, "names") == LUA_TTABLE) {
    lua_pushnil(L);
    while (lua_next(L, -2)) {
      if (lua_type(L, -2) != LUA_TSTRING || lua_type(L, -1) != LUA_TSTRING)
        return luaL_error(L, "lumo.lumi.gateway: names must map sids to names, "
                             "e.g. names = {[\"158d0001c2f110\"] = \"hall\"}");
      if (cfg.nnames == MAX_NAMES)
        return luaL_error(L, "lumo.lumi.gateway: too many names");
      names[2 * cfg.nnames] = lua_tostring(L, -2);
      names[2 * cfg.nnames + 1] = lua_tostring(L, -1);
      cfg.nnames++;
      lua_pop(L, 1);
    }
    cfg.names = names;
  } else if (!lua_isnil(L, -1)) {
    return luaL_error(L, "lumo.lumi.gateway: 'names' must be a table");
  }
  lua_pop(L, 1);

  char err[256];
  lumi_gw_t *gw = lumi_gw_open(rt->eng, &cfg, err, sizeof err);
  if (!gw) return luaL_error(L, "lumo.lumi.gateway: %s", err);
  lgateway_t *g = lua_newuserdatauv(L, sizeof *g, 0);
  *g = (lgateway_t){.h = {.kind = HANDLE_DRIVER,
                          .stop = gw_stop,
                          .self_ref = LUA_NOREF,
                          .fn_ref = LUA_NOREF},
                    .gw = gw};
  snprintf(g->sid, sizeof g->sid, "%s", cfg.sid ? cfg.sid : "");
  luaL_setmetatable(L, GATEWAY_META);
  lua_pushvalue(L, -1);
  runtime_handle_pin(L, rt, &g->h, 0);
  return 1;
}

static const char *gw_sid(lgateway_t *g) {
  device_t *self = g->gw ? lumi_gw_device(g->gw) : NULL;
  return self ? self->id : g->sid;
}

/* gw:devices() -> {Device...}: the sub-devices known so far. */
static int gw_devices(lua_State *L) {
  lgateway_t *g = checkgw(L, 1);
  lua_newtable(L);
  int i = 0;
  for (device_t *d = runtime_from(L)->eng->devices.head; d; d = d->next) {
    if (d->driver != (void *)g->gw || d == lumi_gw_device(g->gw)) continue;
    ldevice_push(L, d->id);
    lua_rawseti(L, -2, ++i);
  }
  return 1;
}

/* gw:device(sid_or_name) -> Device (a handle even before the device is seen). */
static int gw_device(lua_State *L) {
  checkgw(L, 1);
  const char *ref = luaL_checkstring(L, 2);
  if (!*ref || strlen(ref) >= 64)
    return luaL_error(L,
                      "gw:device: give a sid (like \"158d0001c2f110\") or a device name");
  ldevice_push(L, ref);
  return 1;
}

/* gw:light{rgb=0xRRGGBB, brightness=0..100}[, cb]: the gateway's night
 * light; rgb = 0 or brightness = 0 turns it off. */
static int gw_light(lua_State *L) {
  lgateway_t *g = checkgw(L, 1);
  luaL_checktype(L, 2, LUA_TTABLE);
  lua_getfield(L, 2, "rgb");
  lua_getfield(L, 2, "brightness");
  lua_Integer rgb = luaL_optinteger(L, -2, 0xffffff);
  lua_Integer bright = luaL_optinteger(L, -1, 100);
  lua_pop(L, 2);
  if (rgb < 0 || rgb > 0xffffff)
    return luaL_error(L, "gw:light: rgb must be 0x000000..0xFFFFFF");
  if (bright < 0 || bright > 100)
    return luaL_error(L, "gw:light: brightness must be 0..100");
  device_t *self = lumi_gw_device(g->gw);
  if (!self) return luaL_error(L, "gw:light: the gateway has not been found yet");
  double value =
      (rgb == 0 || bright == 0) ? 0 : (double)((uint32_t)bright << 24 | (uint32_t)rgb);
  value_t v = {.key = "rgb", .type = VALUE_NUMBER, .num = value};
  void *p = ldevice_callback(L, 3, "light on the gateway");
  if (lumi_gw_write(g->gw, self, &v, 1, ldevice_done, p) != 0) {
    ldevice_release(p);
    return luaL_error(L,
                      "gw:light: no password given to lumo.lumi.gateway{password=...}");
  }
  return 0;
}

/* The filter behind gw:on: the event must come from this gateway or one of
 * its devices. Upvalues: the Gateway, the rule's function. */
static int gw_filter(lua_State *L) {
  lgateway_t *g = lua_touserdata(L, lua_upvalueindex(1));
  if (!g->gw || lua_getfield(L, 1, "device") != LUA_TUSERDATA) return 0;
  const char *sid = gw_sid(g);
  lua_getfield(L, -1, "gateway");
  lua_getfield(L, -2, "sid");
  int mine = *sid && ((lua_isstring(L, -2) && strcmp(lua_tostring(L, -2), sid) == 0) ||
                      (lua_isstring(L, -1) && strcmp(lua_tostring(L, -1), sid) == 0));
  lua_pop(L, 3);
  if (!mine) return 0;
  lua_pushvalue(L, lua_upvalueindex(2));
  lua_insert(L, 1);
  lua_call(L, lua_gettop(L) - 1, 0);
  return 0;
}

/* gw:on(name, fn) -> Handler: events from this gateway and its devices. */
static int gw_on(lua_State *L) {
  lgateway_t *g = checkgw(L, 1);
  const char *name = luaL_checkstring(L, 2);
  luaL_checktype(L, 3, LUA_TFUNCTION);
  /* With the gateway's sid known (found, or given as sid=), the bus filters
   * by group in C: events carry their gateway's sid as group. */
  const char *sid = gw_sid(g);
  if (*sid) return lumo_subscribe(L, 3, name, NULL, NULL, sid);
  lua_pushvalue(L, 1);
  lua_pushvalue(L, 3);
  lua_pushcclosure(L, gw_filter, 2);
  return lumo_subscribe(L, -1, name, NULL, NULL, NULL);
}

static int gw_close(lua_State *L) {
  lgateway_t *g = luaL_checkudata(L, 1, GATEWAY_META);
  runtime_handle_cancel(&g->h);
  return 0;
}

static int gw_index(lua_State *L) {
  lgateway_t *g = luaL_checkudata(L, 1, GATEWAY_META);
  const char *k = luaL_checkstring(L, 2);
  if (luaL_getmetafield(L, 1, "__methods") && lua_getfield(L, -1, k) != LUA_TNIL)
    return 1;
  if (strcmp(k, "sid") == 0) {
    const char *sid = gw_sid(g);
    if (*sid)
      lua_pushstring(L, sid);
    else
      lua_pushnil(L);
  } else if (strcmp(k, "ip") == 0 || strcmp(k, "port") == 0 || strcmp(k, "proto") == 0) {
    char ip[16];
    int port, proto;
    if (!g->gw || lumi_gw_address(g->gw, ip, &port, &proto) != 0)
      lua_pushnil(L);
    else if (k[0] == 'i')
      lua_pushstring(L, ip);
    else
      lua_pushinteger(L, k[1] == 'o' ? port : proto);
  } else if (strcmp(k, "ready") == 0) {
    lua_pushboolean(L, g->gw && lumi_gw_ready(g->gw));
  } else if (strcmp(k, "online") == 0) {
    device_t *self = g->gw ? lumi_gw_device(g->gw) : NULL;
    lua_pushboolean(L, self && self->online);
  } else if (strcmp(k, "device_self") == 0 && g->gw && lumi_gw_device(g->gw)) {
    ldevice_push(L, lumi_gw_device(g->gw)->id);
  } else if (strcmp(k, "stats") == 0 && g->gw) {
    const lumi_gw_stats_t *s = lumi_gw_stats(g->gw);
    lua_createtable(L, 0, 10);
#define STAT(f)                                                                          \
  lua_pushinteger(L, (lua_Integer)s->f);                                                 \
  lua_setfield(L, -2, #f)
    STAT(datagrams);
    STAT(reports);
    STAT(heartbeats);
    STAT(duplicates);
    STAT(bad);
    STAT(oversized);
    STAT(foreign);
    STAT(events);
    STAT(polls);
    STAT(rejoins);
#undef STAT
  } else {
    lua_pushnil(L);
  }
  return 1;
}

static int gw_tostring(lua_State *L) {
  lgateway_t *g = luaL_checkudata(L, 1, GATEWAY_META);
  if (!g->gw)
    lua_pushliteral(L, "lumo.lumi.Gateway (closed)");
  else
    lua_pushfstring(L, "lumo.lumi.Gateway %s (%s)", *gw_sid(g) ? gw_sid(g) : "?",
                    lumi_gw_ready(g->gw) ? "ready" : "starting");
  return 1;
}

static const luaL_Reg gateway_methods[] = {
    {"devices", gw_devices}, {"device", gw_device}, {"light", gw_light},
    {"on", gw_on},           {"close", gw_close},   {NULL, NULL},
};

static const luaL_Reg gateway_meta[] = {
    {"__index", gw_index}, {"__tostring", gw_tostring},
    {"__gc", gw_close},    {"__close", gw_close},
    {NULL, NULL},
};

static const luaL_Reg lumilib[] = {
    {"gateway", lumi_gateway},
    {NULL, NULL},
};

void lumo_open_lumi(lua_State *L) {
  luaL_newmetatable(L, GATEWAY_META);
  luaL_setfuncs(L, gateway_meta, 0);
  luaL_newlib(L, gateway_methods);
  lua_setfield(L, -2, "__methods");
  lua_pop(L, 1);
  luaL_newlib(L, lumilib);
  lua_setfield(L, -2, "lumi");
}
