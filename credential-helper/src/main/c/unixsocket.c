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
    memset(tmp, 0, (size_t)n); /* a GetSecret reply carries the secret */
  }
  free(tmp);
  return n == 0 ? -1 : (jint)n;
}

/* Writes all of buf[off, off+len); MSG_NOSIGNAL: a closed bus is an error, not a SIGPIPE. */
JNIEXPORT void JNICALL JNI_FN(write0)(JNIEnv *env, jclass cls, jint fd, jbyteArray buf, jint off,
                                      jint len) {
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
    ssize_t n = send(fd, tmp + done, (size_t)len - done, MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) {
      continue;
    }
    if (n < 0) {
      int err = errno;
      memset(tmp, 0, (size_t)len);
      free(tmp);
      throw_io(env, "write", err);
      return;
    }
    done += (size_t)n;
  }
  memset(tmp, 0, (size_t)len);
  free(tmp);
}

JNIEXPORT void JNICALL JNI_FN(close0)(JNIEnv *env, jclass cls, jint fd) { close(fd); }

JNIEXPORT jlong JNICALL JNI_FN(uid0)(JNIEnv *env, jclass cls) { return (jlong)getuid(); }
