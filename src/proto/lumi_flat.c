/* The fast path of lumi_parse: one pass over the flat shape nearly every
 * Lumi datagram has, {"cmd":"report","sid":"…","short_id":1,
 * "data":"{\"status\":\"open\"}"}, with no tree and no allocation. Anything
 * else falls back to the cJSON path (lumi_parse.c), which stays the
 * reference: tests/fuzz/fuzz_lumi_flat.c holds the two to the same result.
 *
 * Accepted: top-level values that are plain strings (no backslash, no
 * control byte) or integers of at most 15 digits; `data` as a string whose
 * only escape is \" and which holds one object of plain strings, integers,
 * true, false and null. Whitespace is space, tab, CR and LF at the top and
 * spaces inside data. Members are handled in order, as the walk over the
 * cJSON tree does, so duplicates come out the same.
 *
 * Text space: every string kept takes its length plus a NUL in msg->text
 * and came from at least that many bytes of input (its quotes), so a
 * datagram no longer than msg->text cannot overflow it, here or in the
 * cJSON path; longer ones fall back. The same bound lets a string be
 * copied to msg->text in blocks while it is scanned: the copy never gets
 * ahead of the read position (see body()). */
#include "proto/lumi_parse_internal.h"

#include <stdint.h>
#include <string.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#define FALLBACK LUMI_FLAT_FALLBACK
/* Integers of up to 15 digits are below 2^53: their digits summed up in a
 * uint64_t convert to exactly the double that strtod (cJSON) gives. */
#define MAX_DIGITS 15

/* What the scan writes. The read position is passed around as p and end
 * (returned as the new p, NULL meaning fall back) so that it stays in
 * registers: stores into msg->text could alias anything held in memory. */
typedef struct {
  lumi_msg_t *msg;
  size_t used; /* bytes of msg->text kept; never more than bytes read */
  int have_cmd, have_data;
  int pv; /* index of the first attribute named proto_version, or -1 */
} flat_t;

/* A scalar value. A string's body is already copied to msg->text (at s,
 * not yet NUL-terminated nor counted in used). */
typedef struct {
  lumi_val_type_t type; /* STRING, NUMBER, BOOL or NULL */
  char *s;
  size_t n;
  uint64_t v; /* magnitude of a NUMBER; 0/1 for a BOOL */
  int neg;
} value_t;

static int is_space(char c) {
  return (unsigned char)c <= ' ' && (c == ' ' || c == '\t' || c == '\r' || c == '\n');
}

static int is_digit(char c) {
  return (unsigned)(c - '0') <= 9;
}

static inline const char *ws(const char *p, const char *end) {
  while (p < end && is_space(*p)) p++;
  return p;
}

/* Past the character c, which is next but for whitespace; NULL when
 * something else is. Gateways send no whitespace: that case is tried
 * first. */
static inline const char *expect(const char *p, const char *end, char c) {
  if (p < end && *p == c) return p + 1;
  p = ws(p, end);
  return p < end && *p == c ? p + 1 : NULL;
}

/* Inside data only spaces can occur: any other whitespace byte would be a
 * control byte or an escape in the outer string, and both fall back. */
static inline const char *spaces(const char *p, const char *end) {
  while (p < end && *p == ' ') p++;
  return p;
}

/* Reads a plain string body from p up to the first '"', '\\' or byte below
 * 0x20 (NUL included), which it returns (end if there is none), copying it
 * to d on the way. The copy goes in blocks, so bytes past the returned
 * point may be written too, but never more than end - p in all: with d no
 * further into msg->text than p is into the input, and the input no longer
 * than msg->text, that stays inside msg->text.
 *
 * Sixteen bytes at a time with SSE2, then eight at a time in a uint64_t:
 * there a byte flags when it equals '"' or '\\' or is below 0x20, and the
 * lowest flag is always a true one (a false one needs a borrow from a true
 * one below it). */
