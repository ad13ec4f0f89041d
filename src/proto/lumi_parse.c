/* Lumi gateway datagrams to lumi_msg_t. lumi_parse tries the flat scanner
 * (lumi_flat.c) first; what it does not take comes here: cJSON, one walk
 * over the top-level object, a second parse of a v1 `data` string, every
 * string copied into msg->text. */
#include "proto/lumi.h"
#include "proto/lumi_parse_internal.h"

#include "core/mem.h"

#include <assert.h>
#include <cjson/cJSON.h>
#include <stdlib.h>
#include <stddef.h>
#include <string.h>

static const struct {
  const char *name;
  lumi_cmd_t cmd;
} cmd_names[] = {
    /* what gateways send most, first: lumi_cmd_lookup runs per datagram */
    {"report", LUMI_CMD_REPORT},
    {"heartbeat", LUMI_CMD_HEARTBEAT},
    {"read_ack", LUMI_CMD_READ_ACK},
    {"write_ack", LUMI_CMD_WRITE_ACK},
    {"whois", LUMI_CMD_WHOIS},
    {"iam", LUMI_CMD_IAM},
    {"get_id_list", LUMI_CMD_GET_ID_LIST},
    {"get_id_list_ack", LUMI_CMD_GET_ID_LIST_ACK},
    {"discovery", LUMI_CMD_DISCOVERY},
    {"discovery_rsp", LUMI_CMD_DISCOVERY_RSP},
    {"read", LUMI_CMD_READ},
    {"read_rsp", LUMI_CMD_READ_ACK},
    {"write", LUMI_CMD_WRITE},
    {"write_rsp", LUMI_CMD_WRITE_ACK},
    {"server_ack", LUMI_CMD_SERVER_ACK},
};
#define NCMDS (sizeof cmd_names / sizeof cmd_names[0])

/* The names are distinct, so the first match is the only one (and the
 * order of the table is free). Comparing first bytes before calling strcmp
 * keeps this cheap on the fast path. */
lumi_cmd_t lumi_cmd_lookup(const char *name) {
  for (size_t i = 0; i < NCMDS; i++)
    if (cmd_names[i].name[0] == name[0] && strcmp(name, cmd_names[i].name) == 0)
      return cmd_names[i].cmd;
  return LUMI_CMD_UNKNOWN;
}

const char *lumi_cmd_name(lumi_cmd_t cmd, int proto) {
  if (cmd == LUMI_CMD_UNKNOWN) return ""; /* every parse starts so: skip the search */
  if (cmd == LUMI_CMD_READ_ACK) return proto == 2 ? "read_rsp" : "read_ack";
  if (cmd == LUMI_CMD_WRITE_ACK) return proto == 2 ? "write_rsp" : "write_ack";
  for (size_t i = 0; i < NCMDS; i++)
    if (cmd_names[i].cmd == cmd) return cmd_names[i].name;
  return "";
}

void lumi_msg_init(lumi_msg_t *msg, lumi_cmd_t cmd) {
  /* Only the header is cleared: attrs, devices and text are valid up to
   * their counts, and clearing all 14 KB per datagram was a third of the
   * receive path's instructions. */
  memset(msg, 0, offsetof(lumi_msg_t, attrs));
  msg->nattrs = msg->dropped_attrs = msg->ndevices = msg->dropped_devices = 0;
  msg->cmd = cmd;
  msg->cmd_name = lumi_cmd_name(cmd, 1);
  msg->sid = msg->model = msg->token = msg->ip = "";
  msg->proto_version = msg->key = msg->error = "";
  msg->short_id = -1;
  msg->port = -1;
}

const lumi_attr_t *lumi_attr_find(const lumi_msg_t *msg, const char *key) {
  for (int i = 0; i < msg->nattrs; i++)
    if (msg->attrs[i].key && strcmp(msg->attrs[i].key, key) == 0) return &msg->attrs[i];
  return NULL;
}

const char *lumi_strerror(int status) {
  switch (status) {
  case LUMI_OK:
    return "ok";
  case LUMI_ETRUNCATED:
    return "truncated JSON";
  case LUMI_EJSON:
    return "not a JSON object";
  case LUMI_ENOCMD:
    return "no \"cmd\"";
  case LUMI_ETYPE:
    return "a field has the wrong type";
  case LUMI_EDATA:
    return "\"data\" is not a JSON object or array";
  case LUMI_ETOOBIG:
    return "datagram or strings too big";
  case LUMI_ESPACE:
    return "output buffer too small";
  }
  return "unknown lumi error";
}

/* ---- Truncation: is the text a proper prefix of a JSON value? ---------- */

