package dev.nexusrouter.credential.dbus;

import java.io.IOException;
import java.io.OutputStream;

/**
 * An inherited descriptor written through the packaged library, as it is: the protocol channel the
 * launchers hand over as fd 3 (credential-helper/README.md, "Crashes and stdin"). Java can only
 * reach such a descriptor by reopening {@code /dev/fd/3}, which fails when the pipe or terminal
 * belongs to another user (a helper run under {@code sudo -u} or {@code su}) and blocks forever on
 * a pipe whose reader has gone.
 */
public final class NativeOutput extends OutputStream {
  private static final int MAX_CHUNK = 1 << 16;

  private final int fd;

  private NativeOutput(int fd) {
    this.fd = fd;
  }

  /** The descriptor as a stream, or null when the library is not there. */
  public static OutputStream open(int fd) {
    return NativeSocket.isAvailable() ? new NativeOutput(fd) : null;
  }

  @Override
  public void write(int b) throws IOException {
    write(new byte[] {(byte) b}, 0, 1);
  }

  @Override
  public void write(byte[] buffer, int offset, int length) throws IOException {
    for (int done = 0; done < length; ) {
      int chunk = Math.min(length - done, MAX_CHUNK);
      NativeSocket.writeFd0(fd, buffer, offset + done, chunk);
      done += chunk;
    }
  }
}
