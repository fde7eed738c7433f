package dev.nexusrouter.credential.dbus;

import java.io.Closeable;
import java.io.EOFException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A minimal D-Bus client on one Unix socket: SASL EXTERNAL, {@code Hello}, and method calls that
 * can be pipelined. It exists for the helper's hot path ({@code get} and {@code list} run on every
 * pull): dbus-java's start-up (threads, reflection, proxies) costs more than the whole Go helper,
 * while these few calls need only the wire format. Writes and prompts still go through
 * secret-service. Not thread-safe. Signals are skipped; replies nobody awaits are kept until the
 * connection closes.
 */
public final class BusConnection implements Closeable {
  private static final int METHOD_CALL = 1;
  private static final int METHOD_RETURN = 2;
  private static final int ERROR = 3;
  private static final int FIELD_PATH = 1;
  private static final int FIELD_INTERFACE = 2;
  private static final int FIELD_MEMBER = 3;
  private static final int FIELD_ERROR_NAME = 4;
  private static final int FIELD_REPLY_SERIAL = 5;
  private static final int FIELD_DESTINATION = 6;
  private static final int FIELD_SIGNATURE = 8;

  /** The specification's limit; a larger length is a corrupt stream, not a message. */
  private static final int MAX_MESSAGE = 128 << 20;

  private final Transport transport;
  private final Map<Long, Reply> early = new HashMap<>();
  private long serial;

  /** The server's answer to AUTH is still unread (the messages were sent right behind it). */
  private boolean authPending;

  /**
   * Bytes read from the socket and not yet consumed: one read takes several replies at once.
   * Consumed bytes are zeroed at once (a GetSecret reply holds the secret).
   */
  private final byte[] in = new byte[1 << 16];

  private int inStart;
  private int inEnd;

  private BusConnection(Transport transport) {
    this.transport = transport;
  }

  /** Connects to a {@code unix:path=} bus socket, authenticates and says {@code Hello}. */
  public static BusConnection open(Path socket) throws IOException {
    BusConnection bus = new BusConnection(Transport.connect(socket));
    try {
      bus.authenticate();
      // Hello must be the first message; its answer (our unique name) is not needed, so later
      // calls go out right behind it and the reply is dropped unread.
      bus.send(
          "org.freedesktop.DBus", "/org/freedesktop/DBus", "org.freedesktop.DBus", "Hello", "");
      return bus;
    } catch (IOException | RuntimeException e) {
      bus.close();
      throw e;
    }
  }

  /** How this process reaches the bus, for {@code doctor}. */
  public static String transportName() {
    return NativeSocket.isAvailable()
        ? "native socket (" + System.getProperty(NativeSocket.LIBRARY_PROPERTY) + ")"
        : "JDK SocketChannel";
  }

  /**
   * SASL EXTERNAL: the bus reads our uid from the socket itself; we name it when we know it,
   * otherwise send no identity and answer the server's DATA challenge empty. With the uid named,
   * {@code BEGIN} and the first messages go out right behind {@code AUTH} without waiting for its
   * {@code OK}, as sd-bus does: the server handles the lines in order, and the answer is checked
   * before the first reply is read. One round trip less on every call.
   */
  private void authenticate() throws IOException {
    long uid = transport.uid();
    StringBuilder hex = new StringBuilder();
    for (byte b : Long.toString(uid).getBytes(StandardCharsets.US_ASCII)) {
      hex.append(Integer.toHexString(b)); // ASCII digits: always two hex digits
    }
    if (uid >= 0) {
      send("\0AUTH EXTERNAL " + hex + "\r\nBEGIN\r\n");
      authPending = true;
      return;
    }
    send("\0AUTH EXTERNAL\r\n");
    String reply = readLine();
    if (reply.startsWith("DATA")) {
      send("DATA\r\n");
      reply = readLine();
    }
    requireOk(reply);
    send("BEGIN\r\n");
  }

  private static void requireOk(String reply) throws IOException {
    if (!reply.startsWith("OK ")) {
      throw new AuthenticationRefused(
          "the D-Bus daemon refused EXTERNAL authentication (" + reply + ")");
    }
  }

