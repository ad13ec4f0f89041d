/* Checks every case of the protocol vector files (Lumi gateway key, OneNET
 * token) against src/crypto. argv[1] is the tests/vectors directory. */
#include "check.h"
#include "crypto/crypto.h"
#include "proto/onenet.h"

#include <cjson/cJSON.h>
#include <stdlib.h>
#include <sys/stat.h>

/* Reads a whole file into a NUL-terminated heap buffer; NULL on failure. */
static char *slurp(const char *path, size_t *len) {
  FILE *f = fopen(path, "rb");
  if (!f) return NULL;
  size_t cap = 4096, n = 0;
  char *buf = malloc(cap);
  size_t got;
  while ((got = fread(buf + n, 1, cap - n - 1, f)) > 0) {
    n += got;
    if (cap - n - 1 == 0) buf = realloc(buf, cap *= 2);
  }
  fclose(f);
  buf[n] = '\0';
  *len = n;
  return buf;
}

/* The string member `key` of obj, or NULL (reported) if absent. */
static const char *field(const cJSON *obj, const char *key, const char *where) {
  const cJSON *item = cJSON_GetObjectItemCaseSensitive(obj, key);
  if (!cJSON_IsString(item)) {
    fprintf(stderr, "%s: missing string field \"%s\"\n", where, key);
    return NULL;
  }
  return item->valuestring;
}

static int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

/* Percent-decodes s[0..len) into out (capacity len + 1, NUL-terminated).
 * '+' stays '+': OneNET encodes a base64 '+' as %2B, and these are query
 * values, not HTML form fields. Returns 0, or -1 on a malformed escape. */
static int url_decode(const char *s, size_t len, char *out) {
  size_t o = 0;
  for (size_t i = 0; i < len; i++) {
    if (s[i] != '%') {
      out[o++] = s[i];
      continue;
    }
    if (len - i < 3 || hex_value(s[i + 1]) < 0 || hex_value(s[i + 2]) < 0) return -1;
    out[o++] = (char)(hex_value(s[i + 1]) << 4 | hex_value(s[i + 2]));
    i += 2;
  }
  out[o] = '\0';
  return 0;
}

/* The URL-decoded value of parameter `name` in a query string, into out
 * (capacity cap); 0 on success, -1 if absent, malformed or too long. */
static int query_param(const char *query, const char *name, char *out, size_t cap) {
  size_t nlen = strlen(name);
  const char *p = query;
  while (*p) {
    const char *end = strchr(p, '&');
    size_t len = end ? (size_t)(end - p) : strlen(p);
    if (len > nlen && strncmp(p, name, nlen) == 0 && p[nlen] == '=') {
      if (len - nlen - 1 >= cap) return -1;
      return url_decode(p + nlen + 1, len - nlen - 1, out);
    }
    p += len + (end ? 1 : 0);
  }
  return -1;
}

/* key_hex = hex(AES-128-CBC(key = password, iv = iv_hex, token, no padding)). */
static void check_lumi(const cJSON *root, const cJSON *c, const char *where) {
  const char *iv_hex = field(root, "iv_hex", where);
  const char *password = field(c, "password", where);
  const char *token = field(c, "token", where);
  const char *want = field(c, "key_hex", where);
  CHECK(iv_hex && password && token && want);
  if (!iv_hex || !password || !token || !want) return;

  uint8_t iv[16], ct[64];
  char hex[CRYPTO_HEX_LEN(64)];
  size_t n = 0, m = 0;
  CHECK_INT(strlen(password), CRYPTO_AES_KEY_LEN);
  CHECK(strlen(token) <= sizeof ct);
  if (strlen(password) != CRYPTO_AES_KEY_LEN || strlen(token) > sizeof ct) return;
  CHECK_INT(crypto_hex_decode(iv_hex, strlen(iv_hex), iv, sizeof iv, &n), 0);
  CHECK_INT(n, 16);
  CHECK_INT(crypto_aes_cbc_encrypt((const uint8_t *)password, iv, CRYPTO_PAD_NONE,
                                   (const uint8_t *)token, strlen(token), ct, sizeof ct,
                                   &m),
            0);
  CHECK_INT(crypto_hex_encode(ct, m, hex, sizeof hex, &n), 0);
  CHECK_STR(hex, want);
}

/* sign = base64(HMAC-<method>(base64decode(access_key),
 *                             et "\n" method "\n" res "\n" version)),
 * res = "products/{product}/devices/{device}"; the token's parameters must
 * decode to these values. */
