/* lumi_msg_equal: see lumi_equal.h. */
#include "lumi_equal.h"

#include <stdio.h>
#include <string.h>

typedef struct {
  char *why;
  size_t whylen;
} report_t;

/* Describes a mismatch of the field `name` (printf-style, with index i)
 * and returns 0. */
static int differ(report_t *r, const char *name, int i, const char *a, const char *b) {
  char field[64];
  snprintf(field, sizeof field, name, i);
  if (r->why && r->whylen) snprintf(r->why, r->whylen, "%s: %s vs %s", field, a, b);
  return 0;
}

static int same_str(report_t *r, const char *name, int i, const char *a, const char *b) {
  char qa[128], qb[128];
  if (a && b ? strcmp(a, b) == 0 : a == b) return 1;
  snprintf(qa, sizeof qa, a ? "\"%s\"" : "%s", a ? a : "NULL");
  snprintf(qb, sizeof qb, b ? "\"%s\"" : "%s", b ? b : "NULL");
  return differ(r, name, i, qa, qb);
}

static int same_long(report_t *r, const char *name, int i, long a, long b) {
  char sa[24], sb[24];
  if (a == b) return 1;
  snprintf(sa, sizeof sa, "%ld", a);
  snprintf(sb, sizeof sb, "%ld", b);
  return differ(r, name, i, sa, sb);
}

/* Bitwise, so that 0.0 and -0.0 differ and a NaN equals itself. */
static int same_double(report_t *r, const char *name, int i, double a, double b) {
  char sa[32], sb[32];
  if (memcmp(&a, &b, sizeof a) == 0) return 1;
  snprintf(sa, sizeof sa, "%.17g", a);
  snprintf(sb, sizeof sb, "%.17g", b);
  return differ(r, name, i, sa, sb);
}

int lumi_msg_equal(const lumi_msg_t *a, const lumi_msg_t *b, char *why, size_t whylen) {
  report_t r = {why, whylen};
  if (why && whylen) why[0] = '\0';
  if (!same_long(&r, "cmd", 0, a->cmd, b->cmd) ||
      !same_str(&r, "cmd_name", 0, a->cmd_name, b->cmd_name) ||
      !same_long(&r, "proto", 0, a->proto, b->proto) ||
      !same_str(&r, "sid", 0, a->sid, b->sid) ||
      !same_str(&r, "model", 0, a->model, b->model) ||
      !same_long(&r, "short_id", 0, a->short_id, b->short_id) ||
      !same_str(&r, "token", 0, a->token, b->token) ||
      !same_str(&r, "ip", 0, a->ip, b->ip) ||
      !same_long(&r, "port", 0, a->port, b->port) ||
      !same_str(&r, "proto_version", 0, a->proto_version, b->proto_version) ||
      !same_str(&r, "key", 0, a->key, b->key) ||
      !same_str(&r, "error", 0, a->error, b->error) ||
      !same_long(&r, "nattrs", 0, a->nattrs, b->nattrs) ||
      !same_long(&r, "dropped_attrs", 0, a->dropped_attrs, b->dropped_attrs) ||
      !same_long(&r, "ndevices", 0, a->ndevices, b->ndevices) ||
      !same_long(&r, "dropped_devices", 0, a->dropped_devices, b->dropped_devices))
    return 0;
  /* Only key, type, str and num: lumi_attr_t may carry more (an id set by
   * lumi_normalize) that parsing leaves undefined. */
  for (int i = 0; i < a->nattrs && i < LUMI_MAX_ATTRS; i++) {
    const lumi_attr_t *x = &a->attrs[i], *y = &b->attrs[i];
    if (!same_str(&r, "attrs[%d].key", i, x->key, y->key) ||
        !same_long(&r, "attrs[%d].type", i, x->type, y->type) ||
        !same_str(&r, "attrs[%d].str", i, x->str, y->str) ||
        !same_double(&r, "attrs[%d].num", i, x->num, y->num))
      return 0;
  }
  for (int i = 0; i < a->ndevices && i < LUMI_MAX_DEVICES; i++) {
    const lumi_dev_entry_t *x = &a->devices[i], *y = &b->devices[i];
    if (!same_str(&r, "devices[%d].sid", i, x->sid, y->sid) ||
        !same_str(&r, "devices[%d].model", i, x->model, y->model))
      return 0;
  }
  return 1;
}