  /**
   * A write failed while the answer to AUTH was still unread: a daemon that refused us may have
   * closed the connection already, and its answer says more than "broken pipe".
   */
  private IOException explain(IOException e) {
    if (!authPending) {
      return e;
    }
    authPending = false;
    try {
      requireOk(readLine());
    } catch (AuthenticationRefused refused) {
      return refused;
    } catch (IOException unreadable) {
      // Nothing more to learn; the write's own error stands.
    }
    return e;
  }

  /** The bus refused us: thrown by {@link #open} or, with the answer read late, the first call. */
  public static final class AuthenticationRefused extends IOException {
    private static final long serialVersionUID = 1L;

    AuthenticationRefused(String message) {
      super(message);
    }
  }

  private void send(String line) throws IOException {
    byte[] bytes = line.getBytes(StandardCharsets.US_ASCII);
    transport.write(bytes, 0, bytes.length);
  }

  /** One SASL line, from the read buffer: messages may follow it in the same read. */
  private String readLine() throws IOException {
    StringBuilder line = new StringBuilder();
    byte[] one = new byte[1];
    while (line.length() < 4096) {
      readFully(one, 0, 1);
      char c = (char) (one[0] & 0xff);
      if (c == '\n') {
        return line.toString().strip();
      }
      line.append(c);
    }
    throw new IOException("the D-Bus daemon sent an over-long authentication line");
  }

  /**
   * Calls a method and waits for its reply.
   *
   * @param signature the signature of {@code args} ("" for none)
   * @return the reply's body values
   * @throws RemoteError when the callee answers with an error
   */
  public List<Object> call(
      String destination,
      String path,
      String iface,
      String member,
      String signature,
      Object... args)
      throws IOException {
    return await(send(destination, path, iface, member, signature, args));
  }

  /**
   * Sends a method call without waiting: calls may be pipelined, and each round trip through the
   * bus daemon to the Secret Service and back costs more than the call itself.
   *
   * @return the call's serial, for {@link #await}
   */
  public long send(
      String destination,
      String path,
      String iface,
      String member,
      String signature,
      Object... args)
      throws IOException {
    long id = ++serial;
    byte[] request = message(id, destination, path, iface, member, signature, args);
    try {
      transport.write(request, 0, request.length);
    } catch (IOException e) {
      throw explain(e);
    }
    return id;
  }

  /**
   * Waits for the reply to an earlier {@link #send}; replies to other pending calls that arrive
   * first are kept for their own {@code await}.
   *
   * @throws RemoteError when the callee answers with an error
   */
  public List<Object> await(long id) throws IOException {
    Reply reply = early.remove(id);
    while (reply == null) {
      Reply next = readMessage();
      if (next.type != METHOD_RETURN && next.type != ERROR) {
        continue; // a signal, e.g. NameAcquired after Hello
      }
      if (next.replySerial == id) {
        reply = next;
      } else if (next.replySerial > 0 && next.replySerial <= serial) {
        early.put(next.replySerial, next);
      }
    }
    List<Object> body;
    try {
      body = reply.body();
    } finally {
      reply.clear(); // a GetSecret reply holds the secret; the parsed body has its own copy
    }
    if (reply.type == ERROR) {
      String text = !body.isEmpty() && body.get(0) instanceof String ? (String) body.get(0) : "";
      throw new RemoteError(reply.errorName, text);
    }
    return body;
  }

  private static byte[] message(
      long id,
      String destination,
      String path,
      String iface,
      String member,
      String signature,
      Object[] args) {
    WireWriter body = new WireWriter();
    int i = 0;
    for (Object arg : args) {
      int end = Signatures.end(signature, i);
      body.write(signature.substring(i, end), arg);
      i = end;
    }
    byte[] bodyBytes = body.toByteArray();
    List<List<Object>> fields = new ArrayList<>();
    fields.add(List.of((byte) FIELD_PATH, new Variant("o", path)));
    fields.add(List.of((byte) FIELD_INTERFACE, new Variant("s", iface)));
    fields.add(List.of((byte) FIELD_MEMBER, new Variant("s", member)));
    fields.add(List.of((byte) FIELD_DESTINATION, new Variant("s", destination)));
    if (!signature.isEmpty()) {
      fields.add(List.of((byte) FIELD_SIGNATURE, new Variant("g", signature)));
    }
    WireWriter header = new WireWriter();
    header.putByte('l');
    header.putByte(METHOD_CALL);
    header.putByte(0); // flags: replies expected, auto-start allowed (gnome-keyring is activatable)
    header.putByte(1); // protocol version
    header.putUint32(bodyBytes.length);
    header.putUint32(id);
    header.write("a(yv)", fields);
    header.align(8);
    header.putBytes(bodyBytes);
    return header.toByteArray();
  }

