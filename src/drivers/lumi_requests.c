/* Requests to the gateway: one in flight at a time (gateways answer out of
 * order when pressed, PROTOCOLS §6.6), matched by reply command and sid,
 * one retry on silence; keyed writes with a token refresh and one retry on
 * "Invalid key". */
#include "drivers/lumi_internal.h"

#include "core/log.h"
#include "core/mem.h"
#include "core/timer.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define WHERE "lumi"
#define MAX_TRIES 2
#define INVALID_KEY_MSG                                                                  \
  "gateway rejected the key: check the password set in the Mi Home app's LAN mode"

static void on_timeout(struct ev_loop *loop, ev_timer *w, int revents);

request_t *lumi_req_new(req_kind_t kind, const char *sid) {
  request_t *r = mem_calloc(1, sizeof *r);
  r->kind = kind;
  snprintf(r->sid, sizeof r->sid, "%s", sid ? sid : "");
  return r;
}

static void req_free(request_t *r) {
  for (size_t i = 0; i < r->nvalues; i++) {
    free((char *)r->values[i].key);
    free((char *)r->values[i].str);
  }
  free(r->values);
  free(r);
}

void lumi_req_push(lumi_gw_t *gw, request_t *r) {
  r->deadline = timer_now() + 2 * MAX_TRIES * gw->cfg.timeout + 10;
  if (gw->queue_tail)
    gw->queue_tail->next = r;
  else
    gw->queue = r;
  gw->queue_tail = r;
  lumi_req_start(gw);
}

/* Puts r at the head of the queue, before the one in flight (which is
 * then sent again once r is done). */
static void push_front(lumi_gw_t *gw, request_t *r) {
  r->deadline = timer_now() + 2 * MAX_TRIES * gw->cfg.timeout + 10;
  r->next = gw->queue;
  gw->queue = r;
  if (!gw->queue_tail) gw->queue_tail = r;
  gw->in_flight = 0;
  ev_timer_stop(gw->eng->loop, &gw->req_timer);
}

static request_t *pop(lumi_gw_t *gw) {
  request_t *r = gw->queue;
  if (!r) return NULL;
  gw->queue = r->next;
  if (!gw->queue) gw->queue_tail = NULL;
  gw->in_flight = 0;
  ev_timer_stop(gw->eng->loop, &gw->req_timer);
  return r;
}

static void finish(lumi_gw_t *gw, request_t *r, const char *err, const value_t *v,
                   size_t n) {
  if (r->done)
    r->done(r->arg, err, v, n);
  else if (err && r->kind == REQ_WRITE)
    log_error(WHERE, "write to %s failed: %s", r->sid, err);
  if (err && r->kind == REQ_LIST && !gw->ready) {
    /* Not ready without a list: ask again later (on_tick). */
    log_warn(WHERE,
             "gateway %s did not send its device list (%s): asking again in %.0f s; "
             "devices that report meanwhile are added as they do",
             gw->sid, err, LUMI_LIST_RETRY);
    gw->list_failed_at = timer_now();
  }
  req_free(r);
}

/* Turns the request into its datagram; 0 on success. */
static int build(lumi_gw_t *gw, request_t *r) {
  lumi_msg_t *m = &gw->out;
  switch (r->kind) {
  case REQ_LIST:
  case REQ_TOKEN:
    lumi_msg_init(m, gw->proto == 2 ? LUMI_CMD_DISCOVERY : LUMI_CMD_GET_ID_LIST);
    r->expect = gw->proto == 2 ? LUMI_CMD_DISCOVERY_RSP : LUMI_CMD_GET_ID_LIST_ACK;
    break;
  case REQ_READ:
    lumi_msg_init(m, LUMI_CMD_READ);
    m->sid = r->sid;
    r->expect = LUMI_CMD_READ_ACK;
    break;
  case REQ_WRITE: {
    static char key[LUMI_KEY_HEX_LEN + 1];
    if (lumi_compute_key(gw->password, gw->token, key) != 0) return -1;
    lumi_msg_init(m, LUMI_CMD_WRITE);
    m->sid = r->sid;
    m->key = key;
    for (size_t i = 0; i < r->nvalues && i < LUMI_MAX_ATTRS; i++) {
      const value_t *v = &r->values[i];
      lumi_attr_t *a = &m->attrs[m->nattrs++];
      a->key = v->key;
      a->str = v->str;
      a->num = v->num;
      a->type = v->type == VALUE_STRING   ? LUMI_VAL_STRING
                : v->type == VALUE_NUMBER ? LUMI_VAL_NUMBER
                : v->type == VALUE_BOOL   ? LUMI_VAL_BOOL
                : v->type == VALUE_JSON   ? LUMI_VAL_JSON
                                          : LUMI_VAL_NULL;
    }
    r->expect = LUMI_CMD_WRITE_ACK;
    break;
  }
  case REQ_READY:
    return 0;
  }
  m->proto = gw->proto ? gw->proto : 1;
  return lumi_gw_send(gw, m, 0);
}

