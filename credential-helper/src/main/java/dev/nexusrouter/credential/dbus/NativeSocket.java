package dev.nexusrouter.credential.dbus;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * The packaged transport: four socket calls in {@code libdockercredjava.so}
 * (credential-helper/src/main/c). The JDK's Unix-domain channel initialises the security providers
 * and a SecureRandom on first use (for temporary socket names the helper never needs), which costs
 * more than the whole Go helper's run; a JNI call costs about a millisecond. The library is named
 * by the system property {@value #LIBRARY_PROPERTY}, which only the .deb's wrapper sets.
 */
final class NativeSocket implements Transport {
  static final String LIBRARY_PROPERTY = "docker-credential-java.native-library";

  /** Bounds the native side's temporary buffer; callers loop over larger arrays. */
  private static final int MAX_CHUNK = 1 << 16;

  private static Boolean available;

  private int fd;

  private NativeSocket(int fd) {
    this.fd = fd;
  }

  /** Whether the library is configured and loads; never throws, never prints. */
  static synchronized boolean isAvailable() {
    if (available == null) {
      available = load(System.getProperty(LIBRARY_PROPERTY, ""));
    }
    return available;
  }

  private static boolean load(String library) {
    if (library.isEmpty()) {
      return false;
    }
    try {
      System.load(library);
      return true;
    } catch (UnsatisfiedLinkError | SecurityException e) {
      return false; // a missing or foreign-architecture library: the JDK transport still works
    }
  }

  static NativeSocket connect(Path socket) throws IOException {
    return new NativeSocket(connect0(socket.toString().getBytes(StandardCharsets.UTF_8)));
  }

  @Override
  public int read(byte[] buffer, int offset, int length) throws IOException {
    return read0(fd, buffer, offset, Math.min(length, MAX_CHUNK));
  }

  @Override
  public void write(byte[] buffer, int offset, int length) throws IOException {
    for (int done = 0; done < length; ) {
      int chunk = Math.min(length - done, MAX_CHUNK);
      write0(fd, buffer, offset + done, chunk);
      done += chunk;
    }
  }

  @Override
  public long uid() {
    return uid0();
  }

  /** Idempotent: a second close must not hit a descriptor number the process has reused. */
  @Override
  public void close() {
    if (fd >= 0) {
      close0(fd);
      fd = -1;
    }
  }

  private static native int connect0(byte[] path) throws IOException;

  private static native int read0(int fd, byte[] buffer, int offset, int length) throws IOException;

  private static native void write0(int fd, byte[] buffer, int offset, int length)
      throws IOException;

  /** write(2) on an inherited descriptor that is not a socket (the protocol channel). */
  static native void writeFd0(int fd, byte[] buffer, int offset, int length) throws IOException;

  private static native void close0(int fd);

  private static native long uid0();

  /** base^exp mod mod in C (see unixsocket.c); mod odd, at most 1024 bits, base below it. */
  static native byte[] modPow0(byte[] base, byte[] exp, byte[] mod) throws IOException;
}