static inline const char *body(const char *p, const char *end, char *d) {
#if defined(__SSE2__)
  const __m128i quote = _mm_set1_epi8('"'), backslash = _mm_set1_epi8('\\');
  const __m128i max_ctl = _mm_set1_epi8(0x1f);
  for (; end - p >= 16; p += 16, d += 16) {
    __m128i x = _mm_loadu_si128((const __m128i *)(const void *)p);
    _mm_storeu_si128((__m128i *)(void *)d, x);
    __m128i ctl = _mm_cmpeq_epi8(_mm_subs_epu8(x, max_ctl), _mm_setzero_si128());
    __m128i hit = _mm_or_si128(
        _mm_or_si128(_mm_cmpeq_epi8(x, quote), _mm_cmpeq_epi8(x, backslash)), ctl);
    unsigned mask = (unsigned)_mm_movemask_epi8(hit);
    if (mask) return p + __builtin_ctz(mask);
  }
#endif
  const uint64_t ones = 0x0101010101010101u, high = ones * 0x80;
  for (; end - p >= 8; p += 8, d += 8) {
    uint64_t w;
    memcpy(&w, p, 8);
    memcpy(d, &w, 8);
#if __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
    w = __builtin_bswap64(w);
#endif
    uint64_t q = w ^ (ones * '"'), b = w ^ (ones * '\\');
    uint64_t hit =
        (((q - ones) & ~q) | ((b - ones) & ~b) | ((w - ones * 0x20) & ~w)) & high;
    if (hit) return p + (__builtin_ctzll(hit) >> 3);
  }
  while (p < end && (unsigned char)*p >= 0x20 && *p != '"' && *p != '\\') *d++ = *p++;
  return p;
}

/* Where the next string's body is copied to. */
static char *next(flat_t *f) {
  return f->msg->text + f->used;
}

/* Keeps s[0..n), a part of the last string copied, as a C string. */
static const char *keep(flat_t *f, const value_t *v, char *s, size_t n) {
  s[n] = '\0';
  f->used += v->n + 1;
  return s;
}

static char *trim(char *s, size_t *n) {
  while (*n && is_space(*s)) s++, (*n)--;
  while (*n && is_space(s[*n - 1])) (*n)--;
  return s;
}

/* Keeps a string value as *dst, trimmed or not, at most max bytes long (0:
 * any): the walk's put_string() with every error a fallback. */
static int put_string(flat_t *f, const value_t *v, const char **dst, size_t max,
                      int trimmed) {
  if (v->type != LUMI_VAL_STRING) return FALLBACK;
  size_t n = v->n;
  char *s = trimmed ? trim(v->s, &n) : v->s;
  if (max && n > max) return FALLBACK;
  *dst = keep(f, v, s, n);
  return LUMI_OK;
}

/* -?(0|[1-9][0-9]*) of at most MAX_DIGITS digits. What follows is the
 * caller's to check, so "1.5", "1e3" and "012" fall back there. */
static const char *integer(const char *p, const char *end, value_t *v) {
  uint64_t n = 0;
  v->type = LUMI_VAL_NUMBER;
  v->neg = p < end && *p == '-';
  p += v->neg;
  const char *start = p;
  while (p < end && is_digit(*p)) n = n * 10 + (uint64_t)(*p++ - '0');
  size_t digits = (size_t)(p - start);
  if (digits == 0 || digits > MAX_DIGITS || (*start == '0' && digits > 1)) return NULL;
  v->v = n;
  return p;
}

/* A top-level value: a plain string or an integer. */
static const char *top_value(flat_t *f, const char *p, const char *end, value_t *v) {
  if (p == end) return NULL;
  if (*p != '"') return integer(p, end, v);
  const char *q = body(++p, end, v->s = next(f));
  if (q == end || *q != '"') return NULL;
  v->type = LUMI_VAL_STRING;
  v->n = (size_t)(q - p);
  return q + 1;
}

/* Whether p is at \", the quote of the text inside data. */
static int at_quote(const char *p, const char *end) {
  return end - p >= 2 && memcmp(p, "\\\"", 2) == 0;
}

/* A string inside data, p just past its opening \": the body up to the
 * closing \". A raw quote would end data itself; any other escape, or a
 * control byte, falls back. */
static const char *inner_string(flat_t *f, const char *p, const char *end, value_t *v) {
  const char *q = body(p, end, v->s = next(f));
  if (!at_quote(q, end)) return NULL;
  v->type = LUMI_VAL_STRING;
  v->n = (size_t)(q - p);
  return q + 2;
}

static const char *word(const char *p, const char *end, const char *w, size_t n) {
  return (size_t)(end - p) >= n && memcmp(p, w, n) == 0 ? p + n : NULL;
}

