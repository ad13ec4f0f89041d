/* libFuzzer harness for src/proto/lumi*.c: any bytes may arrive on UDP 9898.
 * A datagram that parses must keep its strings inside msg->text, must
 * normalise and yield events for every kind, and must survive being built
 * in proto 1 and 2 and parsed again with its cmd, sid, model, attribute
 * keys, key, error and device sids intact. A broken promise calls abort(). */
#include "proto/lumi.h"

#include "require.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define OUT_CAP (1u << 20)

static int same(const char *a, const char *b) {
  return strcmp(a ? a : "", b ? b : "") == 0;
}

/* A parsed string is "" (static) or lies, NUL included, inside msg->text. */
static void check_str(const lumi_msg_t *msg, const char *s) {
  REQUIRE(s != NULL);
  if (!*s) return;
  const char *lo = msg->text, *hi = msg->text + sizeof msg->text;
  REQUIRE(s >= lo && s < hi);
  REQUIRE(memchr(s, '\0', (size_t)(hi - s)) != NULL);
}

static void check_parsed(const lumi_msg_t *msg) {
  REQUIRE(msg->proto >= 0 && msg->proto <= 2);
  REQUIRE(msg->nattrs >= 0 && msg->nattrs <= LUMI_MAX_ATTRS && msg->dropped_attrs >= 0);
  REQUIRE(msg->ndevices >= 0 && msg->ndevices <= LUMI_MAX_DEVICES);
  REQUIRE(msg->dropped_devices >= 0);
  REQUIRE(msg->short_id >= -1 && msg->port >= -1 && msg->port <= 65535);
  const char *fields[] = {msg->cmd_name, msg->sid,           msg->model, msg->token,
                          msg->ip,       msg->proto_version, msg->key,   msg->error};
  for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++) check_str(msg, fields[i]);
  REQUIRE(strlen(msg->sid) <= LUMI_SID_MAX && strlen(msg->model) <= LUMI_MODEL_MAX);
  for (int i = 0; i < msg->nattrs; i++) {
    const lumi_attr_t *a = &msg->attrs[i];
    check_str(msg, a->key);
    REQUIRE(strcmp(a->key, "key") != 0 && strcmp(a->key, "error") != 0);
    if (a->type == LUMI_VAL_STRING || a->type == LUMI_VAL_JSON) check_str(msg, a->str);
    REQUIRE(lumi_attr_find(msg, a->key) != NULL);
  }
  for (int i = 0; i < msg->ndevices; i++) {
    check_str(msg, msg->devices[i].sid);
    check_str(msg, msg->devices[i].model);
  }
}

/* Bytes of msg->text that parsing what lumi_build makes of msg may take:
 * every string once, NUL included (an over-estimate is harmless). */
static size_t text_need(const lumi_msg_t *msg) {
  size_t n = 0;
  const char *fields[] = {msg->cmd_name, msg->sid,           msg->model, msg->token,
                          msg->ip,       msg->proto_version, msg->key,   msg->error};
  for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++)
    n += strlen(fields[i]) + 1;
  for (int i = 0; i < msg->nattrs; i++) {
    n += strlen(msg->attrs[i].key) + 1;
    if (msg->attrs[i].str) n += strlen(msg->attrs[i].str) + 1;
  }
  for (int i = 0; i < msg->ndevices; i++)
    n += strlen(msg->devices[i].sid) + strlen(msg->devices[i].model) + 2;
  return n;
}

