/* The `lumo` module: events, timers, logging, and the engine's clock. */
#ifndef LUMO_LUA_LUMOLIB_H
#define LUMO_LUA_LUMOLIB_H

#include "core/bus.h"
#include "core/device.h"

#include <lauxlib.h>
#include <lua.h>

/* Opens the module (the runtime must be in the state's extra space). */
int luaopen_lumo(lua_State *L);

/* Registers a userdata type: the metatable `name` with the functions of
 * `meta` (an "__index" entry in it is replaced), and __index = the closure
 * index(obj, key) with two upvalues: the metatable itself (to check an
 * object's type by identity, without a lookup by name) and a table of
 * `methods`. Leaves the metatable on the stack. */
void lumo_new_type(lua_State *L, const char *name, const luaL_Reg *meta,
                   const luaL_Reg *methods, lua_CFunction index);

/* Adds after/every/at/now to the table on top of the stack (ltimer.c), with
 * the runtime as upvalue. */
void lumo_open_timers(lua_State *L);
/* Adds on/emit to the table on top of the stack (levents.c). */
void lumo_open_events(lua_State *L);

/* lumo.Event (levent.c): registers the metatable; pushes an event for a
 * handler and marks it as the one being delivered (runtime.cur_event),
 * which the caller resets when the handler returns. */
void lumo_open_event(lua_State *L);
const void *levent_push(lua_State *L, const bus_event_t *ev);

/* Dispatches the event `name` of `device` (also its group) now, with the
 * value on top of the stack (popped) as its data: a binding's own events,
 * such as an MQTT client's "connected". */
void lumo_dispatch_data(lua_State *L, const char *name, const char *device);

/* Subscribes the function at fn_index with these filters (any may be NULL)
 * and pushes the Handler (levents.c). */
int lumo_subscribe(lua_State *L, int fn_index, const char *name, const char *device,
                   const char *model, const char *group);

/* Device handles (ldevice.c): pushes a lumo.Device for an id or name. */
void ldevice_push(lua_State *L, const char *id_or_name);
/* The same for a device in the registry, from a per-runtime cache: events
 * hand out one handle per device instead of a new one each time. */
void ldevice_push_dev(lua_State *L, const device_t *dev);
void lumo_open_devices(lua_State *L);
/* Pushes a table {key = value, ...} of device values. */
void lumo_push_values(lua_State *L, const value_t *values, size_t n);
/* Reads a Lua table of attributes into values (keys and strings stay valid
 * while the table is on the stack); raises on unsupported value types.
 * Returns how many. */
size_t lumo_check_values(lua_State *L, int t, value_t *out, size_t max,
                         const char *fname);
/* A device_done_fn whose arg came from ldevice_callback: calls the Lua
 * function (ok, result_or_err) or logs a failure when there was none. */
void *ldevice_callback(lua_State *L, int fn_index, const char *what);
void ldevice_done(void *arg, const char *err, const value_t *values, size_t n);
/* Frees what ldevice_callback made without calling it: for an operation
 * refused at once, whose error is raised instead. */
void ldevice_release(void *arg);

/* lumo.lumi (llumi.c), lumo.mqtt (lmqtt.c), lumo.json (ljson.c): each adds
 * its table to the one on top of the stack. */
void lumo_open_lumi(lua_State *L);
void lumo_open_mqtt(lua_State *L);
void lumo_open_json(lua_State *L);
void lumo_open_onenet(lua_State *L);

/* Payload tag of events posted from Lua: payload is a registry reference. */
#define PAYLOAD_LUA_REF 1

#endif
