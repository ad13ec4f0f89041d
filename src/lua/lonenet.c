/* lumo.onenet: lumo.onenet.connect{...} and the lumo.onenet.Device
 * userdata ("cloud" in the examples): post data points, answer the
 * platform's commands (MQTTS suite) or property sets and service calls
 * (OneNET Studio). Belongs to the rule file that made it. The Lua
 * callbacks live in the userdata's user value {command=, set=, invoke=}. */
#include "core/log.h"
#include "drivers/onenet.h"
#include "lua/ljson.h"
#include "lua/loptions.h"
#include "lua/lumolib.h"
#include "lua/runtime.h"

#include <lauxlib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CLOUD_META "lumo.onenet.Device"
#define MAX_POINTS 64
#define WHERE "lumo.onenet.connect"

typedef struct {
  rt_handle_t h; /* first: the runtime sees a handle */
  onenet_t *o;
  char name[160]; /* the bus's device name for its events */
} lcloud_t;

static lcloud_t *check_open(lua_State *L, int i) {
  lcloud_t *c = luaL_checkudata(L, i, CLOUD_META);
  if (!c->o) luaL_error(L, "the OneNET connection was closed");
  return c;
}

static void cloud_stop(rt_handle_t *h) {
  lcloud_t *c = (lcloud_t *)h;
  onenet_t *o = c->o;
  c->o = NULL;
  onenet_close(o);
}

static int usable(lcloud_t *c) {
  return c->o && c->h.rt && c->h.rt->L && !c->h.rt->closing;
}

/* A bus event of this device, with the table on top of the stack (popped) as
 * its data. */
static void dispatch(lcloud_t *c, const char *name) {
  lumo_dispatch_data(c->h.rt->L, name, c->name);
}

static void on_connected(void *arg) {
  lcloud_t *c = arg;
  if (!usable(c)) return;
  lua_newtable(c->h.rt->L);
  dispatch(c, "connected");
}

static void on_disconnected(void *arg, const char *why) {
  lcloud_t *c = arg;
  if (!usable(c)) return;
  lua_State *L = c->h.rt->L;
  lua_createtable(L, 0, 1);
  lua_pushstring(L, why);
  lua_setfield(L, -2, "reason");
  dispatch(c, "disconnected");
}

/* Pushes the user's callback `key` (or nil); the client is anchored below. */
static int push_callback(lcloud_t *c, const char *key) {
  lua_State *L = c->h.rt->L;
  lua_rawgeti(L, LUA_REGISTRYINDEX, c->h.self_ref);
  lua_getiuservalue(L, -1, 1);
  lua_getfield(L, -1, key);
  lua_remove(L, -2);
  return lua_type(L, -1) == LUA_TFUNCTION;
}

/* {id=, payload=}: a fresh table for the handler and one for the event,
 * so that what a handler changes is its own. */
static void push_command(lua_State *L, const char *cmdid, const void *payload,
                         size_t len) {
  lua_createtable(L, 0, 2);
  lua_pushstring(L, cmdid);
  lua_setfield(L, -2, "id");
  lua_pushlstring(L, payload, len);
  lua_setfield(L, -2, "payload");
}

/* A command: fn({id=, payload=}) -> reply (string, or a table sent as
 * JSON; nil: "ok"). */
static void on_command(void *arg, const char *cmdid, const void *payload, size_t len) {
  lcloud_t *c = arg;
  if (!usable(c)) return;
  runtime_t *rt = c->h.rt;
  lua_State *L = rt->L;
  int top = lua_gettop(L);
  const char *reply = "ok";
  char *json = NULL;
  size_t rlen = 2;
  if (push_callback(c, "command")) {
    push_command(L, cmdid, payload, len);
    if (runtime_callf(rt, 1, 1, c->h.gen, "OneNET command handler (%s)", c->name) ==
        LUA_OK) {
      char err[160];
      if (lua_type(L, -1) == LUA_TSTRING) {
        reply = lua_tolstring(L, -1, &rlen);
      } else if (lua_type(L, -1) == LUA_TTABLE &&
                 (json = ljson_encode(L, -1, err, sizeof err))) {
        reply = json;
        rlen = strlen(json);
      }
    } else {
      reply = "error";
      rlen = 5;
    }
  } else {
    log_warn("onenet",
             "%s: command %s came, but no cloud:on_command handler is set: "
             "answered \"ok\"",
             c->name, cmdid);
  }
  onenet_command_reply(c->o, cmdid, reply, rlen);
  if (json) ljson_free(json);
  lua_settop(L, top);
  push_command(L, cmdid, payload, len);
  dispatch(c, "command");
}