  private Reply readMessage() throws IOException {
    if (authPending) {
      authPending = false;
      requireOk(readLine());
    }
    byte[] head = new byte[16];
    readFully(head, 0, 16);
    boolean bigEndian = head[0] == 'B';
    if (!bigEndian && head[0] != 'l') {
      throw new IOException("the D-Bus daemon sent a message with an unknown byte order");
    }
    WireReader lengths = new WireReader(head, bigEndian, 4);
    long bodyLength = (Long) lengths.read("u");
    lengths.read("u"); // serial
    long fieldsLength = (Long) lengths.read("u");
    long headerEnd = (16 + fieldsLength + 7) / 8 * 8;
    if (headerEnd + bodyLength > MAX_MESSAGE) {
      throw new IOException("the D-Bus daemon sent an over-long message");
    }
    byte[] all = new byte[(int) (headerEnd + bodyLength)];
    System.arraycopy(head, 0, all, 0, 16);
    readFully(all, 16, all.length - 16);
    return Reply.parse(all, bigEndian, (int) headerEnd);
  }

  private void readFully(byte[] buffer, int offset, int length) throws IOException {
    for (int done = 0; done < length; ) {
      if (inStart == inEnd) {
        int n = transport.read(in, 0, in.length);
        if (n < 0) {
          throw new EOFException("the D-Bus daemon closed the connection");
        }
        inStart = 0;
        inEnd = n;
      }
      int chunk = Math.min(length - done, inEnd - inStart);
      System.arraycopy(in, inStart, buffer, offset + done, chunk);
      Arrays.fill(in, inStart, inStart + chunk, (byte) 0);
      inStart += chunk;
      done += chunk;
    }
  }

  /** Reads and clears the reply to a call whose answer is no longer wanted. */
  public void discard(long id) {
    try {
      await(id);
    } catch (IOException | RuntimeException e) {
      // Unwanted anyway; the reply buffer was cleared either way.
    }
  }

  @Override
  public void close() throws IOException {
    early.values().forEach(Reply::clear); // replies nobody awaited may hold a secret
    early.clear();
    Arrays.fill(in, (byte) 0);
    transport.close();
  }

  /** A received message, its body parsed on demand. */
  private static final class Reply {
    final int type;
    final long replySerial;
    final String errorName;
    private final byte[] bytes;
    private final boolean bigEndian;
    private final int bodyStart;
    private final String signature;

    private Reply(
        int type,
        long replySerial,
        String errorName,
        String signature,
        byte[] bytes,
        boolean bigEndian,
        int bodyStart) {
      this.type = type;
      this.replySerial = replySerial;
      this.errorName = errorName;
      this.signature = signature;
      this.bytes = bytes;
      this.bigEndian = bigEndian;
      this.bodyStart = bodyStart;
    }

    static Reply parse(byte[] bytes, boolean bigEndian, int bodyStart) {
      WireReader reader = new WireReader(bytes, bigEndian, 12);
      long replySerial = -1;
      String errorName = "";
      String signature = "";
      @SuppressWarnings("unchecked")
      List<List<Object>> fields = (List<List<Object>>) reader.read("a(yv)");
      for (List<Object> field : fields) {
        Object value = ((Variant) field.get(1)).value();
        switch ((Byte) field.get(0)) {
          case FIELD_REPLY_SERIAL:
            replySerial = (Long) value;
            break;
          case FIELD_ERROR_NAME:
            errorName = (String) value;
            break;
          case FIELD_SIGNATURE:
            signature = (String) value;
            break;
          default:
            break;
        }
      }
      return new Reply(bytes[1], replySerial, errorName, signature, bytes, bigEndian, bodyStart);
    }

    List<Object> body() {
      return new WireReader(bytes, bigEndian, bodyStart).readAll(signature);
    }

    void clear() {
      java.util.Arrays.fill(bytes, (byte) 0);
    }
  }

  /** The string-to-string dictionaries the Secret Service uses for attributes. */
  @SuppressWarnings("unchecked")
  public static Map<String, String> stringMap(Object value) {
    return (Map<String, String>) (Map<?, ?>) value;
  }
}