/* A value inside data: a string, an integer, true, false or null. */
static const char *inner_value(flat_t *f, const char *p, const char *end, value_t *v) {
  if (at_quote(p, end)) return inner_string(f, p + 2, end, v);
  v->v = 0;
  v->neg = 0;
  if (p == end) return NULL;
  switch (*p) {
  case 't':
    v->type = LUMI_VAL_BOOL;
    v->v = 1;
    return word(p, end, "true", 4);
  case 'f':
    v->type = LUMI_VAL_BOOL;
    return word(p, end, "false", 5);
  case 'n':
    v->type = LUMI_VAL_NULL;
    return word(p, end, "null", 4);
  }
  return integer(p, end, v);
}

/* One member of data, as the walk's member() takes it: `error` and `key`
 * to the message, anything else an attribute or, past LUMI_MAX_ATTRS,
 * counted as dropped. A non-string error would be kept as JSON text:
 * that is left to the cJSON path. The key is kept already (its copy had
 * to stay put while the value was read); unused, it just takes space. */
static int member(flat_t *f, const char *k, size_t n, const value_t *v) {
  lumi_msg_t *msg = f->msg;
  if (n == 5 && memcmp(k, "error", 5) == 0) return put_string(f, v, &msg->error, 0, 0);
  if (n == 3 && memcmp(k, "key", 3) == 0) return put_string(f, v, &msg->key, 0, 0);
  if (msg->nattrs == LUMI_MAX_ATTRS) {
    msg->dropped_attrs++;
    return LUMI_OK;
  }
  lumi_attr_t *a = &msg->attrs[msg->nattrs];
  *a = (lumi_attr_t){.key = k, .type = v->type}; /* the rest zero, as member() */
  if (v->type == LUMI_VAL_STRING) {
    a->str = keep(f, v, v->s, v->n);
  } else if (v->type == LUMI_VAL_NUMBER) {
    /* strtod gives -0.0 for "-0"; negating keeps that. */
    a->num = v->neg ? -(double)v->v : (double)v->v;
  } else {
    a->num = (double)v->v;
  }
  if (f->pv < 0 && n == 13 && memcmp(k, "proto_version", 13) == 0) f->pv = msg->nattrs;
  msg->nattrs++;
  return LUMI_OK;
}

/* `data`, p at its opening quote: the escaped text of one object, read in
 * place with \" as its quote, then the closing raw quote. */
static const char *data(flat_t *f, const char *p, const char *end) {
  f->have_data = 1;
  p = spaces(p + 1, end);
  if (p == end || *p++ != '{') return NULL;
  p = spaces(p, end);
  if (p < end && *p == '}') {
    p++;
  } else {
    for (;;) {
      value_t k, v;
      if (!at_quote(p, end) || !(p = inner_string(f, p + 2, end, &k))) return NULL;
      size_t n = k.n;
      char *trimmed = trim(k.s, &n); /* as member() trims */
      const char *key = keep(f, &k, trimmed, n);
      p = spaces(p, end);
      if (p == end || *p != ':') return NULL;
      p = spaces(p + 1, end);
      if (!(p = inner_value(f, p, end, &v)) || member(f, key, n, &v)) return NULL;
      p = spaces(p, end);
      if (p == end) return NULL;
      char c = *p++;
      if (c == '}') break;
      if (c != ',') return NULL;
      p = spaces(p, end);
    }
  }
  p = spaces(p, end);
  return p < end && *p == '"' ? p + 1 : NULL;
}

/* short_id and port as the walk's whole(): a whole number in [0, max],
 * given as a JSON number or a string of decimal digits; -1 otherwise. */
static long whole(const value_t *v, long max) {
  if (v->type == LUMI_VAL_NUMBER)
    return (v->neg && v->v) || v->v > (uint64_t)max ? -1 : (long)v->v;
  if (v->n == 0) return -1;
  long r = 0;
  for (size_t i = 0; i < v->n; i++) {
    char c = v->s[i];
    if (!is_digit(c) || r > (max - (c - '0')) / 10) return -1;
    r = r * 10 + (c - '0');
  }
  return r;
}

enum {
  K_OTHER,
  K_CMD,
  K_SID,
  K_MODEL,
  K_TOKEN,
  K_IP,
  K_PV,
  K_KEY,
  K_SHORT_ID,
  K_PORT,
  K_DATA,
  K_V2
};

/* A top-level key, p just past its opening quote: which one it is, and in
 * *q its closing quote. Known keys are matched with their quote, in place;
 * any other is scanned like a string (its copy is not kept). */
