/*
 * libdockercredjava: the four socket calls docker-credential-java's D-Bus client needs, for the
 * packaged helper only. The JDK's own Unix-domain SocketChannel works too (and is the fallback),
 * but its first use initialises the JDK security providers and SecureRandom, which costs more
 * than the whole Go helper's run (BENCHMARKS.md, "Credential helpers"). Built by
 * packaging/credential-helper/build.sh; the Java side is dev.nexusrouter.credential.dbus.NativeSocket.
 */
#include <errno.h>
#include <jni.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#define JNI_FN(name) Java_dev_nexusrouter_credential_dbus_NativeSocket_##name

static void throw_io(JNIEnv *env, const char *what, int err) {
  char message[256];
  snprintf(message, sizeof message, "%s: %s", what, strerror(err));
  jclass io = (*env)->FindClass(env, "java/io/IOException");
  if (io != NULL) {
    (*env)->ThrowNew(env, io, message);
  }
}

JNIEXPORT jint JNICALL JNI_FN(connect0)(JNIEnv *env, jclass cls, jbyteArray path) {
  struct sockaddr_un addr;
  jsize length = (*env)->GetArrayLength(env, path);
  if (length <= 0 || (size_t)length >= sizeof addr.sun_path) {
    throw_io(env, "connect", ENAMETOOLONG);
    return -1;
  }
  memset(&addr, 0, sizeof addr);
  addr.sun_family = AF_UNIX;
  (*env)->GetByteArrayRegion(env, path, 0, length, (jbyte *)addr.sun_path);
  int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    throw_io(env, "socket", errno);
    return -1;
  }
  int rc;
  do {
    rc = connect(fd, (struct sockaddr *)&addr, sizeof addr);
  } while (rc < 0 && errno == EINTR);
  if (rc < 0) {
    int err = errno;
    close(fd);
    throw_io(env, "connect", err);
    return -1;
  }
  return fd;
}

/* Whether [off, off+len) lies inside buf; throws IndexOutOfBoundsException when it does not. */
static int in_bounds(JNIEnv *env, jbyteArray buf, jint off, jint len) {
  jsize size = (*env)->GetArrayLength(env, buf);
  if (off < 0 || len < 0 || off > size || len > size - off) {
    jclass oob = (*env)->FindClass(env, "java/lang/IndexOutOfBoundsException");
    if (oob != NULL) {
      (*env)->ThrowNew(env, oob, "socket buffer range");
    }
    return 0;
  }
  return 1;
}

/* Returns the number of bytes read, or -1 at end of stream. */
JNIEXPORT jint JNICALL JNI_FN(read0)(JNIEnv *env, jclass cls, jint fd, jbyteArray buf, jint off,
                                     jint len) {
  if (!in_bounds(env, buf, off, len)) {
    return -1;
  }
  char *tmp = malloc(len > 0 ? (size_t)len : 1);
  if (tmp == NULL) {
    throw_io(env, "read", ENOMEM);
    return -1;
  }
  ssize_t n;
  do {
    n = recv(fd, tmp, (size_t)len, 0);
  } while (n < 0 && errno == EINTR);
  if (n < 0) {
    int err = errno;
    free(tmp);
    throw_io(env, "read", err);
    return -1;
  }
  if (n > 0) {
    (*env)->SetByteArrayRegion(env, buf, off, (jsize)n, (jbyte *)tmp);
    explicit_bzero(tmp, (size_t)n); /* a GetSecret reply carries the secret */
  }
  free(tmp);
  return n == 0 ? -1 : (jint)n;
}

/*
 * Writes all of buf[off, off+len) to fd: with send(MSG_NOSIGNAL) on the bus socket (a closed bus is
 * an error, not a SIGPIPE), with write() on the protocol channel, which is a pipe, a file or a
 * terminal (the JVM ignores SIGPIPE, so a closed pipe is EPIPE there too).
 */
static void write_all(JNIEnv *env, jint fd, jbyteArray buf, jint off, jint len, int socket) {
  if (!in_bounds(env, buf, off, len)) {
    return;
  }
  char *tmp = malloc(len > 0 ? (size_t)len : 1);
  if (tmp == NULL) {
    throw_io(env, "write", ENOMEM);
    return;
  }
  (*env)->GetByteArrayRegion(env, buf, off, len, (jbyte *)tmp);
  if ((*env)->ExceptionCheck(env)) {
    free(tmp);
    return;
  }
  size_t done = 0;
  while (done < (size_t)len) {
    ssize_t n = socket ? send(fd, tmp + done, (size_t)len - done, MSG_NOSIGNAL)
                       : write(fd, tmp + done, (size_t)len - done);
    if (n < 0 && errno == EINTR) {
      continue;
    }
    if (n < 0) {
      int err = errno;
      explicit_bzero(tmp, (size_t)len);
      free(tmp);
      throw_io(env, "write", err);
      return;
    }
    done += (size_t)n;
  }
  explicit_bzero(tmp, (size_t)len); /* a store request or a get answer carries the secret */
  free(tmp);
}