/* Builds msg in `proto` and parses the result back into *again. */
static void roundtrip(const lumi_msg_t *in, int proto, char *out, lumi_msg_t *again) {
  lumi_msg_t msg = *in; /* its pointers still point into in's text */
  msg.proto = proto;
  int n = lumi_build(&msg, out, OUT_CAP);
  REQUIRE(n > 0 && (size_t)n < OUT_CAP && out[n] == '\0' && strlen(out) == (size_t)n);
  int rc = lumi_parse(out, (size_t)n, again);
  if (rc == LUMI_ETOOBIG && (n > LUMI_MAX_DATAGRAM || text_need(&msg) > sizeof msg.text))
    return;
  if (rc != LUMI_OK) fprintf(stderr, "fuzz_lumi: rc %d re-parsing %s\n", rc, out);
  REQUIRE(rc == LUMI_OK);
  check_parsed(again);
  REQUIRE(again->cmd == msg.cmd);
  if (msg.cmd == LUMI_CMD_UNKNOWN) REQUIRE(same(again->cmd_name, msg.cmd_name));
  REQUIRE(same(again->sid, msg.sid) && same(again->model, msg.model));
  REQUIRE(same(again->token, msg.token) && same(again->ip, msg.ip));
  REQUIRE(same(again->key, msg.key) && same(again->error, msg.error));
  REQUIRE(same(again->proto_version, msg.proto_version));
  REQUIRE(again->short_id == msg.short_id && again->port == msg.port);
  REQUIRE(again->nattrs == msg.nattrs && again->dropped_attrs == 0);
  for (int i = 0; i < msg.nattrs; i++) {
    const lumi_attr_t *a = &msg.attrs[i], *b = &again->attrs[i];
    REQUIRE(strcmp(a->key, b->key) == 0);
    if (a->type == LUMI_VAL_STRING || a->type == LUMI_VAL_JSON) {
      REQUIRE(b->type == a->type && same(a->str, b->str));
    } else if (a->type == LUMI_VAL_BOOL || a->type == LUMI_VAL_NULL) {
      REQUIRE(b->type == a->type);
    }
  }
  REQUIRE(again->ndevices == msg.ndevices);
  for (int i = 0; i < msg.ndevices; i++)
    REQUIRE(same(again->devices[i].sid, msg.devices[i].sid));
}

static void check_events(const lumi_msg_t *msg, lumi_kind_t kind) {
  lumi_event_t ev[LUMI_MAX_ATTRS + 1];
  int n = lumi_events(msg, kind, ev, LUMI_MAX_ATTRS + 1);
  REQUIRE(n >= 0 && n <= msg->nattrs);
  for (int i = 0; i < n; i++) {
    REQUIRE(ev[i].name && *ev[i].name);
    REQUIRE(ev[i].attr >= 0 && ev[i].attr < msg->nattrs);
    REQUIRE(i == 0 || ev[i].attr > ev[i - 1].attr);
    REQUIRE(ev[i].channel >= -1 && ev[i].channel <= 9);
  }
  if (n > 0) REQUIRE(lumi_events(msg, kind, ev, n - 1) == n - 1);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  lumi_msg_t *msg = malloc(sizeof *msg), *work = malloc(sizeof *work);
  lumi_msg_t *again = malloc(sizeof *again);
  char *out = malloc(OUT_CAP);
  REQUIRE(msg && work && again && out);

  int rc = lumi_parse((const char *)data, size, msg);
  REQUIRE(rc <= LUMI_OK && rc >= LUMI_ETOOBIG);
  REQUIRE(*lumi_strerror(rc));
  if (rc == LUMI_OK) {
    check_parsed(msg);
    (void)lumi_kind_of(msg->model);
    roundtrip(msg, 1, out, again);
    roundtrip(msg, 2, out, again);
    for (int k = 0; k < LUMI_KIND_COUNT; k++) {
      *work = *msg;
      lumi_normalize(work, (lumi_kind_t)k);
      REQUIRE(work->nattrs >= 0 && work->nattrs <= msg->nattrs);
      REQUIRE(*lumi_kind_name((lumi_kind_t)k));
      check_events(work, (lumi_kind_t)k);
      roundtrip(work, 1, out, again);
      roundtrip(work, 2, out, again);
    }
  }
  free(out);
  free(again);
  free(work);
  free(msg);
  return 0;
}
