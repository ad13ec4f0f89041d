/* lumo.on / lumo.emit and the lumo.Handler userdata: rules' side of the bus. */
#include "core/bus.h"
#include "core/device.h"
#include "core/timer.h"
#include "lua/lumolib.h"
#include "lua/runtime.h"

#include <lauxlib.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#define HANDLER_META "lumo.Handler"

typedef struct {
  rt_handle_t h; /* first: the runtime sees a handle */
  bus_handler_t *sub;
  bus_t *bus;
} lhandler_t;

static lhandler_t *checkhandler(lua_State *L, int i) {
  return luaL_checkudata(L, i, HANDLER_META);
}

static void handler_stop(rt_handle_t *h) {
  lhandler_t *lh = (lhandler_t *)h;
  if (lh->sub) bus_unsubscribe(lh->bus, lh->sub);
  lh->sub = NULL;
}

static void on_event(bus_handler_t *sub, const bus_event_t *ev) {
  lhandler_t *lh = sub->arg;
  runtime_t *rt = lh->h.rt;
  lua_State *L = rt->L;
  const void *outer = rt->cur_event; /* a handler may cause a nested dispatch */
  int base = runtime_handle_begin(&lh->h);
  levent_push(L, ev);
  runtime_handle_call(&lh->h, base, 1, "handler for '%.60s'", ev->name);
  rt->cur_event = outer;
}

static const char *opt_filter_field(lua_State *L, int t, const char *key) {
  lua_getfield(L, t, key);
  const char *s = NULL;
  if (!lua_isnil(L, -1)) {
    if (lua_type(L, -1) != LUA_TSTRING)
      luaL_error(L, "lumo.on: filter field '%s' must be a string, got %s", key,
                 luaL_typename(L, -1));
    s = lua_tostring(L, -1);
  }
  lua_pop(L, 1); /* the string stays alive in the filter table */
  return s;
}

/* lumo.on(name | {name=, device=, model=}, fn) -> handler */
static int lumo_on(lua_State *L) {
  const char *name = NULL, *device = NULL, *model = NULL;
  if (lua_type(L, 1) == LUA_TSTRING) {
    name = lua_tostring(L, 1);
    if (!*name) return luaL_error(L, "lumo.on: event name must not be empty");
  } else if (lua_type(L, 1) == LUA_TTABLE) {
    lua_pushnil(L);
    while (lua_next(L, 1)) {
      const char *k = lua_type(L, -2) == LUA_TSTRING ? lua_tostring(L, -2) : NULL;
      if (!k || (strcmp(k, "name") && strcmp(k, "device") && strcmp(k, "model")))
        return luaL_error(L,
                          "lumo.on: unknown filter field %s%s%s (use name, device "
                          "or model)",
                          k ? "'" : "", k ? k : luaL_typename(L, -2), k ? "'" : "");
      lua_pop(L, 1);
    }
    name = opt_filter_field(L, 1, "name");
    device = opt_filter_field(L, 1, "device");
    model = opt_filter_field(L, 1, "model");
  } else {
    return luaL_error(L,
                      "lumo.on: expected an event name or a filter table "
                      "{name=, device=, model=}, got %s",
                      luaL_typename(L, 1));
  }
  luaL_checktype(L, 2, LUA_TFUNCTION);
  return lumo_subscribe(L, 2, name, device, model, NULL);
}

int lumo_subscribe(lua_State *L, int fn_index, const char *name, const char *device,
                   const char *model, const char *group) {
  runtime_t *rt = runtime_from(L);
  fn_index = lua_absindex(L, fn_index);
  lhandler_t *lh = lua_newuserdatauv(L, sizeof *lh, 0);
  *lh = (lhandler_t){.h = {.kind = HANDLE_SUBSCRIPTION,
                           .stop = handler_stop,
                           .self_ref = LUA_NOREF,
                           .fn_ref = LUA_NOREF},
                     .bus = &rt->eng->bus};
  luaL_setmetatable(L, HANDLER_META);
  lua_pushvalue(L, -1);
  runtime_handle_pin(L, rt, &lh->h, fn_index);
  lh->sub = bus_subscribe(lh->bus, name, device, model, on_event, lh);
  if (group) bus_handler_set_group(lh->sub, group);
  return 1;
}

