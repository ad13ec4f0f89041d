/* China Mobile OneNET, device side: the connection token, the system topics,
 * data-point payloads and the platform's replies, for the MQTTS suite (data
 * streams) and OneNET Studio (thing model). Pure: no sockets, no clock.
 *
 * Facts: shared/PROTOCOLS.md §4. The token is
 *   version=2018-10-31&res=<urlenc res>&et=<et>&method=<m>&sign=<urlenc sign>
 * with sign = base64(HMAC-<m>(base64decode(key), et\nmethod\nres\nversion)). */
#ifndef LUMO_PROTO_ONENET_H
#define LUMO_PROTO_ONENET_H

#include <stddef.h>
#include <stdint.h>

#define ONENET_VERSION "2018-10-31"
#define ONENET_TOKEN_MAX 512 /* room for any token of names up to 64 bytes */
#define ONENET_NAME_MAX 64   /* product id, device name, data-stream name */

enum {
  ONENET_OK = 0,
  ONENET_EMETHOD = -1, /* method is not md5, sha1 or sha256 */
  ONENET_EKEY = -2,    /* the key is not base64 */
  ONENET_ESPACE = -3,  /* output buffer too small */
  ONENET_ENAME = -4,   /* an empty or overlong name, or one with '/', '+', '#' */
  ONENET_EJSON = -5,   /* a reply that is not the JSON object it should be */
  ONENET_EDUP = -6,    /* thing model: one identifier twice in one post */
  ONENET_EID = -7,     /* a post id outside 1..INT32_MAX */
};

/* A short description of a status for messages. */
const char *onenet_strerror(int status);

/* res of a device's connection token: "products/{product}/devices/{device}";
 * device NULL: "products/{product}" (product-level access). Returns the
 * length or a negative ONENET_E*. */
int onenet_res(const char *product, const char *device, char *out, size_t cap);

/* The token for `res` valid until `et` (Unix seconds), signed with the
 * base64 `key` by `method` ("md5", "sha1", "sha256"). Returns its length or
 * a negative ONENET_E*. */
int onenet_token(const char *res, long long et, const char *method, const char *key,
                 char *out, size_t cap);

/* Checks a product id or device name for use in a topic: 1..ONENET_NAME_MAX
 * bytes, no '/', '+', '#' or control characters. */
int onenet_name_ok(const char *name);

/* "$sys/{product}/{device}/{suffix}". Returns the length or ONENET_ESPACE. */
int onenet_topic(const char *product, const char *device, const char *suffix, char *out,
                 size_t cap);

/* ---- MQTTS suite: data points ---- */

typedef enum {
  ONENET_V_NUMBER,
  ONENET_V_STRING,
  ONENET_V_JSON, /* a JSON object given as text, sent as the object */
} onenet_vtype_t;

typedef struct {
  const char *stream; /* data-stream name */
  onenet_vtype_t type;
  double num;
  const char *str; /* STRING: the text; JSON: the object's JSON text */
  long long time;  /* Unix seconds, or 0 for "when it arrives" */
} onenet_point_t;

/* {"id":ID,"dp":{"stream":[{"v":..,"t":..},...],...}}: points of the same
 * stream become one array, in the order given. id must be 1..INT32_MAX.
 * Whole numbers are written without a fraction. Returns the length (a NUL
 * follows) or a negative ONENET_E* (ONENET_EJSON: a JSON value's text is
 * not an object; ONENET_ENAME: an empty stream name). */
int onenet_dp_build(long id, const onenet_point_t *points, size_t n, char *out,
                    size_t cap);

/* A reply to a post, from .../dp/post/json/accepted or /rejected:
 * {"id":N} or {"id":N,"err_code":C,"err_msg":"..."}. */
typedef struct {
  long id; /* -1 when the platform could not read the post's id */
  int accepted;
  int err_code;      /* 0 when accepted */
  char err_msg[128]; /* "" when accepted */
} onenet_reply_t;

/* Parses a reply's payload; `accepted` says which topic it came on. */
int onenet_dp_reply_parse(const char *payload, size_t len, int accepted,
                          onenet_reply_t *out);

/* The part of a topic after "$sys/{product}/{device}/", or NULL when the
 * topic is not under that device. */
const char *onenet_topic_rest(const char *topic, const char *product, const char *device);

/* ---- OneNET Studio (thing model): OneJSON ---- */

/* {"id":"ID","version":"1.0","params":{"name":{"value":..,"time":ms},...}}:
 * one sample per identifier (ONENET_EDUP for a second one: post it in the
 * next message). time is sent in milliseconds (point.time is in seconds;
 * 0: none). Returns the length or a negative ONENET_E*. */
int onenet_thing_post_build(long id, const onenet_point_t *points, size_t n, char *out,
                            size_t cap);

/* A OneJSON reply or request: {"id":"..","code":N,"msg":"..","params":{..}}.
 * code is 0 when absent; params (a request's) is kept as JSON text. */
typedef struct {
  char id[32];
  int code;
  char msg[128];
  char *params; /* malloc'd JSON text of "params"/"data", or NULL: free() it */
} onenet_thing_msg_t;

int onenet_thing_parse(const char *payload, size_t len, onenet_thing_msg_t *out);

#endif
