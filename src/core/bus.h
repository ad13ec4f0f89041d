/* The event bus: every device change and every user event passes through it
 * on its way to the handlers subscribed with a filter. */
#ifndef LUMO_CORE_BUS_H
#define LUMO_CORE_BUS_H

#include <ev.h>
#include <stddef.h>

/* An event as handlers see it. Strings and payload belong to the producer and
 * are valid only during dispatch. */
typedef struct bus_event {
  const char *name;        /* lower-case word: "motion", "report", a user's name */
  const char *device;      /* device id (sid), or a user event's device; NULL if none */
  const char *device_name; /* the device's user-given name, if any */
  const char *model;       /* device model; NULL when none */
  const char *group; /* the device's gateway/parent id, or the device's own id; NULL */
  double time;       /* Unix seconds */
  int payload_kind;  /* producer-defined tag telling subscribers what payload is */
  void *payload;
} bus_event_t;

typedef struct bus_handler bus_handler_t;
typedef void (*bus_fn)(bus_handler_t *h, const bus_event_t *ev);

/* A subscription. Owned by the bus from bus_subscribe until the sweep after
 * bus_unsubscribe; subscribers keep a pointer, never free it. */
struct bus_handler {
  char *name, *device, *model, *group; /* filters; NULL matches anything */
  bus_fn fn;
  void *arg;
  unsigned long seq; /* order of subscription */
  int dead;
  bus_handler_t *next;
};

/* A queued event: a copy of the strings and the payload, plus how to let go
 * of the payload when delivery is over. */
typedef struct bus_queued {
  bus_event_t ev;
  void (*release)(void *payload, void *ctx);
  void *release_ctx;
  struct bus_queued *next;
} bus_queued_t;

typedef struct bus {
  bus_handler_t *head, *tail;
  unsigned long seq;
  int depth;      /* nesting of bus_dispatch calls */
  int need_sweep; /* a handler died during dispatch */
  size_t live;    /* handlers not yet unsubscribed */
  bus_queued_t *qhead, *qtail;
  struct ev_loop *loop;
  ev_idle drain;
  unsigned long delivered; /* events dispatched, for stats */
} bus_t;

void bus_init(bus_t *bus, struct ev_loop *loop);
/* Drops every handler and queued event (releasing payloads). */
void bus_close(bus_t *bus);

/* Adds a handler; filters are copied. "*" or NULL as name matches all. A
 * group filter is set with bus_handler_set_group after subscribing. */
bus_handler_t *bus_subscribe(bus_t *bus, const char *name, const char *device,
                             const char *model, bus_fn fn, void *arg);
void bus_handler_set_group(bus_handler_t *h, const char *group);

/* Removes a handler: it gets no event after this call, even one that is being
 * dispatched now. Safe to call from inside a handler. */
void bus_unsubscribe(bus_t *bus, bus_handler_t *h);

/* Delivers an event now to every matching handler, in subscription order.
 * Handlers added during the dispatch do not see this event. */
void bus_dispatch(bus_t *bus, const bus_event_t *ev);

/* Queues an event for delivery on a later loop iteration, in order. The
 * strings are copied; the payload is handed over and `release` is called on
 * it once delivery is done (or the bus closes). */
void bus_post(bus_t *bus, const bus_event_t *ev, void (*release)(void *, void *),
              void *release_ctx);

/* Does `h` match `ev`? Exposed for tests. */
int bus_matches(const bus_handler_t *h, const bus_event_t *ev);

#endif