static void check_onenet(const cJSON *root, const cJSON *c, const char *where) {
  (void)root;
  const char *product = field(c, "product", where);
  const char *device = field(c, "device", where);
  const char *access_key = field(c, "access_key", where);
  const char *version = field(c, "version", where);
  const char *et = field(c, "et", where);
  const char *method = field(c, "method", where);
  const char *token = field(c, "token", where);
  CHECK(product && device && access_key && version && et && method && token);
  if (!product || !device || !access_key || !version || !et || !method || !token) return;

  char res[256], msg[512], param[256], sign[CRYPTO_BASE64_LEN(CRYPTO_MD_MAX_LEN)];
  uint8_t key[128], mac[CRYPTO_MD_MAX_LEN];
  size_t key_len = 0, mac_len = 0, n = 0;
  crypto_md_t alg = CRYPTO_MD5;
  CHECK(snprintf(res, sizeof res, "products/%s/devices/%s", product, device) <
        (int)sizeof res);
  CHECK(snprintf(msg, sizeof msg, "%s\n%s\n%s\n%s", et, method, res, version) <
        (int)sizeof msg);
  CHECK_INT(crypto_md_parse(method, &alg), 0);
  CHECK_INT(
      crypto_base64_decode(access_key, strlen(access_key), key, sizeof key, &key_len), 0);
  CHECK_INT(crypto_hmac(alg, key, key_len, (const uint8_t *)msg, strlen(msg), mac,
                        sizeof mac, &mac_len),
            0);
  CHECK_INT(crypto_base64_encode(mac, mac_len, sign, sizeof sign, &n), 0);

  CHECK_INT(query_param(token, "sign", param, sizeof param), 0);
  CHECK_STR(sign, param);
  static const char *names[] = {"version", "res", "et", "method"};
  const char *values[] = {version, res, et, method};
  for (size_t i = 0; i < 4; i++) {
    CHECK_INT(query_param(token, names[i], param, sizeof param), 0);
    CHECK_STR(param, values[i]);
  }

  /* And proto/onenet makes the same token, byte for byte. */
  char made[ONENET_TOKEN_MAX], r[128];
  CHECK(onenet_res(product, device, r, sizeof r) > 0);
  CHECK_STR(r, res);
  CHECK(onenet_token(r, strtoll(et, NULL, 10), method, access_key, made, sizeof made) >
        0);
  CHECK_STR(made, token);
}

typedef void (*case_fn)(const cJSON *root, const cJSON *c, const char *where);

/* Runs fn over every element of the file's "cases" array; a missing file,
 * bad JSON or an empty array is a failure. */
static void check_file(const char *dir, const char *name, case_fn fn) {
  char path[4096], where[4200];
  int before = check_failures, i = 0;
  snprintf(path, sizeof path, "%s/%s", dir, name);
  size_t len = 0;
  char *text = slurp(path, &len);
  CHECK(text != NULL);
  if (!text) {
    fprintf(stderr, "%s: cannot read\n", path);
    return;
  }
  cJSON *root = cJSON_ParseWithLength(text, len);
  free(text);
  CHECK(root != NULL);
  const cJSON *cases = cJSON_GetObjectItemCaseSensitive(root, "cases");
  CHECK(cJSON_IsArray(cases) && cJSON_GetArraySize(cases) > 0);
  if (!cJSON_IsArray(cases) || cJSON_GetArraySize(cases) == 0)
    fprintf(stderr, "%s: no \"cases\" array, or it is empty\n", path);
  const cJSON *c;
  cJSON_ArrayForEach(c, cases) {
    snprintf(where, sizeof where, "%s case %d", path, i++);
    int case_before = check_failures;
    fn(root, c, where);
    if (check_failures != case_before) fprintf(stderr, "  (in %s)\n", where);
  }
  printf("%s: %d cases%s\n", path, i, check_failures == before ? "" : ", FAILED");
  cJSON_Delete(root);
}

static void check_dir(const char *dir) {
  check_file(dir, "lumi_key.json", check_lumi);
  check_file(dir, "onenet_token.json", check_onenet);
}

int main(int argc, char **argv) {
  CHECK(argc >= 2);
  if (argc < 2) {
    fprintf(stderr, "usage: %s VECTORS_DIR\n", argv[0]);
    return check_done("vectors");
  }
  check_dir(argv[1]);

  /* The shared originals (/work/shared/vectors, beside the repo), if any. */
  char shared[4096];
  struct stat st;
  snprintf(shared, sizeof shared, "%s/../../../shared/vectors", argv[1]);
  if (stat(shared, &st) == 0 && S_ISDIR(st.st_mode)) check_dir(shared);
  return check_done("vectors");
}
