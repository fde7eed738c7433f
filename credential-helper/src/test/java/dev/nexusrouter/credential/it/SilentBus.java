package dev.nexusrouter.credential.it;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * A hung keyring daemon: a bus socket that completes authentication, then reads every call and
 * answers none (docker/for-linux#329). Only the helper's watchdog ends such a call.
 */
final class SilentBus implements AutoCloseable {
  private final ServerSocketChannel server;
  private final Thread thread;
  private volatile boolean accepted;

  SilentBus(Path socket) throws IOException {
    server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
    server.bind(UnixDomainSocketAddress.of(socket));
    thread = new Thread(this::serve, "silent-bus");
    thread.setDaemon(true);
    thread.start();
  }

  private void serve() {
    try (SocketChannel client = server.accept()) {
      accepted = true;
      ByteBuffer buffer = ByteBuffer.allocate(4096);
      StringBuilder sasl = new StringBuilder();
      while (!sasl.toString().contains("BEGIN\r\n")) {
        buffer.clear();
        if (client.read(buffer) < 0) {
          return;
        }
        String text = new String(buffer.array(), 0, buffer.position(), StandardCharsets.US_ASCII);
        sasl.append(text);
        if (text.contains("AUTH")) {
          client.write(
              ByteBuffer.wrap(
                  "OK 0123456789abcdef0123456789abcdef\r\n".getBytes(StandardCharsets.US_ASCII)));
        }
      }
      while (true) {
        buffer.clear();
        if (client.read(buffer) < 0) {
          return;
        }
      }
    } catch (IOException e) {
      // The helper was killed or the test closed the socket.
    }
  }

  boolean accepted() {
    return accepted;
  }

  @Override
  public void close() throws IOException {
    server.close();
    thread.interrupt();
  }
}