void lumi_req_start(lumi_gw_t *gw) {
  double now = timer_now();
  while (gw->queue && !gw->in_flight) {
    request_t *r = gw->queue;
    if (!gw->have_addr || !gw->proto) {
      /* Nothing can be sent before the gateway is found; give up on what
       * has waited too long. */
      if (now < r->deadline) return;
      finish(gw, pop(gw),
             "gateway not found: is its LAN mode on, and are ip=/interface= right?", NULL,
             0);
      continue;
    }
    if (r->kind == REQ_READY) {
      pop(gw);
      req_free(r);
      if (!gw->ready) {
        gw->ready = 1;
        log_info(WHERE, "gateway %s ready", gw->sid);
        if (gw->on_ready) gw->on_ready(gw, gw->on_ready_arg);
        if (gw->self) lumi_gw_emit(gw, gw->self, "ready", NULL, 0);
      }
      continue;
    }
    if (r->kind == REQ_WRITE && !gw->token[0]) {
      /* No token yet (no heartbeat seen): fetch one first. */
      push_front(gw, lumi_req_new(REQ_TOKEN, gw->sid));
      continue;
    }
    if (build(gw, r) != 0) {
      finish(gw, pop(gw), "cannot build the request", NULL, 0);
      continue;
    }
    r->tries++;
    gw->in_flight = 1;
    ev_timer_init(&gw->req_timer, on_timeout, gw->cfg.timeout, 0);
    gw->req_timer.data = gw;
    ev_timer_start(gw->eng->loop, &gw->req_timer);
  }
}

static void on_timeout(struct ev_loop *loop, ev_timer *w, int revents) {
  (void)loop;
  (void)revents;
  lumi_gw_t *gw = w->data;
  request_t *r = gw->queue;
  gw->in_flight = 0;
  if (!r) return;
  if (r->tries < MAX_TRIES) {
    log_debug(WHERE, "no reply to %s %s: sending again",
              r->kind == REQ_WRITE ? "write" : "request", r->sid);
    lumi_req_start(gw);
    return;
  }
  char err[160];
  snprintf(err, sizeof err, "no reply from gateway %s after %d tries of %.1f s", gw->sid,
           r->tries, gw->cfg.timeout);
  finish(gw, pop(gw), err, NULL, 0);
  lumi_req_start(gw);
}

