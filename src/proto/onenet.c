/* OneNET tokens, topics and payloads. JSON goes through cJSON (its string
 * escaping and number printing), with every allocation freed before
 * returning. */
#include "proto/onenet.h"

#include "crypto/crypto.h"

#include <cjson/cJSON.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *onenet_strerror(int status) {
  switch (status) {
  case ONENET_OK:
    return "ok";
  case ONENET_EMETHOD:
    return "method must be md5, sha1 or sha256";
  case ONENET_EKEY:
    return "the key is not base64 (copy it from the OneNET console as it is shown)";
  case ONENET_ESPACE:
    return "output too long";
  case ONENET_ENAME:
    return "a product id, device or data-stream name is empty, too long, or holds "
           "'/', '+' or '#'";
  case ONENET_EJSON:
    return "not the JSON object expected";
  case ONENET_EDUP:
    return "the same identifier twice in one post";
  case ONENET_EID:
    return "post id outside 1..2147483647";
  }
  return "unknown OneNET error";
}

int onenet_name_ok(const char *name) {
  if (!name) return 0;
  size_t n = strlen(name);
  if (n == 0 || n > ONENET_NAME_MAX) return 0;
  for (const char *p = name; *p; p++)
    if (*p == '/' || *p == '+' || *p == '#' || (unsigned char)*p < 0x20) return 0;
  return 1;
}

/* snprintf into out: the length, or ONENET_ESPACE if it did not fit. */
static int fit(int n, size_t cap) {
  return n < 0 || (size_t)n >= cap ? ONENET_ESPACE : n;
}

int onenet_res(const char *product, const char *device, char *out, size_t cap) {
  if (!onenet_name_ok(product) || (device && !onenet_name_ok(device)))
    return ONENET_ENAME;
  if (device)
    return fit(snprintf(out, cap, "products/%s/devices/%s", product, device), cap);
  return fit(snprintf(out, cap, "products/%s", product), cap);
}

/* The platform's URL encoding of a token value: exactly these bytes are
 * escaped (as OneNET's own SDK does); the rest is copied. */
static int urlenc(const char *s, char *out, size_t cap) {
  size_t o = 0;
  for (; *s; s++) {
    const char *esc = NULL;
    switch (*s) {
    case '+':
      esc = "%2B";
      break;
    case ' ':
      esc = "%20";
      break;
    case '/':
      esc = "%2F";
      break;
    case '?':
      esc = "%3F";
      break;
    case '%':
      esc = "%25";
      break;
    case '#':
      esc = "%23";
      break;
    case '&':
      esc = "%26";
      break;
    case '=':
      esc = "%3D";
      break;
    }
    size_t n = esc ? 3 : 1;
    if (o + n >= cap) return ONENET_ESPACE;
    memcpy(out + o, esc ? esc : s, n);
    o += n;
  }
  out[o] = '\0';
  return (int)o;
}

int onenet_token(const char *res, long long et, const char *method, const char *key,
                 char *out, size_t cap) {
  crypto_md_t alg;
  if (!method || crypto_md_parse(method, &alg) != 0) return ONENET_EMETHOD;
  size_t klen = key ? strlen(key) : 0;
  if (klen == 0 || klen > 256) return ONENET_EKEY;
  uint8_t raw[CRYPTO_BASE64_DECODED_LEN(256)];
  size_t rawlen;
  if (crypto_base64_decode(key, klen, raw, sizeof raw, &rawlen) != 0) return ONENET_EKEY;

  char msg[512];
  int mlen =
      snprintf(msg, sizeof msg, "%lld\n%s\n%s\n%s", et, method, res, ONENET_VERSION);
  if (mlen < 0 || (size_t)mlen >= sizeof msg) return ONENET_ESPACE;
  uint8_t mac[CRYPTO_MD_MAX_LEN];
  size_t maclen;
  int rc = crypto_hmac(alg, raw, rawlen, (const uint8_t *)msg, (size_t)mlen, mac,
                       sizeof mac, &maclen);
  memset(raw, 0, sizeof raw);
  if (rc != 0) return ONENET_EKEY;
  char sign[CRYPTO_BASE64_LEN(CRYPTO_MD_MAX_LEN)];
  size_t slen;
  if (crypto_base64_encode(mac, maclen, sign, sizeof sign, &slen) != 0)
    return ONENET_ESPACE;

  char res_enc[3 * 200 + 1], sign_enc[3 * sizeof sign + 1];
  if (urlenc(res, res_enc, sizeof res_enc) < 0) return ONENET_ESPACE;
  if (urlenc(sign, sign_enc, sizeof sign_enc) < 0) return ONENET_ESPACE;
  return fit(snprintf(out, cap, "version=%s&res=%s&et=%lld&method=%s&sign=%s",
                      ONENET_VERSION, res_enc, et, method, sign_enc),
             cap);
}