static int key_at(flat_t *f, const char *p, const char *end, const char **q) {
  size_t left = (size_t)(end - p);
#define IS(lit, id)                                                                      \
  if (left >= sizeof lit - 1 && memcmp(p, lit, sizeof lit - 1) == 0) {                   \
    *q = p + sizeof lit - 2;                                                             \
    return id;                                                                           \
  }
  switch (left ? *p : '\0') {
  case 'c':
    IS("cmd\"", K_CMD);
    break;
  case 's':
    IS("sid\"", K_SID);
    IS("short_id\"", K_SHORT_ID);
    break;
  case 'm':
    IS("model\"", K_MODEL);
    break;
  case 'd':
    IS("data\"", K_DATA);
    IS("dev_list\"", K_V2);
    break;
  case 't':
    IS("token\"", K_TOKEN);
    break;
  case 'i':
    IS("ip\"", K_IP);
    break;
  case 'p':
    IS("port\"", K_PORT);
    IS("params\"", K_V2);
    IS("proto_version\"", K_PV);
    break;
  case 'k':
    IS("key\"", K_KEY);
    break;
  }
#undef IS
  *q = body(p, end, next(f));
  return K_OTHER;
}

/* One top-level member, p at its value; as the walk's top_member(). */
static const char *top_member(flat_t *f, int key, const char *p, const char *end) {
  lumi_msg_t *msg = f->msg;
  value_t v;
  if (key == K_DATA) return p < end && *p == '"' ? data(f, p, end) : NULL;
  if (key == K_V2 || !(p = top_value(f, p, end, &v))) return NULL;
  int rc = LUMI_OK; /* unknown keys are ignored */
  switch (key) {
  case K_CMD:
    if ((rc = put_string(f, &v, &msg->cmd_name, 0, 0))) break;
    msg->cmd = lumi_cmd_lookup(msg->cmd_name);
    f->have_cmd = 1;
    break;
  case K_SID:
    rc = put_string(f, &v, &msg->sid, LUMI_SID_MAX, 0);
    break;
  case K_MODEL:
    rc = put_string(f, &v, &msg->model, LUMI_MODEL_MAX, 1);
    break;
  case K_TOKEN:
    rc = put_string(f, &v, &msg->token, 0, 0);
    break;
  case K_IP:
    rc = put_string(f, &v, &msg->ip, 0, 0);
    break;
  case K_PV:
    rc = put_string(f, &v, &msg->proto_version, 0, 0);
    break;
  case K_KEY:
    rc = put_string(f, &v, &msg->key, 0, 0);
    break;
  case K_SHORT_ID:
    rc = (msg->short_id = whole(&v, 0x7fffffff)) < 0 ? FALLBACK : LUMI_OK;
    break;
  case K_PORT:
    rc = (msg->port = (int)whole(&v, 65535)) < 0 ? FALLBACK : LUMI_OK;
    break;
  }
  return rc ? NULL : p;
}

int lumi_parse_flat(const char *buf, size_t len, lumi_msg_t *msg) {
  if (len > sizeof msg->text) return FALLBACK; /* see "Text space" above */
  while (len && buf[len - 1] == '\0') len--;
  if (len == 0) return FALLBACK;
  /* A NUL elsewhere is a control byte in a string or a byte where none
   * belongs: either way the scan below falls back on it. */
  const char *p = buf, *end = buf + len;
  flat_t f = {.msg = msg, .pv = -1};
  lumi_msg_init(msg, LUMI_CMD_UNKNOWN);

  if (!(p = expect(p, end, '{'))) return FALLBACK;
  for (;;) {
    const char *q;
    if (!(p = expect(p, end, '"'))) return FALLBACK;
    int key = key_at(&f, p, end, &q);
    if (q == end || *q != '"' || !(p = expect(q + 1, end, ':'))) return FALLBACK;
    p = ws(p, end);
    if (!(p = top_member(&f, key, p, end))) return FALLBACK;
    p = ws(p, end);
    if (p == end) return FALLBACK;
    char c = *p++;
    if (c == '}') break;
    if (c != ',') return FALLBACK;
  }
  if (ws(p, end) != end || !f.have_cmd) return FALLBACK;

  msg->proto = f.have_data;
  /* A gateway's read_ack carries proto_version among its attributes. */
  if (!*msg->proto_version && f.pv >= 0 && msg->attrs[f.pv].type == LUMI_VAL_STRING)
    msg->proto_version = msg->attrs[f.pv].str;
  return LUMI_OK;
}
