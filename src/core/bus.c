/* The event bus: a subscription list walked in order, with handlers removed
 * during dispatch marked dead and swept afterwards (as Redis's ae.c does). */
#include "core/bus.h"

#include "core/mem.h"

#include <stdlib.h>
#include <string.h>

static void drain_cb(struct ev_loop *loop, ev_idle *w, int revents);

void bus_init(bus_t *bus, struct ev_loop *loop) {
  memset(bus, 0, sizeof *bus);
  bus->loop = loop;
  ev_idle_init(&bus->drain, drain_cb);
  /* An idle watcher at top priority runs on every iteration that has no
   * other top-priority work, so queued events are not starved by busy
   * sockets, yet the loop never blocks while events wait. */
  ev_set_priority(&bus->drain, EV_MAXPRI);
  bus->drain.data = bus;
}

static void handler_free(bus_handler_t *h) {
  free(h->name);
  free(h->device);
  free(h->model);
  free(h->group);
  free(h);
}

static void queued_free(bus_queued_t *q) {
  if (q->release) q->release(q->ev.payload, q->release_ctx);
  free((char *)q->ev.name);
  free((char *)q->ev.device);
  free((char *)q->ev.model);
  free((char *)q->ev.device_name);
  free((char *)q->ev.group);
  free(q);
}

void bus_close(bus_t *bus) {
  if (bus->loop) ev_idle_stop(bus->loop, &bus->drain);
  while (bus->qhead) {
    bus_queued_t *q = bus->qhead;
    bus->qhead = q->next;
    queued_free(q);
  }
  bus->qtail = NULL;
  while (bus->head) {
    bus_handler_t *h = bus->head;
    bus->head = h->next;
    handler_free(h);
  }
  bus->tail = NULL;
  bus->live = 0;
}

static char *dup_filter(const char *s) {
  if (!s || strcmp(s, "*") == 0) return NULL;
  return mem_strdup(s);
}

bus_handler_t *bus_subscribe(bus_t *bus, const char *name, const char *device,
                             const char *model, bus_fn fn, void *arg) {
  bus_handler_t *h = mem_calloc(1, sizeof *h);
  h->name = dup_filter(name);
  h->device = dup_filter(device);
  h->model = dup_filter(model);
  h->fn = fn;
  h->arg = arg;
  h->seq = ++bus->seq;
  if (bus->tail)
    bus->tail->next = h;
  else
    bus->head = h;
  bus->tail = h;
  bus->live++;
  return h;
}

void bus_handler_set_group(bus_handler_t *h, const char *group) {
  free(h->group);
  h->group = dup_filter(group);
}

static void sweep(bus_t *bus) {
  bus_handler_t **pp = &bus->head, *prev = NULL;
  while (*pp) {
    bus_handler_t *h = *pp;
    if (h->dead) {
      *pp = h->next;
      handler_free(h);
    } else {
      prev = h;
      pp = &h->next;
    }
  }
  bus->tail = prev;
  bus->need_sweep = 0;
}

void bus_unsubscribe(bus_t *bus, bus_handler_t *h) {
  if (h->dead) return;
  h->dead = 1;
  bus->live--;
  if (bus->depth == 0)
    sweep(bus);
  else
    bus->need_sweep = 1;
}

static int filter_ok(const char *want, const char *have) {
  return !want || (have && strcmp(want, have) == 0);
}

int bus_matches(const bus_handler_t *h, const bus_event_t *ev) {
  return filter_ok(h->name, ev->name) &&
         (filter_ok(h->device, ev->device) ||
          (ev->device_name && filter_ok(h->device, ev->device_name))) &&
         filter_ok(h->model, ev->model) && filter_ok(h->group, ev->group);
}

void bus_dispatch(bus_t *bus, const bus_event_t *ev) {
  unsigned long last = bus->seq;
  bus->depth++;
  bus->delivered++;
  for (bus_handler_t *h = bus->head; h; h = h->next) {
    if (h->seq > last) break; /* subscribed during this dispatch */
    if (!h->dead && bus_matches(h, ev)) h->fn(h, ev);
  }
  if (--bus->depth == 0 && bus->need_sweep) sweep(bus);
}

void bus_post(bus_t *bus, const bus_event_t *ev, void (*release)(void *, void *),
              void *release_ctx) {
  bus_queued_t *q = mem_calloc(1, sizeof *q);
  q->ev = *ev;
  q->ev.name = mem_strdup(ev->name);
  q->ev.device = ev->device ? mem_strdup(ev->device) : NULL;
  q->ev.model = ev->model ? mem_strdup(ev->model) : NULL;
  q->ev.device_name = ev->device_name ? mem_strdup(ev->device_name) : NULL;
  q->ev.group = ev->group ? mem_strdup(ev->group) : NULL;
  q->release = release;
  q->release_ctx = release_ctx;
  if (bus->qtail)
    bus->qtail->next = q;
  else
    bus->qhead = q;
  bus->qtail = q;
  if (bus->loop) ev_idle_start(bus->loop, &bus->drain);
}

/* Delivers the events queued before this drain began; events posted by the
 * handlers wait for the next iteration, so a handler that emits the event it
 * handles cannot starve the loop. */
static void drain_cb(struct ev_loop *loop, ev_idle *w, int revents) {
  (void)revents;
  bus_t *bus = w->data;
  bus_queued_t *q = bus->qhead;
  bus->qhead = bus->qtail = NULL;
  ev_idle_stop(loop, w);
  while (q) {
    bus_queued_t *next = q->next;
    bus_dispatch(bus, &q->ev);
    queued_free(q);
    q = next;
  }
}