int onenet_topic(const char *product, const char *device, const char *suffix, char *out,
                 size_t cap) {
  return fit(snprintf(out, cap, "$sys/%s/%s/%s", product, device, suffix), cap);
}

const char *onenet_topic_rest(const char *topic, const char *product,
                              const char *device) {
  size_t np = strlen(product), nd = strlen(device);
  if (strncmp(topic, "$sys/", 5) != 0) return NULL;
  topic += 5;
  if (strncmp(topic, product, np) != 0 || topic[np] != '/') return NULL;
  topic += np + 1;
  if (strncmp(topic, device, nd) != 0 || topic[nd] != '/') return NULL;
  return topic + nd + 1;
}

/* ---- JSON ---- */

/* A value as cJSON: numbers, strings, or a parsed JSON object. */
static cJSON *value_json(const onenet_point_t *p) {
  switch (p->type) {
  case ONENET_V_NUMBER:
    return isfinite(p->num) ? cJSON_CreateNumber(p->num) : NULL;
  case ONENET_V_STRING:
    return cJSON_CreateString(p->str ? p->str : "");
  case ONENET_V_JSON: {
    cJSON *o = p->str ? cJSON_Parse(p->str) : NULL;
    if (o && !cJSON_IsObject(o)) {
      cJSON_Delete(o);
      o = NULL;
    }
    return o;
  }
  }
  return NULL;
}

/* Prints root into out and frees it. */
static int print(cJSON *root, char *out, size_t cap) {
  int ok =
      cJSON_PrintPreallocated(root, out, (int)(cap > 0x7fffffff ? 0x7fffffff : cap), 0);
  cJSON_Delete(root);
  return ok ? (int)strlen(out) : ONENET_ESPACE;
}

int onenet_dp_build(long id, const onenet_point_t *points, size_t n, char *out,
                    size_t cap) {
  if (id < 1 || id > 2147483647L) return ONENET_EID;
  cJSON *root = cJSON_CreateObject(), *dp = cJSON_CreateObject();
  if (!root || !dp) abort(); /* out of memory */
  cJSON_AddNumberToObject(root, "id", (double)id);
  cJSON_AddItemToObject(root, "dp", dp);
  for (size_t i = 0; i < n; i++) {
    const onenet_point_t *p = &points[i];
    if (!onenet_name_ok(p->stream)) {
      cJSON_Delete(root);
      return ONENET_ENAME;
    }
    cJSON *v = value_json(p);
    if (!v) {
      cJSON_Delete(root);
      return ONENET_EJSON;
    }
    cJSON *arr = cJSON_GetObjectItemCaseSensitive(dp, p->stream);
    if (!arr) {
      arr = cJSON_CreateArray();
      cJSON_AddItemToObject(dp, p->stream, arr);
    }
    cJSON *pt = cJSON_CreateObject();
    cJSON_AddItemToObject(pt, "v", v);
    if (p->time > 0) cJSON_AddNumberToObject(pt, "t", (double)p->time);
    cJSON_AddItemToArray(arr, pt);
  }
  return print(root, out, cap);
}

/* A whole-number member as an int; dflt when absent, fractional or out of
 * range. */
