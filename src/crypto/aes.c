/* AES-128 in ECB and CBC modes with none, zero or PKCS#7 padding (mbedTLS). */
#include "crypto/crypto.h"

#include <assert.h>
#include <mbedtls/aes.h>
#include <mbedtls/platform_util.h>
#include <string.h>

#define BLOCK CRYPTO_AES_BLOCK_LEN

/* Bytes of padding `pad` appends to an n-byte plaintext. */
static size_t pad_len(crypto_padding_t pad, size_t n) {
  switch (pad) {
  case CRYPTO_PAD_ZERO:
    return (BLOCK - n % BLOCK) % BLOCK;
  case CRYPTO_PAD_PKCS7:
    return BLOCK - n % BLOCK;
  default:
    return 0;
  }
}

/* Runs whole blocks through ECB, or CBC when iv (updated) is non-NULL. */
static int run(mbedtls_aes_context *ctx, int mode, uint8_t *iv, const uint8_t *in,
               size_t len, uint8_t *out) {
  if (iv) return mbedtls_aes_crypt_cbc(ctx, mode, len, iv, in, out);
  for (size_t i = 0; i < len; i += BLOCK) {
    int rc = mbedtls_aes_crypt_ecb(ctx, mode, in + i, out + i);
    if (rc) return rc;
  }
  return 0;
}

/* ECB when iv is NULL, else CBC. The whole blocks go straight from `in` to
 * `out`; the padded tail is built in a block of its own, read from `in`
 * before anything is written over it, so in-place encryption is safe. */
static int encrypt_padded(const uint8_t *key, const uint8_t *iv, crypto_padding_t pad,
                          const uint8_t *in, size_t in_len, uint8_t *out, size_t out_cap,
                          size_t *out_len) {
  if (pad != CRYPTO_PAD_NONE && pad != CRYPTO_PAD_ZERO && pad != CRYPTO_PAD_PKCS7)
    return CRYPTO_EINVAL;
  if (pad == CRYPTO_PAD_NONE && in_len % BLOCK != 0) return CRYPTO_EINVAL;
  size_t extra = pad_len(pad, in_len);
  if (in_len > SIZE_MAX - extra || out_cap < in_len + extra) return CRYPTO_ESPACE;

  size_t whole = in_len - in_len % BLOCK;
  uint8_t tail[BLOCK];
  size_t tail_len = 0;
  if (extra > 0) {
    size_t rest = in_len - whole;
    if (rest > 0) memcpy(tail, in + whole, rest);
    memset(tail + rest, pad == CRYPTO_PAD_PKCS7 ? (int)extra : 0, extra);
    tail_len = BLOCK;
  }

  uint8_t chain[BLOCK];
  if (iv) memcpy(chain, iv, BLOCK);
  mbedtls_aes_context ctx;
  mbedtls_aes_init(&ctx);
  int rc = mbedtls_aes_setkey_enc(&ctx, key, 128);
  if (!rc) rc = run(&ctx, MBEDTLS_AES_ENCRYPT, iv ? chain : NULL, in, whole, out);
  if (!rc && tail_len)
    rc = run(&ctx, MBEDTLS_AES_ENCRYPT, iv ? chain : NULL, tail, BLOCK, out + whole);
  mbedtls_aes_free(&ctx);
  mbedtls_platform_zeroize(tail, sizeof tail);
  if (rc) return CRYPTO_EBACKEND;
  *out_len = whole + tail_len;
  return CRYPTO_OK;
}

/* Checks PKCS#7 padding on the last block of a decrypted buffer (len >= 16)
 * and returns its length, or 0 when malformed. Every byte of the block is
 * examined whatever the value, so the time taken does not reveal where the
 * padding went wrong (a padding oracle). */
static size_t pkcs7_check(const uint8_t *buf, size_t len) {
  const uint8_t *last = buf + len - BLOCK;
  unsigned n = last[BLOCK - 1];
  unsigned bad = (n == 0) | (n > BLOCK);
  for (unsigned i = 0; i < BLOCK; i++) {
    unsigned in_pad = (BLOCK - 1 - i) < n; /* byte i belongs to the padding */
    bad |= in_pad & (last[i] != n);
  }
  return bad ? 0 : n;
}

static int decrypt_padded(const uint8_t *key, const uint8_t *iv, crypto_padding_t pad,
                          const uint8_t *in, size_t in_len, uint8_t *out, size_t out_cap,
                          size_t *out_len) {
  if (pad != CRYPTO_PAD_NONE && pad != CRYPTO_PAD_ZERO && pad != CRYPTO_PAD_PKCS7)
    return CRYPTO_EINVAL;
  if (in_len % BLOCK != 0) return CRYPTO_EINVAL;
  if (pad == CRYPTO_PAD_PKCS7 && in_len == 0) return CRYPTO_EPADDING;
  if (out_cap < in_len) return CRYPTO_ESPACE;

  uint8_t chain[BLOCK];
  if (iv) memcpy(chain, iv, BLOCK);
  mbedtls_aes_context ctx;
  mbedtls_aes_init(&ctx);
  int rc = mbedtls_aes_setkey_dec(&ctx, key, 128);
  if (!rc) rc = run(&ctx, MBEDTLS_AES_DECRYPT, iv ? chain : NULL, in, in_len, out);
  mbedtls_aes_free(&ctx);
  if (rc) {
    mbedtls_platform_zeroize(out, in_len);
    return CRYPTO_EBACKEND;
  }

  size_t strip = 0;
  if (pad == CRYPTO_PAD_PKCS7) {
    strip = pkcs7_check(out, in_len);
    if (strip == 0) {
      mbedtls_platform_zeroize(out, in_len);
      return CRYPTO_EPADDING;
    }
  }
  *out_len = in_len - strip;
  return CRYPTO_OK;
}

int crypto_aes_ecb_encrypt(const uint8_t key[CRYPTO_AES_KEY_LEN], crypto_padding_t pad,
                           const uint8_t *in, size_t in_len, uint8_t *out, size_t out_cap,
                           size_t *out_len) {
  return encrypt_padded(key, NULL, pad, in, in_len, out, out_cap, out_len);
}

int crypto_aes_ecb_decrypt(const uint8_t key[CRYPTO_AES_KEY_LEN], crypto_padding_t pad,
                           const uint8_t *in, size_t in_len, uint8_t *out, size_t out_cap,
                           size_t *out_len) {
  return decrypt_padded(key, NULL, pad, in, in_len, out, out_cap, out_len);
}

int crypto_aes_cbc_encrypt(const uint8_t key[CRYPTO_AES_KEY_LEN],
                           const uint8_t iv[CRYPTO_AES_BLOCK_LEN], crypto_padding_t pad,
                           const uint8_t *in, size_t in_len, uint8_t *out, size_t out_cap,
                           size_t *out_len) {
  assert(iv != NULL); /* NULL would silently mean ECB */
  return encrypt_padded(key, iv, pad, in, in_len, out, out_cap, out_len);
}

int crypto_aes_cbc_decrypt(const uint8_t key[CRYPTO_AES_KEY_LEN],
                           const uint8_t iv[CRYPTO_AES_BLOCK_LEN], crypto_padding_t pad,
                           const uint8_t *in, size_t in_len, uint8_t *out, size_t out_cap,
                           size_t *out_len) {
  assert(iv != NULL);
  return decrypt_padded(key, iv, pad, in, in_len, out, out_cap, out_len);
}