/* Only consulted when cJSON has refused the text, to tell a datagram cut
 * short (every byte so far fits the grammar, the input just ended) from
 * garbage. Whitespace is what cJSON skips (every byte 1..32). */
enum { SCAN_OK, SCAN_MORE, SCAN_BAD };

typedef struct {
  const char *p, *end;
} scan_t;

static void scan_ws(scan_t *s) {
  while (s->p < s->end && (unsigned char)*s->p <= 32) s->p++;
}

static int is_digit(char c) {
  return c >= '0' && c <= '9';
}

static int scan_string(scan_t *s) {
  if (*s->p != '"') return SCAN_BAD;
  for (s->p++; s->p < s->end; s->p++) {
    if (*s->p == '"') {
      s->p++;
      return SCAN_OK;
    }
    if (*s->p != '\\') continue;
    if (++s->p == s->end) return SCAN_MORE;
    if (*s->p == 'u') {
      for (int i = 0; i < 4; i++) {
        if (++s->p == s->end) return SCAN_MORE;
        if (!strchr("0123456789abcdefABCDEF", *s->p)) return SCAN_BAD;
      }
    } else if (!strchr("\"\\/bfnrt", *s->p)) {
      return SCAN_BAD;
    }
  }
  return SCAN_MORE;
}

/* -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)? */
static int scan_number(scan_t *s) {
  const char *p = s->p, *e = s->end;
  if (*p == '-' && ++p == e) return SCAN_MORE;
  if (!is_digit(*p)) return SCAN_BAD;
  if (*p == '0')
    p++;
  else
    while (p < e && is_digit(*p)) p++;
  if (p < e && *p == '.') {
    if (++p == e) return SCAN_MORE;
    if (!is_digit(*p)) return SCAN_BAD;
    while (p < e && is_digit(*p)) p++;
  }
  if (p < e && (*p == 'e' || *p == 'E')) {
    if (++p < e && (*p == '+' || *p == '-')) p++;
    if (p == e) return SCAN_MORE;
    if (!is_digit(*p)) return SCAN_BAD;
    while (p < e && is_digit(*p)) p++;
  }
  s->p = p;
  return p == e ? SCAN_MORE : SCAN_OK; /* digits may go on */
}

static int scan_value(scan_t *s, int depth);

/* An object or array after its opening bracket. */
static int scan_container(scan_t *s, char close, int depth) {
  s->p++;
  scan_ws(s);
  if (s->p == s->end) return SCAN_MORE;
  if (*s->p == close) {
    s->p++;
    return SCAN_OK;
  }
  for (;;) {
    int rc;
    if (close == '}') {
      if ((rc = scan_string(s)) != SCAN_OK) return rc;
      scan_ws(s);
      if (s->p == s->end) return SCAN_MORE;
      if (*s->p++ != ':') return SCAN_BAD;
    }
    if ((rc = scan_value(s, depth + 1)) != SCAN_OK) return rc;
    scan_ws(s);
    if (s->p == s->end) return SCAN_MORE;
    if (*s->p == close) {
      s->p++;
      return SCAN_OK;
    }
    if (*s->p++ != ',') return SCAN_BAD;
    scan_ws(s);
    if (s->p == s->end) return SCAN_MORE;
  }
}

static int scan_value(scan_t *s, int depth) {
  static const char *const words[] = {"true", "false", "null"};
  if (depth > CJSON_NESTING_LIMIT) return SCAN_BAD;
  scan_ws(s);
  if (s->p == s->end) return SCAN_MORE;
  switch (*s->p) {
  case '{':
    return scan_container(s, '}', depth);
  case '[':
    return scan_container(s, ']', depth);
  case '"':
    return scan_string(s);
  }
  for (int i = 0; i < 3; i++) {
    if (*s->p != words[i][0]) continue;
    for (const char *w = words[i]; *w; w++, s->p++) {
      if (s->p == s->end) return SCAN_MORE;
      if (*s->p != *w) return SCAN_BAD;
    }
    return SCAN_OK;
  }
  return scan_number(s);
}

/* The status for text cJSON refused: a cut object is LUMI_ETRUNCATED,
 * anything else (including a cut array or string) LUMI_EJSON. */
static int refused(const char *buf, size_t len) {
  scan_t s = {buf, buf + len};
  scan_ws(&s);
  if (s.p == s.end) return LUMI_ETRUNCATED;
  if (*s.p != '{') return LUMI_EJSON;
  return scan_value(&s, 0) == SCAN_MORE ? LUMI_ETRUNCATED : LUMI_EJSON;
}