static int int_member(const cJSON *o, const char *key, int dflt) {
  const cJSON *it = cJSON_GetObjectItemCaseSensitive(o, key);
  if (!cJSON_IsNumber(it)) return dflt;
  double d = it->valuedouble;
  return d >= -2147483648.0 && d <= 2147483647.0 && d == floor(d) ? (int)d : dflt;
}

/* Copies a string member into out (truncated); "" when absent. */
static void copy_str(const cJSON *o, const char *key, char *out, size_t cap) {
  const cJSON *it = cJSON_GetObjectItemCaseSensitive(o, key);
  snprintf(out, cap, "%s", cJSON_IsString(it) ? it->valuestring : "");
}

int onenet_dp_reply_parse(const char *payload, size_t len, int accepted,
                          onenet_reply_t *out) {
  memset(out, 0, sizeof *out);
  out->id = -1;
  out->accepted = accepted;
  cJSON *root = cJSON_ParseWithLength(payload, len);
  if (!cJSON_IsObject(root)) {
    cJSON_Delete(root);
    return ONENET_EJSON;
  }
  const cJSON *id = cJSON_GetObjectItemCaseSensitive(root, "id");
  if (cJSON_IsNumber(id) && id->valuedouble >= -1 && id->valuedouble <= 2147483647.0 &&
      id->valuedouble == floor(id->valuedouble))
    out->id = (long)id->valuedouble;
  if (!accepted) {
    out->err_code = int_member(root, "err_code", -1);
    copy_str(root, "err_msg", out->err_msg, sizeof out->err_msg);
  }
  cJSON_Delete(root);
  return ONENET_OK;
}

int onenet_thing_post_build(long id, const onenet_point_t *points, size_t n, char *out,
                            size_t cap) {
  if (id < 1 || id > 2147483647L) return ONENET_EID;
  char idtxt[16];
  snprintf(idtxt, sizeof idtxt, "%ld", id);
  cJSON *root = cJSON_CreateObject(), *params = cJSON_CreateObject();
  if (!root || !params) abort();
  cJSON_AddStringToObject(root, "id", idtxt);
  cJSON_AddStringToObject(root, "version", "1.0");
  cJSON_AddItemToObject(root, "params", params);
  for (size_t i = 0; i < n; i++) {
    const onenet_point_t *p = &points[i];
    int err = !onenet_name_ok(p->stream)                                    ? ONENET_ENAME
              : cJSON_GetObjectItemCaseSensitive(params, p->stream) != NULL ? ONENET_EDUP
                                                                            : 0;
    cJSON *v = err ? NULL : value_json(p);
    if (err || !v) {
      cJSON_Delete(root);
      return err ? err : ONENET_EJSON;
    }
    cJSON *pt = cJSON_CreateObject();
    cJSON_AddItemToObject(pt, "value", v);
    if (p->time > 0) cJSON_AddNumberToObject(pt, "time", (double)p->time * 1000.0);
    cJSON_AddItemToObject(params, p->stream, pt);
  }
  return print(root, out, cap);
}

int onenet_thing_parse(const char *payload, size_t len, onenet_thing_msg_t *out) {
  memset(out, 0, sizeof *out);
  cJSON *root = cJSON_ParseWithLength(payload, len);
  if (!cJSON_IsObject(root)) {
    cJSON_Delete(root);
    return ONENET_EJSON;
  }
  const cJSON *id = cJSON_GetObjectItemCaseSensitive(root, "id");
  if (cJSON_IsString(id))
    snprintf(out->id, sizeof out->id, "%s", id->valuestring);
  else if (cJSON_IsNumber(id) && fabs(id->valuedouble) < 1e18)
    snprintf(out->id, sizeof out->id, "%.0f", id->valuedouble);
  out->code = int_member(root, "code", 0);
  copy_str(root, "msg", out->msg, sizeof out->msg);
  const cJSON *params = cJSON_GetObjectItemCaseSensitive(root, "params");
  if (!params) params = cJSON_GetObjectItemCaseSensitive(root, "data");
  if (params) {
    out->params = cJSON_PrintUnformatted(params);
    if (!out->params) abort();
  }
  cJSON_Delete(root);
  return ONENET_OK;
}
