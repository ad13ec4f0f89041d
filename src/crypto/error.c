/* Messages for the crypto module's status codes. */
#include "crypto/crypto.h"

const char *crypto_strerror(int status) {
  switch (status) {
  case CRYPTO_OK:
    return "success";
  case CRYPTO_EINVAL:
    return "invalid argument (AES input must be a multiple of 16 bytes without padding)";
  case CRYPTO_ESPACE:
    return "output buffer too small";
  case CRYPTO_EPADDING:
    return "bad PKCS#7 padding (wrong key or iv, or corrupted ciphertext)";
  case CRYPTO_EAUTH:
    return "authentication tag mismatch (wrong key, iv or aad, or tampered data)";
  case CRYPTO_EFORMAT:
    return "malformed hex or base64 text";
  case CRYPTO_EBACKEND:
    return "mbedTLS internal failure";
  }
  return "unknown crypto error";
}