/* Studio: fn(params, id) -> true / nil, "why": a 200 or a 400 reply. */
static void on_thing(void *arg, const char *id, const char *service, const char *params) {
  lcloud_t *c = arg;
  if (!usable(c)) return;
  runtime_t *rt = c->h.rt;
  lua_State *L = rt->L;
  int top = lua_gettop(L);
  int code = 400;
  const char *msg = "no handler";
  if (push_callback(c, service ? "invoke" : "set")) {
    if (!params || ljson_decode(L, params, strlen(params)) != 0) lua_newtable(L);
    if (service) lua_pushstring(L, service); /* fn(params, service, id) */
    lua_pushstring(L, id);                   /* fn(params, id) for a set */
    if (runtime_callf(rt, service ? 3 : 2, 2, c->h.gen, "OneNET %s handler",
                      service ? "invoke" : "set") == LUA_OK) {
      code = lua_toboolean(L, -2) ? 200 : 400;
      msg = lua_isstring(L, -1) ? lua_tostring(L, -1)
            : code == 200       ? "success"
                                : "refused";
    } else {
      msg = "the rule failed";
    }
  }
  onenet_thing_reply(c->o, id, service, code, msg);
  lua_settop(L, top);
}

/* ---- options ---- */

static double opt_num(lua_State *L, int t, const char *key, double lo, double hi) {
  int type = lua_getfield(L, t, key);
  double v = 0;
  if (type != LUA_TNIL &&
      (!lua_isnumber(L, -1) || (v = lua_tonumber(L, -1)) < lo || v > hi))
    luaL_error(L, "lumo.onenet.connect: '%s' must be a number from %I to %I", key,
               (lua_Integer)lo, (lua_Integer)hi);
  lua_pop(L, 1);
  return v;
}

/* lumo.onenet.connect{product=, device=, key=, ...} -> Device */
static int onenet_connect(lua_State *L) {
  runtime_t *rt = runtime_from(L);
  luaL_checktype(L, 1, LUA_TTABLE);
  static const char *const known[] = {
      "product", "device", "key",       "method",    "lifetime", "expires",    "model",
      "uri",     "tls",    "keepalive", "state_dir", "interval", "max_queued", NULL};
  lopt_check(L, 1, known, WHERE);
  onenet_config_t cfg = {
      .product = lopt_string(L, 1, "product", WHERE),
      .device = lopt_string(L, 1, "device", WHERE),
      .key = lopt_string(L, 1, "key", WHERE),
      .method = lopt_string(L, 1, "method", WHERE),
      .uri = lopt_string(L, 1, "uri", WHERE),
      .state_dir = lopt_string(L, 1, "state_dir", WHERE),
      .lifetime = (long long)opt_num(L, 1, "lifetime", 61, 10.0 * 365 * 86400),
      .expires = (long long)opt_num(L, 1, "expires", 1, 32503680000.0),
      .keepalive = (int)opt_num(L, 1, "keepalive", 10, 1800),
      .interval = opt_num(L, 1, "interval", 0.01, 3600),
      .max_queued = (long)opt_num(L, 1, "max_queued", 1, 1e7),
  };
  if (!cfg.product || !cfg.device || !cfg.key)
    return luaL_error(L,
                      "lumo.onenet.connect: give product=, device= and key= (the device "
                      "key, as the OneNET console shows it)");
  const char *model = lopt_string(L, 1, "model", WHERE);
  if (model && strcmp(model, "dp") && strcmp(model, "thing"))
    return luaL_error(L, "lumo.onenet.connect: model must be \"dp\" (MQTTS suite, data "
                         "streams) or \"thing\" (OneNET Studio)");
  cfg.thing = model && !strcmp(model, "thing");
  if (lua_getfield(L, 1, "tls") == LUA_TTABLE) {
    int t = lua_gettop(L);
    cfg.ca = lopt_string(L, t, "ca", WHERE);
    lua_getfield(L, t, "verify");
    cfg.insecure = lua_type(L, -1) == LUA_TBOOLEAN && !lua_toboolean(L, -1);
    lua_pop(L, 1);
  }
  lua_pop(L, 1);

  lcloud_t *c = lua_newuserdatauv(L, sizeof *c, 1);
  *c = (lcloud_t){.h = {.kind = HANDLE_DRIVER,
                        .stop = cloud_stop,
                        .self_ref = LUA_NOREF,
                        .fn_ref = LUA_NOREF}};
  lua_newtable(L);
  lua_setiuservalue(L, -2, 1);
  luaL_setmetatable(L, CLOUD_META);
  snprintf(c->name, sizeof c->name, "onenet:%s/%s", cfg.product, cfg.device);
  c->h.rt = rt;
  static const onenet_events_t events = {on_connected, on_disconnected, on_command,
                                         on_thing};
  char err[256];
  c->o = onenet_open(rt->eng, &cfg, &events, c, err, sizeof err);
  if (!c->o) return luaL_error(L, "lumo.onenet.connect: %s", err);
  lua_pushvalue(L, -1);
  runtime_handle_pin(L, rt, &c->h, 0);
  return 1;
}