/* ---- The walk ---------------------------------------------------------- */

typedef struct {
  lumi_msg_t *msg;
  size_t used; /* bytes of msg->text taken */
  int v1, v2;  /* saw data / saw params or dev_list */
} parser_t;

/* Copies n bytes and a NUL into msg->text; NULL when they do not fit. */
static const char *put(parser_t *p, const char *s, size_t n) {
  if (n >= sizeof p->msg->text - p->used) return NULL;
  char *d = p->msg->text + p->used;
  memcpy(d, s, n);
  d[n] = '\0';
  p->used += n + 1;
  return d;
}

static int is_space(char c) {
  return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* Narrows s[0..*n) to its part without leading/trailing spaces. */
static const char *trim(const char *s, size_t *n) {
  while (*n && is_space(*s)) s++, (*n)--;
  while (*n && is_space(s[*n - 1])) (*n)--;
  return s;
}

/* Copies a string member into *dst: LUMI_ETYPE if it is not a string,
 * LUMI_ETOOBIG if longer than max (0: any length) or out of text space. */
static int put_string(parser_t *p, const cJSON *it, const char **dst, size_t max,
                      int trimmed) {
  if (!cJSON_IsString(it)) return LUMI_ETYPE;
  size_t n = strlen(it->valuestring);
  const char *s = trimmed ? trim(it->valuestring, &n) : it->valuestring;
  if (max && n > max) return LUMI_ETOOBIG;
  if (!(*dst = put(p, s, n))) return LUMI_ETOOBIG;
  return LUMI_OK;
}

/* Copies the compact JSON text of a nested value. */
static const char *put_json(parser_t *p, const cJSON *it) {
  char *s = cJSON_PrintUnformatted(it);
  if (!s) abort(); /* out of memory */
  const char *d = put(p, s, strlen(s));
  cJSON_free(s);
  return d;
}

/* A whole number in [0, max], as a JSON number or a decimal string (the
 * gateway heartbeat sends "short_id":"0"); -1 otherwise. */
static long whole(const cJSON *it, long max) {
  if (cJSON_IsNumber(it)) {
    double d = it->valuedouble;
    return d >= 0 && d <= (double)max && d == (double)(long)d ? (long)d : -1;
  }
  if (!cJSON_IsString(it)) return -1;
  const char *s = it->valuestring;
  long v = 0;
  if (!*s) return -1;
  for (; *s; s++) {
    if (!is_digit(*s) || v > (max - (*s - '0')) / 10) return -1;
    v = v * 10 + (*s - '0');
  }
  return v;
}

/* Whether a value nests more than `levels` objects/arrays deep. Real
 * attributes are flat; a very deep one could not be sent on in the other
 * proto's form without passing cJSON's nesting limit. */
static int too_deep(const cJSON *it, int levels) {
  if (!cJSON_IsObject(it) && !cJSON_IsArray(it)) return 0;
  if (levels == 0) return 1;
  for (const cJSON *c = it->child; c; c = c->next)
    if (too_deep(c, levels - 1)) return 1;
  return 0;
}

/* One member of data or of a params element: `error` and `key` go to the
 * message, anything else becomes an attribute (or is counted as dropped). */
static int member(parser_t *p, const cJSON *it) {
  lumi_msg_t *msg = p->msg;
  size_t n = strlen(it->string);
  const char *k = trim(it->string, &n);
  if (n == 5 && memcmp(k, "error", 5) == 0) {
    if (cJSON_IsString(it)) return put_string(p, it, &msg->error, 0, 0);
    return (msg->error = put_json(p, it)) ? LUMI_OK : LUMI_ETOOBIG;
  }
  if (n == 3 && memcmp(k, "key", 3) == 0) return put_string(p, it, &msg->key, 0, 0);
  if (msg->nattrs == LUMI_MAX_ATTRS || too_deep(it, LUMI_MAX_DEPTH)) {
    msg->dropped_attrs++;
    return LUMI_OK;
  }
  lumi_attr_t *a = &msg->attrs[msg->nattrs];
  memset(a, 0, sizeof *a);
  if (!(a->key = put(p, k, n))) return LUMI_ETOOBIG;
  if (cJSON_IsString(it)) {
    a->type = LUMI_VAL_STRING;
    if (!(a->str = put(p, it->valuestring, strlen(it->valuestring)))) return LUMI_ETOOBIG;
  } else if (cJSON_IsNumber(it)) {
    a->type = LUMI_VAL_NUMBER;
    a->num = it->valuedouble;
  } else if (cJSON_IsBool(it)) {
    a->type = LUMI_VAL_BOOL;
    a->num = cJSON_IsTrue(it) ? 1 : 0;
  } else if (cJSON_IsNull(it)) {
    a->type = LUMI_VAL_NULL;
  } else {
    a->type = LUMI_VAL_JSON;
    if (!(a->str = put_json(p, it))) return LUMI_ETOOBIG;
  }
  msg->nattrs++;
  return LUMI_OK;
}

static int members(parser_t *p, const cJSON *obj) {
  for (const cJSON *it = obj->child; it; it = it->next) {
    int rc = member(p, it);
    if (rc) return rc;
  }
  return LUMI_OK;
}

/* Appends a device; entries with overlong names are counted as dropped. */
static int device(parser_t *p, const char *sid, const char *model) {
  lumi_msg_t *msg = p->msg;
  size_t ns = strlen(sid), nm = strlen(model);
  model = trim(model, &nm);
  if (msg->ndevices == LUMI_MAX_DEVICES || ns > LUMI_SID_MAX || nm > LUMI_MODEL_MAX) {
    msg->dropped_devices++;
    return LUMI_OK;
  }
  lumi_dev_entry_t *d = &msg->devices[msg->ndevices];
  if (!(d->sid = put(p, sid, ns)) || !(d->model = put(p, model, nm))) return LUMI_ETOOBIG;
  msg->ndevices++;
  return LUMI_OK;
}

/* The content of `data`: an object of attributes, or an array of sids
 * (get_id_list_ack). Non-string array elements are skipped. */
static int data_value(parser_t *p, const cJSON *v) {
  p->v1 = 1;
  if (cJSON_IsObject(v)) return members(p, v);
  for (const cJSON *it = v->child; it; it = it->next) {
    if (!cJSON_IsString(it)) continue;
    int rc = device(p, it->valuestring, "");
    if (rc) return rc;
  }
  return LUMI_OK;
}

static int only_space(const char *s) {
  while (*s && (unsigned char)*s <= 32) s++;
  return *s == '\0';
}

/* v1 `data`: normally a string holding JSON, which is parsed once more;
 * clients also send the object itself. */
static int data_field(parser_t *p, const cJSON *it) {
  if (cJSON_IsObject(it) || cJSON_IsArray(it)) return data_value(p, it);
  if (!cJSON_IsString(it)) return LUMI_ETYPE;
  const char *s = it->valuestring, *end = NULL;
  cJSON *inner = cJSON_ParseWithLengthOpts(s, strlen(s), &end, 0);
  int rc = LUMI_EDATA;
  if (inner && only_space(end) && (cJSON_IsObject(inner) || cJSON_IsArray(inner)))
    rc = data_value(p, inner);
  cJSON_Delete(inner);
  return rc;
}

/* v2 `params`: an array of (normally one-key) objects; other elements are
 * skipped. A bare object is taken as one element. */
static int params_field(parser_t *p, const cJSON *it) {
  if (cJSON_IsObject(it)) {
    p->v2 = 1;
    return members(p, it);
  }
  if (!cJSON_IsArray(it)) return LUMI_ETYPE;
  p->v2 = 1;
  for (const cJSON *el = it->child; el; el = el->next) {
    if (!cJSON_IsObject(el)) continue;
    int rc = members(p, el);
    if (rc) return rc;
  }
  return LUMI_OK;
}

/* v2 `dev_list`: [{"sid":…,"model":…}, …]; elements without a string sid
 * are skipped. */
static int dev_list_field(parser_t *p, const cJSON *it) {
  if (!cJSON_IsArray(it)) return LUMI_ETYPE;
  p->v2 = 1;
  for (const cJSON *el = it->child; el; el = el->next) {
    const char *sid = NULL, *model = "";
    if (!cJSON_IsObject(el)) continue;
    for (const cJSON *f = el->child; f; f = f->next) {
      if (!cJSON_IsString(f)) continue;
      if (strcmp(f->string, "sid") == 0) sid = f->valuestring;
      if (strcmp(f->string, "model") == 0) model = f->valuestring;
    }
    if (!sid) continue;
    int rc = device(p, sid, model);
    if (rc) return rc;
  }
  return LUMI_OK;
}

static int top_member(parser_t *p, const cJSON *it) {
  lumi_msg_t *msg = p->msg;
  const char *k = it->string;
  if (strcmp(k, "cmd") == 0) {
    int rc = put_string(p, it, &msg->cmd_name, 0, 0);
    if (rc) return rc;
    msg->cmd = lumi_cmd_lookup(msg->cmd_name);
    return LUMI_OK;
  }
  if (strcmp(k, "sid") == 0) return put_string(p, it, &msg->sid, LUMI_SID_MAX, 0);
  if (strcmp(k, "model") == 0) return put_string(p, it, &msg->model, LUMI_MODEL_MAX, 1);
  if (strcmp(k, "token") == 0) return put_string(p, it, &msg->token, 0, 0);
  if (strcmp(k, "ip") == 0) return put_string(p, it, &msg->ip, 0, 0);
  if (strcmp(k, "proto_version") == 0)
    return put_string(p, it, &msg->proto_version, 0, 0);
  if (strcmp(k, "key") == 0) return put_string(p, it, &msg->key, 0, 0);
  if (strcmp(k, "short_id") == 0)
    return (msg->short_id = whole(it, 0x7fffffff)) < 0 ? LUMI_ETYPE : LUMI_OK;
  if (strcmp(k, "port") == 0)
    return (msg->port = (int)whole(it, 65535)) < 0 ? LUMI_ETYPE : LUMI_OK;
  if (strcmp(k, "data") == 0) return data_field(p, it);
  if (strcmp(k, "params") == 0) return params_field(p, it);
  if (strcmp(k, "dev_list") == 0) return dev_list_field(p, it);
  return LUMI_OK;
}

static int walk(parser_t *p, const cJSON *root) {
  lumi_msg_t *msg = p->msg;
  int have_cmd = 0;
  for (const cJSON *it = root->child; it; it = it->next) {
    int rc = top_member(p, it);
    if (rc) return rc;
    have_cmd |= strcmp(it->string, "cmd") == 0;
  }
  if (!have_cmd) return LUMI_ENOCMD;
  msg->proto = p->v2 ? 2 : p->v1 ? 1 : 0;
  /* A gateway's read_ack carries proto_version among its attributes. */
  const lumi_attr_t *pv = lumi_attr_find(msg, "proto_version");
  if (!*msg->proto_version && pv && pv->type == LUMI_VAL_STRING)
    msg->proto_version = pv->str;
  return LUMI_OK;
}

/* A scratch allocator for cJSON during one parse: its nodes come from a
 * per-thread buffer that is simply reset at the next parse, instead of a
 * malloc and a free per node (half the cost of parsing a report). The
 * hooks are installed for the duration of lumi_parse only; anything that
 * does not fit falls back to malloc. Nothing outlives the call. */
#define SCRATCH_SIZE 65536
static _Thread_local struct {
  size_t used;
  _Alignas(16) char buf[SCRATCH_SIZE];
} scratch;

static void *scratch_alloc(size_t size) {
  size_t n = (size + 15) & ~(size_t)15;
  if (n <= SCRATCH_SIZE - scratch.used) {
    void *p = scratch.buf + scratch.used;
    scratch.used += n;
    return p;
  }
  return malloc(size);
}

static void scratch_free(void *p) {
  if ((char *)p >= scratch.buf && (char *)p < scratch.buf + SCRATCH_SIZE) return;
  free(p);
}

int lumi_parse_json(const char *buf, size_t len, lumi_msg_t *msg) {
  assert(buf || len == 0);
  if (len > LUMI_MAX_DATAGRAM) return LUMI_ETOOBIG;
  /* A C sender may include its string terminator; a NUL anywhere else is
   * not JSON (cJSON would take it for whitespace). */
  while (len && buf[len - 1] == '\0') len--;
  if (len && memchr(buf, '\0', len)) return LUMI_EJSON;

  lumi_msg_init(msg, LUMI_CMD_UNKNOWN);
  static cJSON_Hooks hooks = {scratch_alloc, scratch_free};
  cJSON_InitHooks(&hooks);
  scratch.used = 0;
  /* cJSON gets a terminated copy, so nothing it does can read past buf. */
  char *copy = scratch_alloc(len + 1);
  if (len) memcpy(copy, buf, len);
  copy[len] = '\0';
  const char *end = NULL;
  cJSON *root = cJSON_ParseWithLengthOpts(copy, len, &end, 0);
  int rc;
  if (!root)
    rc = refused(copy, len);
  else if (!cJSON_IsObject(root) || !only_space(end))
    rc = LUMI_EJSON;
  else
    rc = walk(&(parser_t){.msg = msg}, root);
  cJSON_Delete(root);
  scratch_free(copy);
  cJSON_InitHooks(NULL);
  return rc;
}

int lumi_parse(const char *buf, size_t len, lumi_msg_t *msg) {
  assert(buf || len == 0);
  int rc = lumi_parse_flat(buf, len, msg);
  return rc == LUMI_FLAT_FALLBACK ? lumi_parse_json(buf, len, msg) : rc;
}