int lumi_req_reply(lumi_gw_t *gw, lumi_msg_t *m) {
  request_t *r = gw->queue;
  if (!r || !gw->in_flight) return 0;
  int generic_error = m->cmd == LUMI_CMD_SERVER_ACK && *m->error;
  int match = m->cmd == r->expect ||
              ((r->kind == REQ_LIST || r->kind == REQ_TOKEN) &&
               (m->cmd == LUMI_CMD_GET_ID_LIST_ACK || m->cmd == LUMI_CMD_DISCOVERY_RSP));
  /* Replies name the device they are about; a stale reply for another sid
   * is not ours. */
  if (match && (r->kind == REQ_READ || r->kind == REQ_WRITE) &&
      strcmp(m->sid, r->sid) != 0 && !*m->error)
    match = 0;
  if (!match && !generic_error) return 0;

  if (r->kind == REQ_WRITE && strstr(m->error, "Invalid key")) {
    if (r->key_retries == 0) {
      /* The token may be stale (a lost heartbeat): fetch a fresh one and
       * try once more. */
      r->key_retries++;
      r->tries = 0;
      log_debug(WHERE,
                "gateway said Invalid key: refreshing the token and retrying once");
      gw->token[0] = '\0';
      push_front(gw, lumi_req_new(REQ_TOKEN, gw->sid));
      lumi_req_start(gw);
      return 1;
    }
    finish(gw, pop(gw), INVALID_KEY_MSG, NULL, 0);
    lumi_req_start(gw);
    return 1;
  }
  if (*m->error) {
    char err[200];
    snprintf(err, sizeof err, "gateway answered: %s", m->error);
    finish(gw, pop(gw), err, NULL, 0);
    lumi_req_start(gw);
    return 1;
  }

  r = pop(gw);
  switch (r->kind) {
  case REQ_LIST:
    lumi_gw_list_loaded(gw, m);
    finish(gw, r, NULL, NULL, 0);
    break;
  case REQ_TOKEN:
    if (strlen(m->token) == LUMI_TOKEN_LEN)
      snprintf(gw->token, sizeof gw->token, "%s", m->token);
    finish(gw, r, NULL, NULL, 0);
    break;
  case REQ_READ:
  case REQ_WRITE: {
    if (r->kind == REQ_READ) {
      if (*m->proto_version && r->sid[0] && strcmp(r->sid, gw->sid) == 0)
        gw->proto = m->proto_version[0] == '2' ? 2 : gw->proto;
      lumi_gw_apply(gw, m, 1);
    } else {
      lumi_normalize(m, lumi_kind_of(m->model));
    }
    value_t values[LUMI_MAX_ATTRS];
    size_t n = lumi_gw_values(m, values, LUMI_MAX_ATTRS);
    finish(gw, r, NULL, values, n);
    break;
  }
  case REQ_READY:
    finish(gw, r, NULL, NULL, 0);
    break;
  }
  lumi_req_start(gw);
  return 1;
}

void lumi_req_fail_all(lumi_gw_t *gw, const char *err) {
  while (gw->queue) finish(gw, pop(gw), err, NULL, 0);
}

/* ---- the device operations the registry hands to bindings ---- */

static int dev_read(device_t *dev, device_done_fn done, void *arg) {
  lumi_gw_t *gw = dev->driver;
  request_t *r = lumi_req_new(REQ_READ, dev->id);
  r->done = done;
  r->arg = arg;
  lumi_req_push(gw, r);
  return 0;
}

/* Normalised names back to what the gateway speaks: a v2 plug switches
 * with channel_0, a v1 plug with status. */
static const char *wire_key(const lumi_gw_t *gw, const device_t *dev, const char *key) {
  if (gw->proto == 2 && strcmp(key, "status") == 0 &&
      lumi_kind_of(dev->model ? dev->model : "") == LUMI_KIND_PLUG)
    return "channel_0";
  return key;
}

static int dev_write(device_t *dev, const value_t *values, size_t n, device_done_fn done,
                     void *arg) {
  return lumi_gw_write(dev->driver, dev, values, n, done, arg);
}

int lumi_gw_write(lumi_gw_t *gw, device_t *dev, const value_t *values, size_t n,
                  device_done_fn done, void *arg) {
  if (!gw->password) return -1;
  /* (While replaying a capture nothing is found to send to: the request
   * fails after its deadline with "gateway not found".) */
  request_t *r = lumi_req_new(REQ_WRITE, dev->id);
  r->values = mem_calloc(n ? n : 1, sizeof *r->values);
  for (size_t i = 0; i < n; i++) {
    r->values[i] = values[i];
    r->values[i].key = mem_strdup(wire_key(gw, dev, values[i].key));
    r->values[i].str = values[i].str ? mem_strdup(values[i].str) : NULL;
  }
  r->nvalues = n;
  r->done = done;
  r->arg = arg;
  lumi_req_push(gw, r);
  return 0;
}

const device_ops_t lumi_device_ops = {
    .protocol = "lumi",
    .read = dev_read,
    .write = dev_write,
};
