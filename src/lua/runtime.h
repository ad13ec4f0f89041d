/* The rule runtime: the one lua_State, every entry from C into Lua, the
 * instruction budget, and the handles (timers, subscriptions) rules own.
 *
 * DESIGN: everything here runs on the loop thread. Each handle belongs to a
 * "generation": one load of one rule file (or the REPL, generation 0).
 * Reloading a file loads it as a new generation and, only if that succeeds,
 * cancels every handle of the old one; a failed load cancels the new
 * generation's handles instead, so the previous version keeps running. */
#ifndef LUMO_LUA_RUNTIME_H
#define LUMO_LUA_RUNTIME_H

#include "core/engine.h"
#include "lua/lstatic.h"

#include <lua.h>
#include <signal.h>

typedef struct runtime runtime_t;
typedef struct rt_handle rt_handle_t;

typedef enum { HANDLE_TIMER, HANDLE_SUBSCRIPTION, HANDLE_DRIVER } handle_kind_t;

/* The header of every userdata that pins itself while active. */
struct rt_handle {
  rt_handle_t *prev, *next; /* the runtime's list of active handles */
  runtime_t *rt;
  handle_kind_t kind;
  int gen;      /* owning generation */
  int self_ref; /* registry reference pinning the userdata while active */
  int fn_ref;   /* registry reference to the Lua callback */
  /* Stops the underlying watcher or subscription; the runtime then unpins. */
  void (*stop)(rt_handle_t *h);
};

#define RT_DEFAULT_BUDGET 100000000LL /* Lua VM instructions per callback */

struct runtime {
  lua_State *L;
  struct lalloc *alloc; /* the state's allocator (lalloc.h) */
  engine_t *eng;
  long long budget; /* instructions one entry into Lua may run; 0 = no limit */
  int depth;        /* nesting of runtime_call */
  int gen;          /* generation that owns handles created right now */
  int next_gen;
  int over_budget;
  int closing;                       /* runtime_close under way: no more calls into Lua */
  volatile sig_atomic_t in_lua;      /* a runtime_pcall is under way */
  volatile sig_atomic_t interrupted; /* SIGINT/SIGTERM stopped the running rule */
  rt_handle_t *handles;
  size_t ntimers, nsubs, ndrivers;
  struct rule_file *files;
  int evmeta;            /* registry ref of the lumo.Event metatable (levent.c) */
  const void *cur_event; /* the event being delivered to a handler, or NULL */
  lstatic_t strings;     /* Lua strings of static C strings (lstatic.h) */
  int devcache;          /* registry ref of {[device_t*] = lumo.Device} (ldevice.c) */
};

int runtime_init(runtime_t *rt, engine_t *eng, long long budget);
/* Cancels every handle, closes the state. */
void runtime_close(runtime_t *rt);

/* Calls the function below `nargs` arguments on the stack in protected mode,
 * with a traceback handler and the instruction budget, as generation `gen`.
 * `what` says what is being run ("handler for 'motion'"), for the log. On
 * error logs the message and traceback and returns the lua_pcall status with
 * nothing left on the stack; on success leaves `nresults` results. */
int runtime_call(runtime_t *rt, int nargs, int nresults, int gen, const char *what);

/* runtime_call with `what` given as a format and one string argument,
 * formatted only if the call fails. */
int runtime_callf(runtime_t *rt, int nargs, int nresults, int gen, const char *what_fmt,
                  const char *what_arg) __attribute__((format(printf, 5, 0)));

/* Like runtime_call, but on error leaves the message (with traceback) on the
 * stack instead of logging it. */
int runtime_pcall(runtime_t *rt, int nargs, int nresults, int gen);

/* Links an activated handle into the runtime: the value at the top of L's
 * stack is the handle's userdata (popped, pinned), and the function at
 * `fn_index` is its callback (0: none). L is the calling thread (a rule may register
 * from a coroutine); the callback will run on the main thread. The handle
 * joins the current generation. */
void runtime_handle_pin(lua_State *L, runtime_t *rt, rt_handle_t *h, int fn_index);
/* Stops and unpins a handle; a no-op on an inactive one. */
void runtime_handle_cancel(rt_handle_t *h);
int runtime_handle_active(const rt_handle_t *h);
/* Pushes the handle's userdata and callback (anchoring both on the stack
 * for the duration of a call). */
void runtime_handle_push(rt_handle_t *h);

/* A handle's callback, called the cheap way (every event's path):
 *   int base = runtime_handle_begin(h);   -- pushes what the call needs
 *   ... push nargs arguments ...
 *   runtime_handle_call(h, base, nargs, "handler for '%s'", name);
 * Same protection, budget and logging as runtime_callf; the stack is back
 * where it was afterwards. The handle's registry refs must be live. */
int runtime_handle_begin(rt_handle_t *h);
int runtime_handle_call(rt_handle_t *h, int base, int nargs, const char *what_fmt,
                        const char *what_arg) __attribute__((format(printf, 4, 0)));

/* Cancels every handle of generation `gen`; returns how many, and adds the
 * timers and subscriptions among them to *ntimers / *nsubs (either may be
 * NULL). */
size_t runtime_cancel_gen(runtime_t *rt, int gen, size_t *ntimers, size_t *nsubs);
int runtime_new_gen(runtime_t *rt);

/* Describes where `gen` came from ("rules.lua", "repl"). */
const char *runtime_gen_name(runtime_t *rt, int gen);

/* Gets the runtime from the state (stored in its extra space). */
runtime_t *runtime_from(lua_State *L);

#endif
