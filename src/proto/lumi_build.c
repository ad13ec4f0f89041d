/* lumi_msg_t to a Lumi gateway datagram (v1 data string or v2 params
 * array), and the write key computed from the gateway password and token. */
#include "proto/lumi.h"

#include "crypto/crypto.h"

#include <cjson/cJSON.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* cJSON reports out-of-memory as NULL; like mem_alloc, give up. */
static void *need(void *p) {
  if (!p) {
    fprintf(stderr, "lumo: out of memory (cJSON)\n");
    abort();
  }
  return p;
}

static int set(const char *s) {
  return s && *s;
}

static void add_string(cJSON *obj, const char *name, const char *s) {
  need(cJSON_AddStringToObject(obj, name, s ? s : ""));
}

/* An attribute value as its type says. LUMI_VAL_JSON text that does not
 * parse (a caller's mistake) is sent as a string rather than dropped. */
static cJSON *value(const lumi_attr_t *a) {
  switch (a->type) {
  case LUMI_VAL_NUMBER:
    return need(cJSON_CreateNumber(a->num));
  case LUMI_VAL_BOOL:
    return need(cJSON_CreateBool(a->num != 0));
  case LUMI_VAL_NULL:
    return need(cJSON_CreateNull());
  case LUMI_VAL_JSON:
    if (a->str) {
      cJSON *v = cJSON_Parse(a->str);
      if (v) return v;
    }
    break;
  case LUMI_VAL_STRING:
    break;
  }
  return need(cJSON_CreateString(a->str ? a->str : ""));
}

/* Moves the compact text of `v` into obj as the string member `name` (the
 * v1 way of nesting JSON) and frees v. */
static void add_as_string(cJSON *obj, const char *name, cJSON *v) {
  char *s = need(cJSON_PrintUnformatted(v));
  cJSON_Delete(v);
  add_string(obj, name, s);
  free(s);
}

/* How many of a caller's n entries exist (0..max). */
static int count(int n, int max) {
  return n < 0 ? 0 : n > max ? max : n;
}

static void add_attrs(const lumi_msg_t *msg, cJSON *root, int v2) {
  int has_key = set(msg->key), has_error = set(msg->error);
  int nattrs = count(msg->nattrs, LUMI_MAX_ATTRS);
  if (nattrs == 0 && !has_error && !(has_key && !v2)) return;
  if (v2) {
    cJSON *params = need(cJSON_AddArrayToObject(root, "params"));
    for (int i = 0; i < nattrs; i++) {
      if (!msg->attrs[i].key) continue;
      cJSON *el = need(cJSON_CreateObject());
      cJSON_AddItemToObject(el, msg->attrs[i].key, value(&msg->attrs[i]));
      cJSON_AddItemToArray(params, el);
    }
    if (has_error) {
      cJSON *el = need(cJSON_CreateObject());
      add_string(el, "error", msg->error);
      cJSON_AddItemToArray(params, el);
    }
    return;
  }
  cJSON *data = need(cJSON_CreateObject());
  for (int i = 0; i < nattrs; i++)
    if (msg->attrs[i].key)
      cJSON_AddItemToObject(data, msg->attrs[i].key, value(&msg->attrs[i]));
  if (has_key) add_string(data, "key", msg->key);
  if (has_error) add_string(data, "error", msg->error);
  add_as_string(root, "data", data);
}

/* v1 lists sids as a `data` string array when `data` is free for it;
 * otherwise (v2, discovery_rsp, or data holding attributes) a dev_list. */
static void add_devices(const lumi_msg_t *msg, cJSON *root, int v2) {
  int ndevices = count(msg->ndevices, LUMI_MAX_DEVICES);
  if (ndevices == 0) return;
  int data_busy =
      count(msg->nattrs, LUMI_MAX_ATTRS) > 0 || set(msg->error) || (set(msg->key) && !v2);
  if (!v2 && msg->cmd != LUMI_CMD_DISCOVERY_RSP && !data_busy) {
    cJSON *list = need(cJSON_CreateArray());
    for (int i = 0; i < ndevices; i++)
      cJSON_AddItemToArray(
          list, need(cJSON_CreateString(msg->devices[i].sid ? msg->devices[i].sid : "")));
    add_as_string(root, "data", list);
    return;
  }
  cJSON *list = need(cJSON_AddArrayToObject(root, "dev_list"));
  for (int i = 0; i < ndevices; i++) {
    cJSON *el = need(cJSON_CreateObject());
    add_string(el, "sid", msg->devices[i].sid);
    add_string(el, "model", msg->devices[i].model);
    cJSON_AddItemToArray(list, el);
  }
}

int lumi_build(const lumi_msg_t *msg, char *out, size_t cap) {
  int v2 = msg->proto == 2;
  cJSON *root = need(cJSON_CreateObject());
  add_string(root, "cmd",
             msg->cmd == LUMI_CMD_UNKNOWN ? msg->cmd_name
                                          : lumi_cmd_name(msg->cmd, v2 ? 2 : 1));
  if (set(msg->sid)) add_string(root, "sid", msg->sid);
  if (set(msg->model)) add_string(root, "model", msg->model);
  if (msg->short_id >= 0)
    need(cJSON_AddNumberToObject(root, "short_id", (double)msg->short_id));
  if (set(msg->token)) add_string(root, "token", msg->token);
  if (set(msg->ip)) add_string(root, "ip", msg->ip);
  if (msg->port >= 0) {
    char port[16];
    snprintf(port, sizeof port, "%d", msg->port);
    add_string(root, "port", port);
  }
  if (v2 && msg->cmd == LUMI_CMD_IAM) add_string(root, "protocal", "UDP"); /* sic */
  /* Not twice: a gateway's read reply has proto_version among its attrs. */
  const lumi_attr_t *pv = lumi_attr_find(msg, "proto_version");
  if (set(msg->proto_version) && !(pv && pv->type == LUMI_VAL_STRING && pv->str &&
                                   strcmp(pv->str, msg->proto_version) == 0))
    add_string(root, "proto_version", msg->proto_version);
  if (v2 && set(msg->key)) add_string(root, "key", msg->key);
  add_attrs(msg, root, v2);
  add_devices(msg, root, v2);

  char *s = need(cJSON_PrintUnformatted(root));
  cJSON_Delete(root);
  size_t n = strlen(s);
  int rc = LUMI_ESPACE;
  if (n < cap && n <= INT_MAX) {
    memcpy(out, s, n + 1);
    rc = (int)n;
  }
  free(s);
  return rc;
}

int lumi_compute_key(const char *password, const char *token,
                     char out[LUMI_KEY_HEX_LEN + 1]) {
  static const uint8_t iv[CRYPTO_AES_BLOCK_LEN] = {0x17, 0x99, 0x6d, 0x09, 0x3d, 0x28,
                                                   0xdd, 0xb3, 0xba, 0x69, 0x5a, 0x2e,
                                                   0x6f, 0x58, 0x56, 0x2e};
  if (!password || !token || strlen(password) != CRYPTO_AES_KEY_LEN ||
      strlen(token) != LUMI_TOKEN_LEN)
    return -1;
  uint8_t ct[CRYPTO_AES_BLOCK_LEN];
  size_t n = 0;
  if (crypto_aes_cbc_encrypt((const uint8_t *)password, iv, CRYPTO_PAD_NONE,
                             (const uint8_t *)token, LUMI_TOKEN_LEN, ct, sizeof ct,
                             &n) != CRYPTO_OK ||
      crypto_hex_encode(ct, n, out, LUMI_KEY_HEX_LEN + 1, &n) != CRYPTO_OK)
    return -1;
  return 0;
}