void lumo_dispatch_data(lua_State *L, const char *name, const char *device) {
  runtime_t *rt = runtime_from(L);
  int ref = luaL_ref(L, LUA_REGISTRYINDEX);
  bus_event_t ev = {.name = name,
                    .device = device,
                    .group = device,
                    .time = timer_now(),
                    .payload_kind = PAYLOAD_LUA_REF,
                    .payload = (void *)(intptr_t)ref};
  bus_dispatch(&rt->eng->bus, &ev);
  luaL_unref(L, LUA_REGISTRYINDEX, ref);
}

static void release_ref(void *payload, void *ctx) {
  runtime_t *rt = ctx;
  if (rt->L) luaL_unref(rt->L, LUA_REGISTRYINDEX, (int)(intptr_t)payload);
}

/* lumo.emit(name, data) or lumo.emit{name=, device=, model=, data=}: queues a
 * user event; handlers run on a later loop iteration, never inside emit. */
static int lumo_emit(lua_State *L) {
  runtime_t *rt = lua_touserdata(L, lua_upvalueindex(1));
  bus_event_t ev = {.time = timer_now(), .payload_kind = PAYLOAD_LUA_REF};
  if (lua_type(L, 1) == LUA_TTABLE && lua_gettop(L) == 1) {
    lua_getfield(L, 1, "name");
    lua_getfield(L, 1, "device");
    lua_getfield(L, 1, "model");
    lua_getfield(L, 1, "data");
    if (lua_type(L, 2) != LUA_TSTRING)
      return luaL_error(L, "lumo.emit: the event table needs a string 'name'");
    for (int i = 3; i <= 4; i++)
      if (!lua_isnil(L, i) && lua_type(L, i) != LUA_TSTRING)
        return luaL_error(L, "lumo.emit: '%s' must be a string, got %s",
                          i == 3 ? "device" : "model", luaL_typename(L, i));
    ev.name = lua_tostring(L, 2);
    ev.device = lua_tostring(L, 3);
    ev.model = lua_tostring(L, 4);
  } else {
    ev.name = luaL_checkstring(L, 1);
    lua_settop(L, 2);
  }
  if (!*ev.name) return luaL_error(L, "lumo.emit: event name must not be empty");
  ev.payload = (void *)(intptr_t)luaL_ref(L, LUA_REGISTRYINDEX); /* pops data */
  bus_post(&rt->eng->bus, &ev, release_ref, rt);
  return 0;
}

/* h:off() -> true if it was subscribed. Also __gc and __close. */
static int handler_off(lua_State *L) {
  lhandler_t *lh = checkhandler(L, 1);
  int was = runtime_handle_active(&lh->h);
  runtime_handle_cancel(&lh->h);
  lua_pushboolean(L, was);
  return 1;
}

static int handler_active(lua_State *L) {
  lua_pushboolean(L, runtime_handle_active(&checkhandler(L, 1)->h));
  return 1;
}

static int handler_tostring(lua_State *L) {
  lhandler_t *lh = checkhandler(L, 1);
  if (!lh->sub) {
    lua_pushliteral(L, "lumo.Handler (off)");
    return 1;
  }
  lua_pushfstring(L, "lumo.Handler (%s%s%s%s%s)", lh->sub->name ? lh->sub->name : "*",
                  lh->sub->device ? ", device " : "",
                  lh->sub->device ? lh->sub->device : "",
                  lh->sub->model ? ", model " : "", lh->sub->model ? lh->sub->model : "");
  return 1;
}

static const luaL_Reg handler_methods[] = {
    {"off", handler_off},
    {"active", handler_active},
    {NULL, NULL},
};

static const luaL_Reg handler_meta[] = {
    {"__index", NULL},
    {"__gc", handler_off},
    {"__close", handler_off},
    {"__tostring", handler_tostring},
    {NULL, NULL},
};

static const luaL_Reg eventlib[] = {
    {"on", lumo_on},
    {"emit", lumo_emit},
    {NULL, NULL},
};

void lumo_open_events(lua_State *L) {
  lumo_open_event(L);
  luaL_newmetatable(L, HANDLER_META);
  luaL_setfuncs(L, handler_meta, 0);
  luaL_newlib(L, handler_methods);
  lua_setfield(L, -2, "__index");
  lua_pop(L, 1);
  lua_pushlightuserdata(L, runtime_from(L));
  luaL_setfuncs(L, eventlib, 1);
}
