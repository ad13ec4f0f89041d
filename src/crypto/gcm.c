/* AES-128-GCM authenticated encryption with a 16-byte tag (mbedTLS). */
#include "crypto/crypto.h"

#include <mbedtls/gcm.h>
#include <mbedtls/platform_util.h>

/* Both directions: checks the arguments mbedTLS would reject or that would
 * overrun `out`, and sets the key. */
static int gcm_start(mbedtls_gcm_context *ctx, const uint8_t *key, size_t iv_len,
                     size_t in_len, size_t out_cap) {
  if (iv_len == 0) return CRYPTO_EINVAL;
  if (out_cap < in_len) return CRYPTO_ESPACE;
  mbedtls_gcm_init(ctx);
  if (mbedtls_gcm_setkey(ctx, MBEDTLS_CIPHER_ID_AES, key, 128) != 0) {
    mbedtls_gcm_free(ctx);
    return CRYPTO_EBACKEND;
  }
  return CRYPTO_OK;
}

int crypto_aes_gcm_encrypt(const uint8_t key[CRYPTO_AES_KEY_LEN], const uint8_t *iv,
                           size_t iv_len, const uint8_t *aad, size_t aad_len,
                           const uint8_t *in, size_t in_len, uint8_t *out, size_t out_cap,
                           size_t *out_len, uint8_t tag[CRYPTO_GCM_TAG_LEN]) {
  mbedtls_gcm_context ctx;
  int rc = gcm_start(&ctx, key, iv_len, in_len, out_cap);
  if (rc) return rc;
  rc = mbedtls_gcm_crypt_and_tag(&ctx, MBEDTLS_GCM_ENCRYPT, in_len, iv, iv_len, aad,
                                 aad_len, in, out, CRYPTO_GCM_TAG_LEN, tag);
  mbedtls_gcm_free(&ctx);
  if (rc == MBEDTLS_ERR_GCM_BAD_INPUT) return CRYPTO_EINVAL; /* lengths past 2^36 */
  if (rc) return CRYPTO_EBACKEND;
  *out_len = in_len;
  return CRYPTO_OK;
}

int crypto_aes_gcm_decrypt(const uint8_t key[CRYPTO_AES_KEY_LEN], const uint8_t *iv,
                           size_t iv_len, const uint8_t *aad, size_t aad_len,
                           const uint8_t *in, size_t in_len,
                           const uint8_t tag[CRYPTO_GCM_TAG_LEN], uint8_t *out,
                           size_t out_cap, size_t *out_len) {
  mbedtls_gcm_context ctx;
  int rc = gcm_start(&ctx, key, iv_len, in_len, out_cap);
  if (rc) return rc;
  /* Compares the tag in constant time and zeroes `out` on a mismatch. */
  rc = mbedtls_gcm_auth_decrypt(&ctx, in_len, iv, iv_len, aad, aad_len, tag,
                                CRYPTO_GCM_TAG_LEN, in, out);
  mbedtls_gcm_free(&ctx);
  if (rc == MBEDTLS_ERR_GCM_AUTH_FAILED) return CRYPTO_EAUTH;
  if (rc) {
    mbedtls_platform_zeroize(out, in_len);
    return rc == MBEDTLS_ERR_GCM_BAD_INPUT ? CRYPTO_EINVAL : CRYPTO_EBACKEND;
  }
  *out_len = in_len;
  return CRYPTO_OK;
}
