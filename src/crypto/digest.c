/* MD5, SHA-1 and SHA-256 digests and their HMACs (mbedTLS). */
#include "crypto/crypto.h"

#include <mbedtls/md.h>
#include <mbedtls/md5.h>
#include <mbedtls/sha1.h>
#include <mbedtls/sha256.h>
#include <string.h>

size_t crypto_md_size(crypto_md_t alg) {
  switch (alg) {
  case CRYPTO_MD5:
    return CRYPTO_MD5_LEN;
  case CRYPTO_SHA1:
    return CRYPTO_SHA1_LEN;
  case CRYPTO_SHA256:
    return CRYPTO_SHA256_LEN;
  }
  return 0;
}

int crypto_md_parse(const char *name, crypto_md_t *alg) {
  static const struct {
    const char *name;
    crypto_md_t alg;
  } names[] = {{"md5", CRYPTO_MD5}, {"sha1", CRYPTO_SHA1}, {"sha256", CRYPTO_SHA256}};
  for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
    if (strcmp(name, names[i].name) == 0) {
      *alg = names[i].alg;
      return CRYPTO_OK;
    }
  }
  return CRYPTO_EINVAL;
}

/* Checks alg and out_cap; returns the digest size, or a negative status. */
static int out_size(crypto_md_t alg, size_t out_cap) {
  size_t n = crypto_md_size(alg);
  if (n == 0) return CRYPTO_EINVAL;
  if (out_cap < n) return CRYPTO_ESPACE;
  return (int)n;
}

int crypto_digest(crypto_md_t alg, const uint8_t *in, size_t len, uint8_t *out,
                  size_t out_cap, size_t *out_len) {
  int n = out_size(alg, out_cap);
  if (n < 0) return n;
  int rc;
  switch (alg) {
  case CRYPTO_MD5:
    rc = mbedtls_md5_ret(in, len, out);
    break;
  case CRYPTO_SHA1:
    rc = mbedtls_sha1_ret(in, len, out);
    break;
  default:
    rc = mbedtls_sha256_ret(in, len, out, 0 /* not SHA-224 */);
    break;
  }
  if (rc) return CRYPTO_EBACKEND;
  *out_len = (size_t)n;
  return CRYPTO_OK;
}

int crypto_hmac(crypto_md_t alg, const uint8_t *key, size_t key_len, const uint8_t *msg,
                size_t msg_len, uint8_t *out, size_t out_cap, size_t *out_len) {
  int n = out_size(alg, out_cap);
  if (n < 0) return n;
  mbedtls_md_type_t type = alg == CRYPTO_MD5    ? MBEDTLS_MD_MD5
                           : alg == CRYPTO_SHA1 ? MBEDTLS_MD_SHA1
                                                : MBEDTLS_MD_SHA256;
  const mbedtls_md_info_t *info = mbedtls_md_info_from_type(type);
  if (!info || mbedtls_md_hmac(info, key, key_len, msg, msg_len, out) != 0)
    return CRYPTO_EBACKEND;
  *out_len = (size_t)n;
  return CRYPTO_OK;
}