JNIEXPORT void JNICALL JNI_FN(write0)(JNIEnv *env, jclass cls, jint fd, jbyteArray buf, jint off,
                                      jint len) {
  write_all(env, fd, buf, off, len, 1);
}

/*
 * The protocol channel the launchers hand over as an inherited descriptor: written as it is, never
 * reopened through /dev/fd (which fails for a pipe or terminal owned by another user, and blocks
 * on a pipe whose reader has gone).
 */
JNIEXPORT void JNICALL JNI_FN(writeFd0)(JNIEnv *env, jclass cls, jint fd, jbyteArray buf, jint off,
                                        jint len) {
  write_all(env, fd, buf, off, len, 0);
}

JNIEXPORT void JNICALL JNI_FN(close0)(JNIEnv *env, jclass cls, jint fd) { close(fd); }

JNIEXPORT jlong JNICALL JNI_FN(uid0)(JNIEnv *env, jclass cls) { return (jlong)getuid(); }

/*
 * Modular exponentiation for the Secret Service's encrypted session (Diffie-Hellman over the
 * 1024-bit MODP group, RFC 2409 section 6.2): base^exp mod mod, all big-endian byte arrays, mod
 * odd and at most 1024 bits. Montgomery multiplication on 64-bit limbs. BigInteger.modPow costs
 * ~25 ms per call in the interpreter the packaged get runs in; this costs well under 1 ms.
 *
 * The exponent is the private key, so nothing here branches or indexes memory on it or on a value
 * derived from it: a Montgomery ladder (one multiplication and one squaring for every exponent bit,
 * whatever the bit) with masked swaps, and a masked final subtraction in the multiplication. The
 * loop runs over the exponent array's length, which is public (the Java side always passes 32
 * bytes). NativeSocketIT runs this under valgrind's memcheck with the exponent marked undefined,
 * which reports any branch on it. Every buffer that held the exponent or a value derived from it is
 * cleared with explicit_bzero, which the compiler cannot drop as a dead store.
 */
#define MP_LIMBS 16
#define MP_BYTES (MP_LIMBS * 8)

typedef unsigned long long limb;
typedef unsigned __int128 dlimb;

static void mp_from_bytes(limb *out, const unsigned char *in, int len) {
  memset(out, 0, MP_LIMBS * sizeof(limb));
  for (int i = 0; i < len; i++) {
    int bit = (len - 1 - i) * 8;
    out[bit / 64] |= (limb)in[i] << (bit % 64);
  }
}

/* a >= b, for public values only (it returns early). */
static int mp_geq(const limb *a, const limb *b) {
  for (int i = MP_LIMBS - 1; i >= 0; i--) {
    if (a[i] != b[i]) {
      return a[i] > b[i];
    }
  }
  return 1;
}

/* a -= b; returns the borrow out (0 or 1). */
static limb mp_sub(limb *r, const limb *a, const limb *b) {
  limb borrow = 0;
  for (int i = 0; i < MP_LIMBS; i++) {
    dlimb d = (dlimb)a[i] - b[i] - borrow;
    r[i] = (limb)d;
    borrow = (limb)(d >> 64) & 1;
  }
  return borrow;
}

/* Swaps a and b when mask is all ones, leaves them when it is zero; no branch on mask. */
static void mp_cswap(limb *a, limb *b, limb mask) {
  for (int i = 0; i < MP_LIMBS; i++) {
    limb t = (a[i] ^ b[i]) & mask;
    a[i] ^= t;
    b[i] ^= t;
  }
}

/* r = a * b * 2^-1024 mod m (CIOS); r may alias a or b. */
static void mp_montmul(limb *r, const limb *a, const limb *b, const limb *m, limb minv) {
  limb t[MP_LIMBS + 2], d[MP_LIMBS];
  memset(t, 0, sizeof t);
  for (int i = 0; i < MP_LIMBS; i++) {
    limb carry = 0;
    for (int j = 0; j < MP_LIMBS; j++) {
      dlimb s = (dlimb)a[j] * b[i] + t[j] + carry;
      t[j] = (limb)s;
      carry = (limb)(s >> 64);
    }
    dlimb s = (dlimb)t[MP_LIMBS] + carry;
    t[MP_LIMBS] = (limb)s;
    t[MP_LIMBS + 1] = (limb)(s >> 64);
    limb q = t[0] * minv;
    s = (dlimb)q * m[0] + t[0];
    carry = (limb)(s >> 64);
    for (int j = 1; j < MP_LIMBS; j++) {
      s = (dlimb)q * m[j] + t[j] + carry;
      t[j - 1] = (limb)s;
      carry = (limb)(s >> 64);
    }
    s = (dlimb)t[MP_LIMBS] + carry;
    t[MP_LIMBS - 1] = (limb)s;
    t[MP_LIMBS] = t[MP_LIMBS + 1] + (limb)(s >> 64);
  }
  /* t < 2m: subtract m when t >= m, i.e. when the top limb is set or t - m does not borrow. */
  limb borrow = mp_sub(d, t, m);
  limb keep = (t[MP_LIMBS] | (borrow ^ 1)) & 1; /* 1: take d */
  limb mask = (limb)0 - keep;
  for (int i = 0; i < MP_LIMBS; i++) {
    r[i] = (d[i] & mask) | (t[i] & ~mask);
  }
  explicit_bzero(t, sizeof t);
  explicit_bzero(d, sizeof d);
}

