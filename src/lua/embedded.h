/* Lua modules compiled into the binary (the .lua files under lua/lumo/, see
 * CMakeLists.txt). */
#ifndef LUMO_LUA_EMBEDDED_H
#define LUMO_LUA_EMBEDDED_H

#include <stddef.h>

struct embedded_lua {
  const char *name; /* module name for require, e.g. "lumo.inspect" */
  const char *source;
  size_t len;
};

/* Terminated by an entry whose name is NULL. */
extern const struct embedded_lua embedded_lua[];

#endif