/* ---- methods ---- */

static void post_done(void *arg, const char *err, int code) {
  char why[200];
  if (err && code) {
    snprintf(why, sizeof why, "%s (code %d)", err, code);
    err = why;
  }
  ldevice_done(arg, err, NULL, 0);
}

/* One point from a value: number, string, boolean (1/0), or a table that
 * is {v=, t=} or else a JSON object. */
static void point_from(lua_State *L, int idx, const char *stream, onenet_point_t *p,
                       char **json) {
  idx = lua_absindex(L, idx);
  *p = (onenet_point_t){.stream = stream};
  if (lua_type(L, idx) == LUA_TTABLE && lua_getfield(L, idx, "v") != LUA_TNIL) {
    long long t = 0;
    lua_getfield(L, idx, "t");
    if (!lua_isnil(L, -1)) {
      if (!lua_isinteger(L, -1) || lua_tointeger(L, -1) <= 0)
        luaL_error(L, "cloud:post: '%s': t must be Unix seconds", stream);
      t = (long long)lua_tointeger(L, -1);
    }
    lua_pop(L, 1);
    point_from(L, -1, stream, p, json);
    p->time = t;
    lua_pop(L, 1);
    return;
  }
  if (lua_type(L, idx) == LUA_TTABLE) lua_pop(L, 1); /* the nil v */
  switch (lua_type(L, idx)) {
  case LUA_TNUMBER:
    p->type = ONENET_V_NUMBER;
    p->num = lua_tonumber(L, idx);
    break;
  case LUA_TBOOLEAN:
    p->type = ONENET_V_NUMBER;
    p->num = lua_toboolean(L, idx);
    break;
  case LUA_TSTRING:
    p->type = ONENET_V_STRING;
    p->str = lua_tostring(L, idx);
    break;
  case LUA_TTABLE: {
    char err[160];
    *json = ljson_encode(L, idx, err, sizeof err);
    if (!*json) luaL_error(L, "cloud:post: '%s': %s", stream, err);
    p->type = ONENET_V_JSON;
    p->str = *json;
    break;
  }
  default:
    luaL_error(L, "cloud:post: '%s' must be a number, string, boolean or table, got %s",
               stream, luaL_typename(L, idx));
  }
}

