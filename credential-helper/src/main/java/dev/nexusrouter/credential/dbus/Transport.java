package dev.nexusrouter.credential.dbus;

import java.io.Closeable;
import java.io.IOException;
import java.nio.file.Path;

/** The byte stream to the bus socket. */
interface Transport extends Closeable {
  /** Reads at least one byte; -1 at end of stream. */
  int read(byte[] buffer, int offset, int length) throws IOException;

  /** Writes all {@code length} bytes. */
  void write(byte[] buffer, int offset, int length) throws IOException;

  /** The uid to name in SASL EXTERNAL, or -1 when unknown. */
  long uid();

  /** The packaged JNI socket when it is installed and loads, else the JDK's SocketChannel. */
  static Transport connect(Path socket) throws IOException {
    return NativeSocket.isAvailable() ? NativeSocket.connect(socket) : JdkSocket.connect(socket);
  }
}
