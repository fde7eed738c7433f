package dev.nexusrouter.credential.dbus;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A scripted D-Bus daemon on a Unix socket, for the faults a real dbus-daemon will not produce on
 * demand: replies out of order, rejected authentication, a connection cut mid-message, a bogus
 * length. The script runs on its own thread and talks through {@link Peer}.
 */
final class FakeBus implements AutoCloseable {
  /** One received method call. */
  record Call(long serial, String member) {}

  /** The daemon's side of one connection. */
  interface Script {
    void run(Peer peer) throws IOException, InterruptedException;
  }

  private final Path socket;
  private final ServerSocketChannel server;
  private final Thread thread;
  private final BlockingQueue<Throwable> failures = new LinkedBlockingQueue<>();

  FakeBus(Path dir, Script script) throws IOException {
    socket = dir.resolve("bus");
    Files.deleteIfExists(socket);
    server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
    server.bind(UnixDomainSocketAddress.of(socket));
    thread =
        new Thread(
            () -> {
              try (SocketChannel channel = server.accept()) {
                script.run(new Peer(channel));
              } catch (IOException | InterruptedException | RuntimeException e) {
                failures.add(e);
              }
            },
            "fake-bus");
    thread.setDaemon(true);
    thread.start();
  }

  Path socket() {
    return socket;
  }

  /** Whatever the script threw, or null. */
  Throwable failure() throws InterruptedException {
    thread.join(TimeUnit.SECONDS.toMillis(5));
    return failures.poll();
  }

  @Override
  public void close() throws IOException {
    server.close();
    thread.interrupt();
  }

  /** Reads and writes the wire format from the daemon's side. */
  static final class Peer {
    private final SocketChannel channel;

    Peer(SocketChannel channel) {
      this.channel = channel;
    }

    /** One SASL line, without CR LF; the leading NUL byte is dropped. */
    String readLine() throws IOException {
      ByteArrayOutputStream line = new ByteArrayOutputStream();
      ByteBuffer one = ByteBuffer.allocate(1);
      while (true) {
        one.clear();
        if (channel.read(one) < 0) {
          throw new IOException("client closed during authentication");
        }
        byte b = one.get(0);
        if (b == '\n') {
          return line.toString(StandardCharsets.US_ASCII).strip().replace("\0", "");
        }
        line.write(b);
      }
    }

    void send(String text) throws IOException {
      send(text.getBytes(StandardCharsets.US_ASCII));
    }

    void send(byte[] bytes) throws IOException {
      ByteBuffer b = ByteBuffer.wrap(bytes);
      while (b.hasRemaining()) {
        channel.write(b);
      }
    }

    /** The usual handshake: AUTH answered OK, then BEGIN. Returns the AUTH line. */
    String accept() throws IOException {
      String auth = readLine();
      send("OK 0123456789abcdef0123456789abcdef\r\n");
      String begin = readLine();
      if (!begin.equals("BEGIN")) {
        throw new IOException("expected BEGIN, got " + begin);
      }
      return auth;
    }

    Call readCall() throws IOException {
      byte[] head = readFully(16);
      WireReader lengths = new WireReader(head, false, 4);
      long bodyLength = (Long) lengths.read("u");
      long serial = (Long) lengths.read("u");
      long fieldsLength = (Long) lengths.read("u");
      int headerEnd = (int) ((16 + fieldsLength + 7) / 8 * 8);
      byte[] all = new byte[headerEnd + (int) bodyLength];
      System.arraycopy(head, 0, all, 0, 16);
      System.arraycopy(readFully(all.length - 16), 0, all, 16, all.length - 16);
      String member = "";
      @SuppressWarnings("unchecked")
      List<List<Object>> fields = (List<List<Object>>) new WireReader(all, false, 12).read("a(yv)");
      for (List<Object> field : fields) {
        if ((Byte) field.get(0) == 3) {
          member = (String) ((Variant) field.get(1)).value();
        }
      }
      return new Call(serial, member);
    }

    private byte[] readFully(int n) throws IOException {
      ByteBuffer b = ByteBuffer.allocate(n);
      while (b.hasRemaining()) {
        if (channel.read(b) < 0) {
          throw new IOException("client closed");
        }
      }
      return b.array();
    }

    void reply(Call call, String signature, Object... body) throws IOException {
      send(message(2, call.serial(), null, signature, body));
    }

    void error(Call call, String name, String text) throws IOException {
      send(message(3, call.serial(), name, "s", text));
    }

    void signal(String member) throws IOException {
      List<List<Object>> fields = new ArrayList<>();
      fields.add(List.of((byte) 1, new Variant("o", "/org/freedesktop/DBus")));
      fields.add(List.of((byte) 2, new Variant("s", "org.freedesktop.DBus")));
      fields.add(List.of((byte) 3, new Variant("s", member)));
      send(frame(4, 0, fields, new byte[0]));
    }
  }

  /** A METHOD_RETURN (2) or ERROR (3) message. */
  static byte[] message(
      int type, long replySerial, String errorName, String signature, Object... body) {
    WireWriter b = new WireWriter();
    int i = 0;
    for (Object value : body) {
      int end = Signatures.end(signature, i);
      b.write(signature.substring(i, end), value);
      i = end;
    }
    List<List<Object>> fields = new ArrayList<>();
    fields.add(List.of((byte) 5, new Variant("u", replySerial)));
    if (errorName != null) {
      fields.add(List.of((byte) 4, new Variant("s", errorName)));
    }
    if (!signature.isEmpty()) {
      fields.add(List.of((byte) 8, new Variant("g", signature)));
    }
    return frame(type, 1000 + replySerial, fields, b.toByteArray());
  }

  static byte[] frame(int type, long serial, List<List<Object>> fields, byte[] body) {
    WireWriter m = new WireWriter();
    m.putByte('l');
    m.putByte(type);
    m.putByte(1); // NO_REPLY_EXPECTED: replies and signals never want one
    m.putByte(1);
    m.putUint32(body.length);
    m.putUint32(serial);
    m.write("a(yv)", fields);
    m.align(8);
    m.putBytes(body);
    return m.toByteArray();
  }
}
