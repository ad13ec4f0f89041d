/* The engine: one libev loop, the event bus, signal handling and the exit
 * status. Everything that lives on the loop thread hangs off it. */
#ifndef LUMO_CORE_ENGINE_H
#define LUMO_CORE_ENGINE_H

#include "core/bus.h"
#include "core/device.h"

#include <ev.h>

typedef struct engine engine_t;
typedef void (*engine_fn)(engine_t *eng, void *arg);

struct engine {
  struct ev_loop *loop;
  bus_t bus;
  registry_t devices;
  ev_signal sigint, sigterm, sighup;
  engine_fn on_hup; /* SIGHUP: reload, set by the rule runtime */
  void *on_hup_arg;
  engine_fn on_interrupt; /* SIGINT, when set, instead of stopping (REPL) */
  void *on_interrupt_arg;
  int exit_code;
  int stopping;
};

/* Sets up the default loop and SIGINT/SIGTERM (stop) and SIGHUP watchers. */
int engine_init(engine_t *eng);
/* Runs until engine_stop or a stop signal; returns the exit status. */
int engine_run(engine_t *eng);
/* Asks the loop to stop after the current callback; `code` is the exit status. */
void engine_stop(engine_t *eng, int code);
void engine_close(engine_t *eng);

#endif