/*
 * out (nm bytes) = base^exp mod mod. Returns 0, or EINVAL for an even modulus or a base not below
 * it. Used by the JNI function below and by the constant-time test driver (src/test/c).
 */
static int mp_modpow(unsigned char *out, const unsigned char *bb, int nb, const unsigned char *eb,
                     int ne, const unsigned char *mb, int nm) {
  limb b[MP_LIMBS], m[MP_LIMBS], r0[MP_LIMBS], r1[MP_LIMBS], r2[MP_LIMBS], one[MP_LIMBS];
  mp_from_bytes(b, bb, nb);
  mp_from_bytes(m, mb, nm);
  if ((m[0] & 1) == 0 || mp_geq(b, m)) {
    return EINVAL;
  }
  /* minv = -m^-1 mod 2^64 (Newton: each step doubles the correct low bits). */
  limb inv = 1;
  for (int i = 0; i < 6; i++) {
    inv *= 2 - m[0] * inv;
  }
  limb minv = (limb)0 - inv;
  /* r2 = 2^2048 mod m, by doubling 1 with reduction (public: depends on the modulus only). */
  memset(r2, 0, sizeof r2);
  r2[0] = 1;
  for (int i = 0; i < 2 * 64 * MP_LIMBS; i++) {
    limb top = r2[MP_LIMBS - 1] >> 63;
    for (int j = MP_LIMBS - 1; j > 0; j--) {
      r2[j] = (r2[j] << 1) | (r2[j - 1] >> 63);
    }
    r2[0] <<= 1;
    if (top || mp_geq(r2, m)) {
      mp_sub(r2, r2, m);
    }
  }
  memset(one, 0, sizeof one);
  one[0] = 1;
  mp_montmul(r0, one, r2, m, minv); /* r0 = 1 in Montgomery form */
  mp_montmul(r1, b, r2, m, minv);   /* r1 = base in Montgomery form */
  /* Ladder invariant: r1 = r0 * base. Bit 0: r1 = r0*r1, r0 = r0^2; bit 1: the same, swapped. */
  for (int i = ne * 8 - 1; i >= 0; i--) {
    limb mask = (limb)0 - (limb)((eb[ne - 1 - i / 8] >> (i % 8)) & 1);
    mp_cswap(r0, r1, mask);
    mp_montmul(r1, r0, r1, m, minv);
    mp_montmul(r0, r0, r0, m, minv);
    mp_cswap(r0, r1, mask);
  }
  mp_montmul(r0, r0, one, m, minv);
  for (int i = 0; i < nm; i++) {
    int bit = (nm - 1 - i) * 8;
    out[i] = (unsigned char)(r0[bit / 64] >> (bit % 64));
  }
  explicit_bzero(r0, sizeof r0);
  explicit_bzero(r1, sizeof r1);
  return 0;
}

JNIEXPORT jbyteArray JNICALL JNI_FN(modPow0)(JNIEnv *env, jclass cls, jbyteArray base,
                                             jbyteArray exp, jbyteArray mod) {
  jsize nb = (*env)->GetArrayLength(env, base);
  jsize ne = (*env)->GetArrayLength(env, exp);
  jsize nm = (*env)->GetArrayLength(env, mod);
  if (nb > MP_BYTES || ne > MP_BYTES || nm > MP_BYTES || nm == 0) {
    throw_io(env, "modPow", EINVAL);
    return NULL;
  }
  unsigned char bb[MP_BYTES], eb[MP_BYTES], mb[MP_BYTES], out[MP_BYTES];
  (*env)->GetByteArrayRegion(env, base, 0, nb, (jbyte *)bb);
  (*env)->GetByteArrayRegion(env, exp, 0, ne, (jbyte *)eb);
  (*env)->GetByteArrayRegion(env, mod, 0, nm, (jbyte *)mb);
  if ((*env)->ExceptionCheck(env)) {
    explicit_bzero(eb, sizeof eb);
    return NULL;
  }
  int err = mp_modpow(out, bb, nb, eb, ne, mb, nm);
  explicit_bzero(eb, sizeof eb);
  if (err != 0) {
    throw_io(env, "modPow", err);
    return NULL;
  }
  jbyteArray result = (*env)->NewByteArray(env, nm);
  if (result != NULL) {
    (*env)->SetByteArrayRegion(env, result, 0, nm, (jbyte *)out);
  }
  explicit_bzero(out, sizeof out); /* the shared secret, on the second call of a session */
  return result;
}
