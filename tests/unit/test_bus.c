/* The event bus: filters, order, removal and addition during dispatch,
 * queued delivery on the loop. */
#include "check.h"
#include "core/bus.h"

#include <stdint.h>
#include <stdlib.h>

static char trace[256];

static void note(bus_handler_t *h, const bus_event_t *ev) {
  (void)ev;
  strncat(trace, (const char *)h->arg, sizeof trace - strlen(trace) - 1);
}

static bus_t *the_bus;
static bus_handler_t *victim;
static void remove_victim(bus_handler_t *h, const bus_event_t *ev) {
  note(h, ev);
  bus_unsubscribe(the_bus, victim);
  bus_subscribe(the_bus, NULL, NULL, NULL, note, "N");
}

static void remove_self(bus_handler_t *h, const bus_event_t *ev) {
  note(h, ev);
  bus_unsubscribe(the_bus, h);
}

static int released;
static void release(void *payload, void *ctx) {
  (void)ctx;
  released += (int)(intptr_t)payload;
}

static void repost(bus_handler_t *h, const bus_event_t *ev) {
  note(h, ev);
  if (ev->payload_kind < 3) {
    bus_event_t next = *ev;
    next.payload_kind++;
    bus_post(the_bus, &next, release, NULL);
  }
}

static void test_filters(void) {
  bus_t bus;
  bus_init(&bus, NULL);
  bus_subscribe(&bus, "motion", NULL, NULL, note, "a");
  bus_subscribe(&bus, "motion", "hall", NULL, note, "b");
  bus_subscribe(&bus, NULL, NULL, "plug", note, "c");
  bus_subscribe(&bus, "*", NULL, NULL, note, "d");
  bus_subscribe(&bus, "open", "kitchen", "magnet", note, "e");

  trace[0] = '\0';
  bus_dispatch(&bus,
               &(bus_event_t){.name = "motion", .device = "hall", .model = "motion"});
  CHECK_STR(trace, "abd");
  trace[0] = '\0';
  bus_dispatch(&bus, &(bus_event_t){.name = "motion"});
  CHECK_STR(trace, "ad");
  trace[0] = '\0';
  bus_dispatch(&bus, &(bus_event_t){.name = "on", .device = "lamp", .model = "plug"});
  CHECK_STR(trace, "cd");
  trace[0] = '\0';
  bus_dispatch(&bus,
               &(bus_event_t){.name = "open", .device = "kitchen", .model = "plug"});
  CHECK_STR(trace, "cd");
  trace[0] = '\0';
  bus_dispatch(&bus,
               &(bus_event_t){.name = "open", .device = "kitchen", .model = "magnet"});
  CHECK_STR(trace, "de");
  CHECK_INT(bus.live, 5);
  bus_close(&bus);
}

static void test_removal_during_dispatch(void) {
  bus_t bus;
  bus_init(&bus, NULL);
  the_bus = &bus;
  bus_subscribe(&bus, "x", NULL, NULL, remove_victim, "R");
  victim = bus_subscribe(&bus, "x", NULL, NULL, note, "V");
  bus_subscribe(&bus, "x", NULL, NULL, remove_self, "S");
  bus_subscribe(&bus, "x", NULL, NULL, note, "T");
  trace[0] = '\0';
  bus_dispatch(&bus, &(bus_event_t){.name = "x"});
  /* V removed before its turn; N added during dispatch does not see x. */
  CHECK_STR(trace, "RST");
  CHECK_INT(bus.live, 3); /* R, T, N */
  trace[0] = '\0';
  victim = bus_subscribe(&bus, "y", NULL, NULL, note, "Y");
  bus_dispatch(&bus, &(bus_event_t){.name = "x"});
  CHECK_STR(trace, "RTN");
  bus_close(&bus);
}

static void test_queue(void) {
  struct ev_loop *loop = ev_loop_new(EVFLAG_AUTO);
  bus_t bus;
  bus_init(&bus, loop);
  the_bus = &bus;
  bus_subscribe(&bus, "q", NULL, NULL, repost, "q");
  trace[0] = '\0';
  released = 0;
  bus_post(&bus, &(bus_event_t){.name = "q", .payload = (void *)(intptr_t)1}, release,
           NULL);
  CHECK_STR(trace, ""); /* nothing runs inside post */
  ev_run(loop, 0);      /* the idle watcher drains, then the loop has no work */
  CHECK_STR(trace, "qqqq");
  CHECK_INT(released, 4);
  CHECK_INT(bus.delivered, 4);
  /* Events still queued at close are released, not leaked. */
  bus_post(&bus, &(bus_event_t){.name = "q", .payload = (void *)(intptr_t)10}, release,
           NULL);
  bus_close(&bus);
  CHECK_INT(released, 14);
  ev_loop_destroy(loop);
}

int main(void) {
  test_filters();
  test_removal_during_dispatch();
  test_queue();
  return check_done("bus");
}