/* cloud:post{name = value | {v=, t=} | {{v=, t=}, ...}, ...}[, cb] */
static int cloud_post(lua_State *L) {
  lcloud_t *c = check_open(L, 1);
  luaL_checktype(L, 2, LUA_TTABLE);
  onenet_point_t pts[MAX_POINTS];
  char *json[MAX_POINTS] = {0};
  size_t n = 0;
  lua_pushnil(L);
  while (lua_next(L, 2)) {
    if (lua_type(L, -2) != LUA_TSTRING)
      return luaL_error(L, "cloud:post: data-stream names must be strings");
    const char *stream = lua_tostring(L, -2);
    /* A list of points for one stream: {{v=, t=}, {v=, t=}}. */
    int list = lua_type(L, -1) == LUA_TTABLE && lua_rawlen(L, -1) > 0;
    size_t count = list ? lua_rawlen(L, -1) : 1;
    for (size_t i = 1; i <= count; i++) {
      if (n == MAX_POINTS)
        return luaL_error(L, "cloud:post: at most %d points", MAX_POINTS);
      if (list) lua_rawgeti(L, -1, (lua_Integer)i);
      point_from(L, -1, stream, &pts[n], &json[n]);
      n++;
      if (list) lua_pop(L, 1);
    }
    lua_pop(L, 1);
  }
  if (n == 0)
    return luaL_error(L,
                      "cloud:post: give at least one value, e.g. {temperature = 21.5}");
  void *p = NULL;
  if (!lua_isnoneornil(L, 3)) {
    luaL_checktype(L, 3, LUA_TFUNCTION);
    p = ldevice_callback(L, 3, "OneNET post");
  }
  char err[256];
  int rc = onenet_post(c->o, pts, n, p ? post_done : NULL, p, err, sizeof err);
  for (size_t i = 0; i < n; i++) ljson_free(json[i]);
  if (rc != 0) {
    if (p) ldevice_release(p);
    return luaL_error(L, "cloud:post: %s", err);
  }
  return 0;
}

static int set_callback(lua_State *L, const char *key) {
  check_open(L, 1);
  if (!lua_isnil(L, 2)) luaL_checktype(L, 2, LUA_TFUNCTION);
  lua_getiuservalue(L, 1, 1);
  lua_pushvalue(L, 2);
  lua_setfield(L, -2, key);
  return 0;
}

static int cloud_on_command(lua_State *L) {
  return set_callback(L, "command");
}

static int cloud_on_set(lua_State *L) {
  return set_callback(L, "set");
}

static int cloud_on_invoke(lua_State *L) {
  return set_callback(L, "invoke");
}

/* cloud:on(name, fn): "connected", "disconnected", "command". */
static int cloud_on(lua_State *L) {
  lcloud_t *c = check_open(L, 1);
  const char *name = luaL_checkstring(L, 2);
  luaL_checktype(L, 3, LUA_TFUNCTION);
  return lumo_subscribe(L, 3, name, c->name, NULL, NULL);
}

static int cloud_close(lua_State *L) {
  lcloud_t *c = luaL_checkudata(L, 1, CLOUD_META);
  runtime_handle_cancel(&c->h);
  return 0;
}

static int cloud_index(lua_State *L) {
  lcloud_t *c = luaL_checkudata(L, 1, CLOUD_META);
  const char *k = luaL_checkstring(L, 2);
  if (!strcmp(k, "connected"))
    lua_pushboolean(L, c->o && onenet_connected(c->o));
  else if (!strcmp(k, "name"))
    lua_pushstring(L, c->name);
  else {
    lua_pushvalue(L, 2);
    lua_rawget(L, lua_upvalueindex(2));
  }
  return 1;
}

static int cloud_tostring(lua_State *L) {
  lcloud_t *c = luaL_checkudata(L, 1, CLOUD_META);
  lua_pushfstring(L, "lumo.onenet.Device %s (%s)", c->name,
                  !c->o                    ? "closed"
                  : onenet_connected(c->o) ? "connected"
                                           : "not connected");
  return 1;
}

static const luaL_Reg cloud_methods[] = {
    {"post", cloud_post},
    {"on_command", cloud_on_command},
    {"on_set", cloud_on_set},
    {"on_invoke", cloud_on_invoke},
    {"on", cloud_on},
    {"close", cloud_close},
    {NULL, NULL},
};

static const luaL_Reg cloud_meta[] = {
    {"__tostring", cloud_tostring},
    {"__close", cloud_close},
    {NULL, NULL},
};

void lumo_open_onenet(lua_State *L) {
  lumo_new_type(L, CLOUD_META, cloud_meta, cloud_methods, cloud_index);
  lua_pop(L, 1);
  static const luaL_Reg fns[] = {{"connect", onenet_connect}, {NULL, NULL}};
  luaL_newlib(L, fns);
  lua_setfield(L, -2, "onenet");
}
