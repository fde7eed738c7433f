package dev.nexusrouter.router.tls;

import java.nio.ByteBuffer;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult.HandshakeStatus;

/** Drives two {@link SSLEngine}s through a handshake in memory, no sockets. */
final class InMemoryHandshake {
  private InMemoryHandshake() {}

  static void run(SSLEngine client, SSLEngine server) throws Exception {
    int size = Math.max(client.getSession().getPacketBufferSize(), 1 << 15) * 2;
    ByteBuffer c2s = ByteBuffer.allocate(size);
    ByteBuffer s2c = ByteBuffer.allocate(size);
    ByteBuffer app = ByteBuffer.allocate(size);
    ByteBuffer empty = ByteBuffer.allocate(0);
    client.beginHandshake();
    server.beginHandshake();
    for (int i = 0; i < 1000; i++) {
      if (done(client) && done(server)) {
        return;
      }
      step(client, empty, c2s, s2c, app);
      step(server, empty, s2c, c2s, app);
    }
    throw new IllegalStateException("handshake did not finish");
  }

  private static boolean done(SSLEngine e) {
    HandshakeStatus s = e.getHandshakeStatus();
    return s == HandshakeStatus.NOT_HANDSHAKING || s == HandshakeStatus.FINISHED;
  }

  private static void step(
      SSLEngine e, ByteBuffer empty, ByteBuffer out, ByteBuffer in, ByteBuffer app)
      throws Exception {
    switch (e.getHandshakeStatus()) {
      case NEED_WRAP -> e.wrap(empty, out);
      case NEED_UNWRAP, NEED_UNWRAP_AGAIN -> {
        in.flip();
        e.unwrap(in, app);
        in.compact();
        app.clear();
      }
      case NEED_TASK -> {
        Runnable r;
        while ((r = e.getDelegatedTask()) != null) {
          r.run();
        }
      }
      default -> {}
    }
  }
}
